"""Synth-time enforcement of the naming convention: the first of its three layers (docs/design.md §3).

Every name a stack gives a SageMaker entity goes through ``require_compliant`` (or ``compliant_name``,
which builds it with ``mlmeta_contract.naming.new`` first), so a bad name in the config fails ``cdk synth``
with one line that names the name, its kind, the rule it breaks, why, and where it came from.
"""

from __future__ import annotations

from mlmeta_contract.naming import NamingConvention, NamingError, Rule, new, validate
from mlmeta_contract.naming.vocabulary import FIELDS_BY_PART


class NonCompliantName(ValueError):
    """A name the convention rejects; fails the synth."""

    def __init__(self, *, kind: str, name: str, rule: str, reason: str, source: str = "") -> None:
        where = f"{source}: " if source else ""
        super().__init__(f"naming convention: {where}{name!r} is not a compliant {kind} name [{rule}]: {reason}")
        self.kind = kind
        self.name = name
        self.rule = rule
        self.reason = reason
        self.source = source


def require_compliant(
    kind: str, name: str, *, convention: NamingConvention, source: str = ""
) -> str:
    """``name`` if it is a compliant ``kind`` name; otherwise raise NonCompliantName.

    ``source`` says where the name came from (``environment dev, use case 'churn'``), for the message.
    """
    verdict = validate(kind, name, convention)
    if not verdict.compliant:
        raise NonCompliantName(kind=kind, name=name, rule=str(verdict.rule), reason=verdict.reason, source=source)
    return name


def compliant_name(
    kind: str, *, convention: NamingConvention, source: str = "", **parts: str
) -> str:
    """The ``kind`` name built from ``parts`` (as ``new()`` takes them), checked by require_compliant.

    When a part is invalid (``user='Alice Smith'``), the error still shows the name it would have made,
    with the rule that name breaks and the reason naming the part to fix.
    """
    try:
        name = new(kind, convention=convention, **parts)
    except NamingError as err:
        would_be = _render(kind, parts, convention)
        verdict = validate(kind, would_be, convention)
        # A bad part can still render to a name that looks compliant but reads back differently.
        rule = Rule.WRONG_SHAPE if verdict.compliant else verdict.rule
        raise NonCompliantName(kind=kind, name=would_be, rule=str(rule), reason=str(err), source=source) from None
    return require_compliant(kind, name, convention=convention, source=source)


def _render(kind: str, parts: dict[str, str], convention: NamingConvention) -> str:
    """The kind's pattern filled with ``parts`` as given, unchecked; missing parts stay placeholders."""
    compiled = convention.compiled(kind)
    by_placeholder = {FIELDS_BY_PART[part].placeholder: str(value) for part, value in parts.items() if part in FIELDS_BY_PART}
    return compiled.render({p: by_placeholder.get(p, f"{{{p}}}") for p in compiled.placeholders})
