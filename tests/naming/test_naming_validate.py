"""Table-driven checks of validate() and parse(): compliant names per kind with their parts, and one
row per way a name can break the convention, with the rule and the words the reason must contain."""

from __future__ import annotations

import pytest

from mlmeta_contract.naming import KINDS, NameViolation, Rule, parse, validate

EXEC = "p4jn9xou8a8s"  # the execution id of AWS's sample pipeline events

COMPLIANT = [
    ("pipeline", "churn-prediction-prod", {"use_case": "churn-prediction", "env": "prod"}),
    ("pipeline", "churn-dev", {"use_case": "churn", "env": "dev"}),
    ("pipeline", "a1-b2-c3-stg", {"use_case": "a1-b2-c3", "env": "stg"}),
    # Use cases may contain environment names and kind words: names parse from the right.
    ("pipeline", "prod-dev", {"use_case": "prod", "env": "dev"}),
    ("pipeline", "churn-pipeline-prod", {"use_case": "churn-pipeline", "env": "prod"}),
    ("pipeline-experiment", "churn-prediction-prod-pipeline", {"use_case": "churn-prediction", "env": "prod"}),
    ("pipeline-experiment", "eda-stg-pipeline", {"use_case": "eda", "env": "stg"}),
    ("pipeline-experiment", "dev-prod-dev-pipeline", {"use_case": "dev-prod", "env": "dev"}),
    ("environment-trial", f"churn-prediction-prod-{EXEC}", {"use_case": "churn-prediction", "env": "prod", "execution_id": EXEC}),
    ("environment-trial", "x-dev-000000000000", {"use_case": "x", "env": "dev", "execution_id": "000000000000"}),
    ("analysis-trial", f"churn-prediction-prod-{EXEC}-analysis", {"use_case": "churn-prediction", "env": "prod", "execution_id": EXEC}),
    ("analysis-trial", f"analysis-stg-{EXEC}-analysis", {"use_case": "analysis", "env": "stg", "execution_id": EXEC}),
    (
        "analysis-component",
        f"churn-prediction-prod-{EXEC}-analysis-evaluation",
        {"use_case": "churn-prediction", "env": "prod", "execution_id": EXEC, "step": "evaluation"},
    ),
    (
        "analysis-component",
        f"churn-dev-{EXEC}-analysis-train-model-2",
        {"use_case": "churn", "env": "dev", "execution_id": EXEC, "step": "train-model-2"},
    ),
    ("eda-experiment", "churn-prediction-eda-ikazaki", {"use_case": "churn-prediction", "user": "ikazaki"}),
    ("eda-experiment", "media-eda-eda-bob2", {"use_case": "media-eda", "user": "bob2"}),
    (
        "eda-trial",
        "churn-prediction-eda-ikazaki-20261126-feature-selection",
        {"use_case": "churn-prediction", "user": "ikazaki", "date": "20261126", "topic": "feature-selection"},
    ),
    ("eda-trial", "churn-eda-bob-20240229-leap", {"use_case": "churn", "user": "bob", "date": "20240229", "topic": "leap"}),
    (
        "eda-component",
        "churn-prediction-eda-ikazaki-20261126-feature-selection-run1",
        {"use_case": "churn-prediction", "user": "ikazaki", "date": "20261126", "topic": "feature-selection", "run": "run1"},
    ),
]

