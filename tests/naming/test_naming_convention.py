"""The convention as configuration: a custom one from JSON works end to end; a broken one fails with
one line that names what to fix."""

from __future__ import annotations

import json

import pytest

from naming_fixtures import CUSTOM_CONVENTION, CUSTOM_CONVENTION_DOC
from mlmeta.config import ENVIRONMENTS
from mlmeta_contract.naming import (
    CONVENTION_ENV_VAR,
    DEFAULT_CONVENTION,
    KINDS,
    ConventionError,
    NamingConvention,
    Rule,
    arn_patterns,
    classify,
    convention_from_dict,
    load_convention,
    new,
    parse,
    resolve_convention,
    validate,
)

EXEC = "p4jn9xou8a8s"


def test_default_environments_are_the_configured_deployment_environments():
    assert DEFAULT_CONVENTION.environments == tuple(ENVIRONMENTS)


def test_default_patterns_are_the_design_table():
    assert {kind: DEFAULT_CONVENTION.pattern(kind) for kind in KINDS} == {
        "pipeline": "{usecase}-{env}",
        "pipeline-experiment": "{usecase}-{env}-pipeline",
        "environment-trial": "{usecase}-{env}-{execution_id}",
        "analysis-trial": "{usecase}-{env}-{execution_id}-analysis",
        "analysis-component": "{usecase}-{env}-{execution_id}-analysis-{step}",
        "eda-experiment": "{usecase}-eda-{user}",
        "eda-trial": "{usecase}-eda-{user}-{yyyymmdd}-{topic}",
        "eda-component": "{usecase}-eda-{user}-{yyyymmdd}-{topic}-{run}",
    }


def test_a_convention_file_written_before_eda_components_gets_them_from_its_eda_trial_pattern():
    convention = convention_from_dict({"patterns": {"eda-trial": "{usecase}-{eda}-{user}-{topic}-{yyyymmdd}"}})
    assert convention.pattern("eda-component") == "{usecase}-eda-{user}-{topic}-{yyyymmdd}-{run}"


def test_custom_convention_from_a_json_file_works_end_to_end(custom_convention_file):
    convention = load_convention(custom_convention_file)
    assert convention == CUSTOM_CONVENTION

    experiment = new("pipeline-experiment", use_case="churn", env="live", convention=convention)
    component = new("analysis-component", use_case="churn", env="live", execution_id=EXEC, step="evaluation", convention=convention)
    trial = new("eda-trial", use_case="churn", user="bob", topic="lift", date="20260102", convention=convention)

    assert (experiment, component, trial) == ("churn-live-pl", f"churn-live-{EXEC}-eval-evaluation", "churn-explore-bob-lift-20260102")
    assert parse("eda-trial", trial, convention) == {"use_case": "churn", "user": "bob", "topic": "lift", "date": "20260102"}
    assert classify(component, convention=convention).kind == "analysis-component"
    assert arn_patterns("pipeline-experiment", "churn", "live", convention=convention) == (
        "arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:experiment/churn-live-pl",
    )


@pytest.mark.parametrize(
    ("kind", "name", "rule", "reason_part"),
    [
        ("pipeline", "churn-prod", Rule.UNKNOWN_ENV, "known environments are sandbox, preprod, live"),
        ("pipeline-experiment", "churn-live-pipeline", Rule.MISSING_KIND_WORD, "missing kind word 'pl'"),
        ("eda-trial", "churn-eda-bob-20260102-lift", Rule.MISSING_KIND_WORD, "'explore'"),
        ("eda-trial", "churn-explore-bob-20260102-lift", Rule.BAD_DATE, "bad date 'lift'"),
        ("pipeline", "a" * 60 + "-live", Rule.TOO_LONG, "65 characters, at most 63"),
    ],
)
def test_custom_convention_judges_by_its_own_words(kind, name, rule, reason_part):
    verdict = validate(kind, name, CUSTOM_CONVENTION)
    assert verdict.rule == rule
    assert reason_part in verdict.reason


def test_to_dict_round_trips_and_is_what_the_cli_prints():
    assert convention_from_dict(CUSTOM_CONVENTION.to_dict()) == CUSTOM_CONVENTION
    assert convention_from_dict({}) == DEFAULT_CONVENTION
    assert CUSTOM_CONVENTION != DEFAULT_CONVENTION


