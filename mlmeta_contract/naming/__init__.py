"""The naming convention of experiments, trials, trial components and pipelines: one pure-stdlib
package used by the CDK stacks (synth-time checks), the Lambdas, the pipeline's step code and the CLI.
It imports only the standard library and itself (relative imports), so it can be copied into a
Lambda asset as it is.

    new("analysis-trial", use_case="churn-prediction", env="prod", execution_id="p4jn9xou8a8s")
    -> "churn-prediction-prod-p4jn9xou8a8s-analysis"
    validate("pipeline", "Churn-prod") -> Verdict(compliant=False, rule=Rule.UPPERCASE, reason=...)
    parse("pipeline", "churn-prediction-prod") -> {"use_case": "churn-prediction", "env": "prod"}
"""

from .arns import arn_patterns
from .check import parse, validate
from .classify import Classification, classify, kinds_of
from .convention import (
    CONVENTION_ENV_VAR,
    DEFAULT_CONVENTION,
    NamingConvention,
    convention_from_dict,
    load_convention,
    resolve_convention,
)
from .errors import ConventionError, NameViolation, NamingError
from .generate import example, new
from .verdict import Rule, Verdict
from .vocabulary import KINDS, PARTS, RESOURCE_TYPES

__all__ = [
    "CONVENTION_ENV_VAR",
    "DEFAULT_CONVENTION",
    "KINDS",
    "PARTS",
    "RESOURCE_TYPES",
    "Classification",
    "ConventionError",
    "NameViolation",
    "NamingConvention",
    "NamingError",
    "Rule",
    "Verdict",
    "arn_patterns",
    "classify",
    "convention_from_dict",
    "example",
    "kinds_of",
    "load_convention",
    "new",
    "parse",
    "resolve_convention",
    "validate",
]