VIOLATIONS = [
    # kind, name, rule, words the reason must contain
    ("pipeline", "", Rule.EMPTY, ["empty"]),
    ("pipeline", "a" * 117 + "-dev", Rule.TOO_LONG, ["too long", "121 characters", "120"]),
    ("eda-trial", "x" * 500, Rule.TOO_LONG, ["too long", "500"]),
    ("pipeline", "Churn-prod", Rule.UPPERCASE, ["uppercase", "'C'", "position 1"]),
    ("analysis-component", f"churn-prod-{EXEC}-analysis-Evaluation", Rule.UPPERCASE, ["uppercase", "'E'"]),
    ("pipeline", "churn_prod", Rule.INVALID_CHARACTERS, ["invalid characters", "'_'", "position 6"]),
    ("pipeline", "churn prod", Rule.INVALID_CHARACTERS, ["invalid characters", "' '"]),
    ("pipeline", "churn.prod", Rule.INVALID_CHARACTERS, ["invalid characters", "'.'"]),
    ("pipeline", "chürn-prod", Rule.INVALID_CHARACTERS, ["invalid characters", "'ü'"]),
    ("pipeline", "-churn-prod", Rule.INVALID_CHARACTERS, ["invalid characters", "starts and ends"]),
    ("pipeline", "churn-prod-", Rule.INVALID_CHARACTERS, ["invalid characters", "starts and ends"]),
    ("pipeline", "churn--prod", Rule.INVALID_CHARACTERS, ["invalid characters", "'--'", "single hyphen"]),
    ("pipeline", "churn-qa", Rule.UNKNOWN_ENV, ["unknown env 'qa'", "dev, stg, prod"]),
    ("pipeline-experiment", "churn-production-pipeline", Rule.UNKNOWN_ENV, ["unknown env 'production'", "dev, stg, prod"]),
    ("environment-trial", f"churn-qa-{EXEC}", Rule.UNKNOWN_ENV, ["unknown env 'qa'"]),
    ("pipeline", "churn", Rule.WRONG_SHAPE, ["wrong shape for kind pipeline", "{usecase}-{env}", "e.g. churn-prediction-prod"]),
    ("pipeline-experiment", "churn-pipeline-prod", Rule.WRONG_SHAPE, ["kind pipeline-experiment", "{usecase}-{env}-pipeline"]),
    ("environment-trial", "churn-prod", Rule.WRONG_SHAPE, ["kind environment-trial", "{usecase}-{env}-{execution_id}"]),
    ("analysis-trial", f"churn-prod-{EXEC}-analysis-evaluation", Rule.WRONG_SHAPE, ["{usecase}-{env}-{execution_id}-analysis"]),
    ("analysis-component", f"churn-prod-{EXEC}-analysis", Rule.WRONG_SHAPE, ["-analysis-{step}"]),
    ("eda-experiment", "churn-eda-john-smith", Rule.WRONG_SHAPE, ["{usecase}-eda-{user}", "churn-prediction-eda-ikazaki"]),
    ("eda-trial", "churn-eda-bob-20261126", Rule.WRONG_SHAPE, ["{usecase}-eda-{user}-{yyyymmdd}-{topic}"]),
    ("pipeline-experiment", "churn-prod", Rule.MISSING_KIND_WORD, ["missing kind word 'pipeline'", "{usecase}-{env}-pipeline"]),
    ("pipeline-experiment", "churn-prod-experiment", Rule.MISSING_KIND_WORD, ["'pipeline'"]),
    ("analysis-trial", f"churn-prod-{EXEC}", Rule.MISSING_KIND_WORD, ["missing kind word 'analysis'"]),
    ("analysis-component", f"churn-prod-{EXEC}-analyses-evaluation", Rule.MISSING_KIND_WORD, ["'analysis'"]),
    ("eda-experiment", "churn-prediction-ikazaki", Rule.MISSING_KIND_WORD, ["missing kind word 'eda'"]),
    ("eda-trial", "churn-explore-bob-20261126-x", Rule.MISSING_KIND_WORD, ["'eda'"]),
    ("environment-trial", "churn-prod-p4jn9xou8a8", Rule.BAD_EXECUTION_ID, ["bad execution id 'p4jn9xou8a8'", "12 lowercase"]),
    ("analysis-trial", "churn-prod-p4jn9xou8a8sx-analysis", Rule.BAD_EXECUTION_ID, ["'p4jn9xou8a8sx'"]),
    ("eda-trial", "churn-eda-bob-20261301-x", Rule.BAD_DATE, ["bad date '20261301'", "YYYYMMDD"]),
    ("eda-trial", "churn-eda-bob-20230229-x", Rule.BAD_DATE, ["bad date '20230229'"]),
    ("eda-trial", "churn-eda-bob-2026-11-26-x", Rule.BAD_DATE, ["bad date '2026'"]),
    ("eda-trial", "churn-eda-bob-feature-selection", Rule.BAD_DATE, ["bad date 'feature'"]),
]


@pytest.mark.parametrize(("kind", "name", "parts"), COMPLIANT, ids=[f"{k}:{n}" for k, n, _ in COMPLIANT])
def test_compliant_names_parse_into_their_parts(kind, name, parts):
    verdict = validate(kind, name)

    assert (verdict.compliant, verdict.rule, verdict.verdict) == (True, Rule.COMPLIANT, "compliant")
    assert dict(verdict.parts) == parts
    assert parse(kind, name) == parts


@pytest.mark.parametrize(("kind", "name", "rule", "words"), VIOLATIONS, ids=[f"{r}:{n[:40]}" for _, n, r, _ in VIOLATIONS])
def test_violations_name_their_rule_and_reason(kind, name, rule, words):
    verdict = validate(kind, name)

    assert (verdict.compliant, verdict.rule, verdict.verdict, verdict.kind) == (False, rule, "violation", kind)
    assert verdict.parts == {}
    missing = [word for word in words if word not in verdict.reason]
    assert not missing, f"reason {verdict.reason!r} lacks {missing}"
    assert "\n" not in verdict.reason


def test_every_kind_and_rule_is_covered_by_the_tables():
    assert {kind for kind, _, _ in COMPLIANT} == set(KINDS)
    assert {rule for _, _, rule, _ in VIOLATIONS} == set(Rule) - {Rule.COMPLIANT}


def test_a_name_of_one_kind_is_not_compliant_as_another():
    name = f"churn-prediction-prod-{EXEC}-analysis"
    assert validate("analysis-trial", name).compliant
    assert not validate("environment-trial", name).compliant
    assert not validate("analysis-component", name).compliant


def test_parse_raises_with_the_verdict_on_a_violation():
    with pytest.raises(NameViolation) as caught:
        parse("pipeline", "churn-qa")

    assert caught.value.verdict.rule == Rule.UNKNOWN_ENV
    assert str(caught.value).startswith("'churn-qa' is not a compliant pipeline name: unknown env 'qa'")


def test_an_unknown_kind_is_a_programming_error_naming_the_kinds():
    with pytest.raises(ValueError, match="unknown kind 'training'; kinds: pipeline, pipeline-experiment"):
        validate("training", "churn-prod")


def test_verdict_serialises_for_audit_records():
    assert validate("pipeline", "churn-qa").to_dict() == {
        "name": "churn-qa",
        "kind": "pipeline",
        "verdict": "violation",
        "compliant": False,
        "rule": "unknown-env",
        "reason": "unknown env 'qa': known environments are dev, stg, prod (shape {usecase}-{env})",
        "parts": {},
    }
