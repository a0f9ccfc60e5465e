"""IAM resource ARN patterns of the convention's names, for the preventive guardrail policy.

IAM wildcards cannot say "one word" or "a real date", so these patterns are a coarse first gate
(``?`` for each character of fixed-length parts, ``*`` for free text); the naming guard checks
the exact convention after creation. Pure functions of the convention: the CDK policy comes later.
"""

from __future__ import annotations

from .convention import DEFAULT_CONVENTION, NamingConvention
from .errors import NamingError
from .classify import kinds_of
from .generate import value_is_valid, value_meaning
from .vocabulary import FIELDS_BY_PART, KINDS, RESOURCE_TYPES

# CloudFormation Fn::Sub references: usable as-is in a template, or replace them with CDK tokens.
PARTITION = "${AWS::Partition}"
REGION = "${AWS::Region}"
ACCOUNT = "${AWS::AccountId}"

_WILDCARDS = {"execution_id": "?" * 12, "yyyymmdd": "?" * 8, "user": "*", "topic": "*", "step": "*", "run": "*"}


def arn_patterns(
    kind_or_resource_type: str,
    use_case: str,
    env: str | None = None,
    *,
    user: str | None = None,
    partition: str = PARTITION,
    region: str = REGION,
    account: str = ACCOUNT,
    convention: NamingConvention = DEFAULT_CONVENTION,
) -> tuple[str, ...]:
    """ARN patterns that the names of a kind (or of every kind of a resource type) can have for one
    use case; one per environment when ``env`` is None and the kind's pattern has ``{env}``."""
    kinds = (kind_or_resource_type,) if kind_or_resource_type in KINDS else kinds_of(kind_or_resource_type)
    for part, value in (("use_case", use_case), ("env", env), ("user", user)):
        field = FIELDS_BY_PART[part]
        if value is not None and not value_is_valid(field.placeholder, value, convention, kinds[0]):
            raise NamingError(f"{part} {value!r} is not {value_meaning(field.placeholder, convention)}", part)
    patterns: dict[str, None] = {}  # ordered set
    for kind in kinds:
        compiled = convention.compiled(kind)
        envs = ((env,) if env else convention.environments) if "env" in compiled.placeholders else (None,)
        for each_env in envs:
            values = {**_WILDCARDS, "usecase": use_case, "env": each_env or "", "user": user or "*"}
            name = compiled.render(values)
            patterns[f"arn:{partition}:sagemaker:{region}:{account}:{RESOURCE_TYPES[kind]}/{name}"] = None
    return tuple(patterns)

