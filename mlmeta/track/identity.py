"""Who is tracking: the ``{user}`` of the EDA names, read from the caller's AWS identity (STS
GetCallerIdentity) when the notebook does not pass ``user=``.

The identity's last name segment is the person: the role session name of an assumed role (SSO and
console sessions put the user's name or e-mail there), the IAM user name, the federated user name. It
is normalised to the convention's user rule (one word of lowercase letters and digits): the e-mail's
domain is dropped, letters lowered, separators (``. _ - + = , @``) removed. An identity that names no
person is refused with the rule, so the caller passes ``user=``.
"""

from __future__ import annotations

import re

from mlmeta_contract.naming.vocabulary import FIELDS_BY_PART
from mlmeta.track.errors import NameRefused

# What the session name is when no person is in it: SageMaker Studio and notebook instances call their
# execution role with the session "SageMaker"; botocore names sessions it assumes itself.
_IMPERSONAL_SESSIONS = re.compile(r"sagemaker|botocore-session-\d+|aws-sdk-\w+-\d+", re.IGNORECASE)
_SEPARATORS = re.compile(r"[._\-+=,@]")
_USER_WORD = re.compile(r"[a-z0-9]+")
USER_RULE = FIELDS_BY_PART["user"].meaning


def user_from_arn(arn: str) -> str:
    """The convention's ``{user}`` for the identity ``arn`` (GetCallerIdentity's Arn), or NameRefused."""
    resource = arn.split(":", 5)[-1] if arn.count(":") >= 5 else ""
    kind, _, rest = resource.partition("/")
    if kind == "assumed-role" and "/" in rest:
        raw = rest.rsplit("/", 1)[-1]
    elif kind in ("user", "federated-user") and rest:
        raw = rest.rsplit("/", 1)[-1]
    else:
        raise _refused(arn, f"{arn!r} names no person (only an assumed-role session or a user does)")
    if _IMPERSONAL_SESSIONS.fullmatch(raw):
        raise _refused(arn, f"session name {raw!r} is a tool's, not a person's")
    user = normalised_user(raw)
    if user is None:
        raise _refused(arn, f"{raw!r} leaves no letters or digits once normalised")
    return user


def normalised_user(raw: str) -> str | None:
    """``raw`` (a session or user name) as the convention's user word; None if nothing is left."""
    local = raw.split("@", 1)[0].lower()
    word = _SEPARATORS.sub("", local)
    return word if _USER_WORD.fullmatch(word) else None


def _refused(arn: str, why: str) -> NameRefused:
    return NameRefused(
        f"cannot name the EDA run after the caller {arn}: {why}; pass user='<you>' ({USER_RULE}); nothing was created",
        "user",
        "no-user",
    )
