"""new(): the names of the table in docs/design.md §3, and a clear error naming the part for every bad input."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from mlmeta_contract.naming import KINDS, NamingError, example, new, parse

SAMPLES = Path("/work/shared/aws-event-samples")
EXEC = "p4jn9xou8a8s"

DESIGN_TABLE = [
    ("pipeline", {"env": "prod"}, "churn-prediction-prod"),
    ("pipeline-experiment", {"env": "prod"}, "churn-prediction-prod-pipeline"),
    ("environment-trial", {"env": "prod", "execution_id": EXEC}, f"churn-prediction-prod-{EXEC}"),
    ("analysis-trial", {"env": "prod", "execution_id": EXEC}, f"churn-prediction-prod-{EXEC}-analysis"),
    ("analysis-component", {"env": "prod", "execution_id": EXEC, "step": "evaluation"}, f"churn-prediction-prod-{EXEC}-analysis-evaluation"),
    ("eda-experiment", {"user": "ikazaki"}, "churn-prediction-eda-ikazaki"),
    ("eda-trial", {"user": "ikazaki", "date": "20261126", "topic": "feature-selection"}, "churn-prediction-eda-ikazaki-20261126-feature-selection"),
    ("eda-component", {"user": "ikazaki", "date": "20261126", "topic": "feature-selection", "run": "baseline"},
     "churn-prediction-eda-ikazaki-20261126-feature-selection-baseline"),
]


@pytest.mark.parametrize(("kind", "parts", "expected"), DESIGN_TABLE, ids=[k for k, _, _ in DESIGN_TABLE])
def test_new_builds_the_examples_of_the_design_table(kind, parts, expected):
    assert new(kind, use_case="churn-prediction", **parts) == expected
    assert example(kind) == expected  # error messages show the same examples


def test_the_table_covers_every_kind():
    assert [kind for kind, _, _ in DESIGN_TABLE] == list(KINDS)


def test_execution_id_of_aws_sample_events_is_accepted():
    for sample in ("pipeline_execution_status_change.json", "pipeline_execution_step_status_change.json"):
        event = json.loads((SAMPLES / sample).read_text())
        execution_id = event["detail"]["pipelineExecutionArn"].rsplit("/execution/", 1)[1]
        name = new("environment-trial", use_case="churn-prediction", env="dev", execution_id=execution_id)
        assert parse("environment-trial", name)["execution_id"] == execution_id


def test_date_accepts_a_date_object_and_defaults_to_today_in_utc():
    dated = new("eda-trial", use_case="churn", user="bob", topic="x", date=date(2026, 1, 2))
    before = datetime.now(UTC).strftime("%Y%m%d")
    undated = new("eda-trial", use_case="churn", user="bob", topic="x")
    after = datetime.now(UTC).strftime("%Y%m%d")

    assert dated == "churn-eda-bob-20260102-x"
    assert parse("eda-trial", undated)["date"] in {before, after}


BAD_PARTS = [
    # kind, parts, the part the error names, words the message must contain
    ("pipeline", {"use_case": "churn"}, "env", ["kind pipeline needs env", "{usecase}-{env}"]),
    ("pipeline", {"use_case": "churn", "env": "qa"}, "env", ["'qa'", "dev, stg, prod"]),
    ("pipeline", {"use_case": "Churn", "env": "dev"}, "use_case", ["'Churn'", "lowercase"]),
    ("pipeline", {"use_case": "churn_prediction", "env": "dev"}, "use_case", ["'churn_prediction'"]),
    ("pipeline", {"use_case": "churn--x", "env": "dev"}, "use_case", ["single hyphens"]),
    ("pipeline", {"use_case": "", "env": "dev"}, "use_case", ["''"]),
    ("pipeline", {"use_case": "churn", "env": "dev", "user": "bob"}, "user", ["kind pipeline takes no user"]),
    ("environment-trial", {"use_case": "churn", "env": "dev"}, "execution_id", ["needs execution_id"]),
    ("environment-trial", {"use_case": "churn", "env": "dev", "execution_id": "P4JN9XOU8A8S"}, "execution_id", ["12 lowercase"]),
    ("analysis-component", {"use_case": "churn", "env": "dev", "execution_id": EXEC}, "step", ["needs step"]),
    ("analysis-component", {"use_case": "churn", "env": "dev", "execution_id": EXEC, "step": "Eval"}, "step", ["'Eval'"]),
    ("eda-experiment", {"use_case": "churn"}, "user", ["needs user"]),
    ("eda-experiment", {"use_case": "churn", "user": "john-smith"}, "user", ["'john-smith'", "no hyphens"]),
    ("eda-trial", {"use_case": "churn", "user": "bob"}, "topic", ["needs topic"]),
    ("eda-trial", {"use_case": "churn", "user": "bob", "topic": "x", "date": "2026-11-26"}, "date", ["'2026-11-26'", "YYYYMMDD"]),
    ("eda-trial", {"use_case": "churn", "user": "bob", "topic": "x", "date": "20261301"}, "date", ["'20261301'"]),
]


@pytest.mark.parametrize(("kind", "parts", "part", "words"), BAD_PARTS, ids=[f"{k}:{p}:{i}" for i, (k, _, p, _) in enumerate(BAD_PARTS)])
def test_bad_parts_fail_with_an_error_naming_the_part(kind, parts, part, words):
    with pytest.raises(NamingError) as caught:
        new(kind, **parts)

    assert caught.value.part == part
    message = str(caught.value)
    assert not [w for w in words if w not in message], message
    assert "\n" not in message


def test_a_name_over_the_limit_is_refused():
    with pytest.raises(NamingError, match="too long: 124 characters, at most 120"):
        new("eda-trial", use_case="a" * 80, user="bob", date="20260101", topic="b" * 26)


def test_a_topic_that_would_change_the_parse_is_refused_rather_than_misread():
    # The topic repeats '-eda-<user>-<date>', so the name would read back with a longer use case.
    with pytest.raises(NamingError, match="would read back with use_case 'churn-eda-bob-20260101-x' instead of 'churn'") as caught:
        new("eda-trial", use_case="churn", user="bob", date="20260101", topic="x-eda-ann-20260102-y")
    assert caught.value.part == "use_case"