def test_resolve_prefers_the_explicit_file_then_the_environment_variable(custom_convention_file):
    assert resolve_convention(environ={}) is DEFAULT_CONVENTION
    assert resolve_convention(environ={CONVENTION_ENV_VAR: str(custom_convention_file)}) == CUSTOM_CONVENTION
    assert resolve_convention(environ={CONVENTION_ENV_VAR: json.dumps(CUSTOM_CONVENTION_DOC)}) == CUSTOM_CONVENTION
    assert resolve_convention(custom_convention_file, environ={CONVENTION_ENV_VAR: '{"max_length": 5}'}) == CUSTOM_CONVENTION


def test_lowercase_off_allows_uppercase_except_where_sagemaker_metrics_forbids_it():
    convention = NamingConvention(lowercase=False)

    assert parse("pipeline", "ChurnPrediction-prod", convention) == {"use_case": "ChurnPrediction", "env": "prod"}
    assert validate("analysis-component", f"Churn-prod-{EXEC}-analysis-eval", convention).rule == Rule.UPPERCASE
    assert validate("pipeline", "Churn-PROD", convention).rule == Rule.UNKNOWN_ENV


INVALID = [
    # document, words the one-line message must contain
    ([], ["expected a JSON object, got list"]),
    ({"colour": "blue"}, ["unknown key(s) colour", "allowed: description, environments"]),
    ({"environments": "dev"}, ["environments must be a JSON array"]),
    ({"environments": []}, ["at least one environment"]),
    ({"environments": ["dev", "Prod"]}, ["environment 'Prod' must be lowercase"]),
    ({"environments": ["dev", "dev"]}, ["environment 'dev' is listed more than once"]),
    ({"words": {"pipeline": "dev"}}, ["'pipeline' is 'dev', which is also an environment name"]),
    ({"words": {"pipeline": "eda"}}, ["'eda' is used for more than one kind word"]),
    ({"words": {"pipeline": "Pipe_line"}}, ["'pipeline' is 'Pipe_line'"]),
    ({"words": {"usecase": "x"}}, ["key 'usecase' must be a lowercase identifier other than the fields"]),
    ({"patterns": {"training": "{usecase}-{env}-train"}}, ["unknown kind 'training'"]),
    ({"patterns": {"pipeline": "{usecase}"}}, ["pipeline: pattern must contain {env}"]),
    ({"patterns": {"pipeline": "{usecase}_{env}"}}, ["'{usecase}_{env}' is neither a {placeholder} nor a lowercase word"]),
    ({"patterns": {"pipeline": "{usecase}-{env}-{team}"}}, ["unknown placeholder {team}", "kind words: {pipeline}"]),
    ({"patterns": {"pipeline": "{usecase}-{env}-{env}"}}, ["{env} appears more than once"]),
    ({"patterns": {"pipeline": 7}}, ["pipeline must be a string"]),
    (
        {"patterns": {"eda-trial": "{usecase}-{eda}-{user}-{yyyymmdd}-{topic}-{step}"}},
        ["{topic} and {step} both take hyphenated words"],
    ),
    (
        {"patterns": {"analysis-component": "{usecase}-{env}-{execution_id}-{step}"}},
        ["analysis-component must start with the analysis-trial pattern"],
    ),
    ({"patterns": {"environment-trial": "{usecase}-{env}-{execution_id}-{analysis}"}}, ["environment-trial and analysis-trial have the same pattern"]),
    ({"max_length": 200}, ["max_length must be a whole number from 1 to 120"]),
    ({"max_length": True}, ["max_length must be a whole number"]),
    ({"lowercase": "yes"}, ["lowercase must be true or false"]),
]


@pytest.mark.parametrize(("document", "words"), INVALID, ids=[str(d)[:60] for d, _ in INVALID])
def test_an_invalid_convention_fails_with_one_clear_line(document, words):
    with pytest.raises(ConventionError) as caught:
        convention_from_dict(document, "org.json")

    message = str(caught.value)
    assert message.startswith("invalid naming convention in org.json: ")
    assert not [w for w in words if w not in message], message
    assert "\n" not in message


def test_every_problem_is_reported_at_once():
    with pytest.raises(ConventionError) as caught:
        NamingConvention(environments=("Dev",), max_length=0)
    assert "environment 'Dev'" in str(caught.value) and "max_length" in str(caught.value)


def test_unreadable_or_malformed_files_name_the_file(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"environments": ["dev",]}')

    with pytest.raises(ConventionError, match=r"invalid naming convention in .*broken.json: not valid JSON: .*line 1"):
        load_convention(broken)
    with pytest.raises(ConventionError, match=r"cannot read naming convention .*missing.json: No such file"):
        load_convention(tmp_path / "missing.json")
    with pytest.raises(ConventionError, match=rf"in \${CONVENTION_ENV_VAR}: max_length"):
        resolve_convention(environ={CONVENTION_ENV_VAR: '{"max_length": 0}'})
