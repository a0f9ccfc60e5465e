"""An organisation's custom convention, written as the JSON an organisation would keep (shared by the tests)."""

from __future__ import annotations

from mlmeta_contract.naming import convention_from_dict

# Another organisation: different environments, kind words, a shorter limit and the date last in EDA trials.
CUSTOM_CONVENTION_DOC = {
    "description": "Example Corp naming",
    "environments": ["sandbox", "preprod", "live"],
    "words": {"pipeline": "pl", "analysis": "eval", "eda": "explore"},
    "patterns": {
        "eda-trial": "{usecase}-{eda}-{user}-{topic}-{yyyymmdd}",
    },
    "max_length": 63,
}
CUSTOM_CONVENTION = convention_from_dict(CUSTOM_CONVENTION_DOC)
