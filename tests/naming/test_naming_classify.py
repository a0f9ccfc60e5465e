"""classify(): the best-matching kind of a name, explicit about names that read as more than one kind."""

from __future__ import annotations

import pytest

from mlmeta_contract.naming import KINDS, RESOURCE_TYPES, classify, example, kinds_of

EXEC = "p4jn9xou8a8s"


@pytest.mark.parametrize("kind", KINDS)
def test_each_kinds_example_classifies_as_that_kind_among_its_resource_types_kinds(kind):
    # The naming guard always knows the resource type (the CloudTrail event names the Create* call).
    result = classify(example(kind), RESOURCE_TYPES[kind])
    assert (result.kind, result.ambiguous, result.compliant) == (kind, False, True)


def test_an_eda_trials_name_alone_also_reads_as_a_run_of_a_shorter_topic():
    result = classify(example("eda-trial"))
    assert result.ambiguous
    assert [v.kind for v in result.candidates] == ["eda-trial", "eda-component"]


def test_a_pipeline_name_is_a_pipeline_not_a_use_case():
    result = classify("churn-prediction-prod")
    assert result.kind == "pipeline"
    assert dict(result.candidates[0].parts) == {"use_case": "churn-prediction", "env": "prod"}


def test_a_bare_use_case_is_no_kind_and_says_why_for_each_kind():
    result = classify("churn-prediction")
    assert (result.kind, result.compliant, result.ambiguous) == (None, False, False)
    assert result.reason.startswith("matches no kind: pipeline: unknown env 'prediction'")
    assert all(f"{kind}: " in result.reason for kind in KINDS)


def test_equally_specific_readings_are_reported_as_ambiguous():
    # The pipeline of use case churn-eda in prod, or the EDA experiment of a user called prod.
    result = classify("churn-eda-prod")
    assert (result.kind, result.ambiguous, result.compliant) == (None, True, True)
    assert [v.kind for v in result.candidates] == ["pipeline", "eda-experiment"]
    assert result.reason == "ambiguous: reads equally well as pipeline (use_case=churn-eda, env=prod); eda-experiment (use_case=churn, user=prod)"


def test_the_resource_type_settles_what_the_name_alone_cannot():
    assert classify("churn-eda-prod", "experiment").kind == "eda-experiment"
    assert classify("churn-eda-prod", "pipeline").kind == "pipeline"


def test_a_more_specific_reading_wins_and_the_other_is_listed():
    # The analysis component of step 'stg' (3 fixed tokens), or the pipeline of use case 'x-dev-<id>-analysis' in stg (1).
    result = classify(f"x-dev-{EXEC}-analysis-stg")
    assert (result.kind, result.ambiguous) == ("analysis-component", False)
    assert [v.kind for v in result.candidates] == ["analysis-component", "pipeline"]
    assert result.reason.endswith("(less specific readings: pipeline)")


def test_readings_of_different_resource_types_with_equal_specificity_tie():
    nested = f"a-dev-{EXEC}-analysis-dev-{EXEC}-analysis"
    assert classify(nested).ambiguous  # also an analysis component whose step is 'dev-<id>-analysis'
    assert classify(nested, "experiment-trial").kind == "analysis-trial"
    assert classify(nested, "experiment-trial-component").kind == "analysis-component"


def test_kinds_of_a_resource_type():
    assert kinds_of("experiment") == ("pipeline-experiment", "eda-experiment")
    assert kinds_of("experiment-trial") == ("environment-trial", "analysis-trial", "eda-trial")
    assert kinds_of("experiment-trial-component") == ("analysis-component", "eda-component")
    with pytest.raises(ValueError, match="unknown resource type 'model'; known: pipeline, experiment, experiment-trial"):
        classify("churn-prod", "model")
