"""``mlmeta names``, in process through mlmeta.cli.main: exit codes, stdout and one-line stderr."""

from __future__ import annotations

import json

import pytest

from mlmeta.cli import main
from mlmeta_contract.naming import CONVENTION_ENV_VAR

EXEC = "p4jn9xou8a8s"


@pytest.fixture(autouse=True)
def no_convention_from_the_environment(monkeypatch):
    monkeypatch.delenv(CONVENTION_ENV_VAR, raising=False)


def run(capsys, *argv):
    code = main(["names", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_expecting_usage_error(capsys, *argv):
    with pytest.raises(SystemExit) as caught:
        main(["names", *argv])
    out, err = capsys.readouterr()
    return caught.value.code, out, err


def test_check_of_a_compliant_name_prints_its_parts(capsys):
    code, out, err = run(capsys, "check", "analysis-trial", f"churn-prediction-prod-{EXEC}-analysis")

    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"compliant analysis-trial: churn-prediction-prod-{EXEC}-analysis",
        "  use_case      churn-prediction",
        "  env           prod",
        f"  execution_id  {EXEC}",
    ]


def test_check_of_a_violation_exits_1_with_name_kind_rule_and_reason_on_one_line(capsys):
    code, out, err = run(capsys, "check", "pipeline-experiment", "churn-prod")

    assert (code, out) == (1, "")
    assert err == (
        "mlmeta names check: 'churn-prod' is not a compliant pipeline-experiment name [missing-kind-word]: "
        "missing kind word 'pipeline': kind pipeline-experiment has the shape {usecase}-{env}-pipeline\n"
    )


@pytest.mark.parametrize(("name", "code", "verdict", "rule"), [("churn-eda-bob", 0, "compliant", "compliant"), ("churn-eda-Bob", 1, "violation", "uppercase")])
def test_check_json_prints_the_verdict(capsys, name, code, verdict, rule):
    exit_code, out, _ = run(capsys, "check", "eda-experiment", name, "--format", "json")
    document = json.loads(out)

    assert exit_code == code
    assert (document["name"], document["kind"], document["verdict"], document["rule"]) == (name, "eda-experiment", verdict, rule)
    assert document["parts"] == ({"use_case": "churn", "user": "bob"} if code == 0 else {})


def test_an_unknown_kind_is_a_one_line_usage_error(capsys):
    code, out, err = run_expecting_usage_error(capsys, "check", "training-job", "churn-prod")

    assert (code, out) == (2, "")
    assert err.startswith("mlmeta names check: error: argument KIND: invalid choice: 'training-job' (choose from 'pipeline'")
    assert err.count("\n") == 1


def test_new_prints_the_name(capsys):
    code, out, err = run(
        capsys, "new", "eda-trial", "--use-case", "churn-prediction", "--user", "ikazaki", "--topic", "feature-selection", "--date", "20261126"
    )
    assert (code, out, err) == (0, "churn-prediction-eda-ikazaki-20261126-feature-selection\n", "")

    code, out, _ = run(capsys, "new", "analysis-component", "--use-case", "churn", "--env", "dev", "--execution-id", EXEC, "--step", "evaluation")
    assert (code, out) == (0, f"churn-dev-{EXEC}-analysis-evaluation\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["new", "eda-trial", "--use-case", "churn", "--user", "bob"], "argument --topic: kind eda-trial needs topic"),
        (["new", "pipeline", "--use-case", "churn", "--env", "qa"], "argument --env: env 'qa' is not a known environment (dev, stg, prod)"),
        (["new", "eda-trial", "--use-case", "churn", "--user", "bob", "--topic", "x", "--date", "2026-11-26"], "argument --date: date '2026-11-26'"),
        (["new", "pipeline", "--use-case", "churn", "--env", "dev", "--step", "x"], "argument --step: kind pipeline takes no step"),
        (["new", "environment-trial", "--use-case", "churn", "--env", "dev", "--execution-id", "x"], "argument --execution-id: execution_id 'x'"),
    ],
)
def test_new_with_a_missing_or_invalid_argument_names_it_on_one_line(capsys, argv, message):
    code, out, err = run(capsys, *argv)

    assert (code, out) == (2, "")
    assert err.startswith(f"mlmeta names: error: {message}")
    assert err.count("\n") == 1


def test_new_without_use_case_is_a_usage_error(capsys):
    code, _, err = run_expecting_usage_error(capsys, "new", "pipeline", "--env", "dev")
    assert (code, err) == (2, "mlmeta names new: error: the following arguments are required: --use-case\n")


def test_the_convention_comes_from_the_file_or_the_environment_variable(capsys, custom_convention_file, monkeypatch):
    assert run(capsys, "new", "pipeline-experiment", "--use-case", "churn", "--env", "live", "--convention", str(custom_convention_file))[:2] == (0, "churn-live-pl\n")
    assert run(capsys, "check", "pipeline", "churn-live")[0] == 1  # the default knows no 'live'

    monkeypatch.setenv(CONVENTION_ENV_VAR, str(custom_convention_file))
    assert run(capsys, "check", "pipeline", "churn-live")[0] == 0
    code, out, _ = run(capsys, "convention")
    assert (code, json.loads(out)["environments"]) == (0, ["sandbox", "preprod", "live"])


def test_an_invalid_convention_file_is_one_line_exit_2(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"environments": ["Prod"]}')

    code, out, err = run(capsys, "check", "pipeline", "churn-prod", "--convention", str(bad))

    assert (code, out) == (2, "")
    assert err == f"mlmeta names: error: invalid naming convention in {bad}: environment 'Prod' must be lowercase letters and digits in words separated by single hyphens\n"


def test_a_convention_file_that_is_not_utf8_is_one_line_exit_2(capsys, tmp_path, monkeypatch):
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes('{"environments": ["développement"]}'.encode("latin-1"))
    monkeypatch.setenv(CONVENTION_ENV_VAR, str(latin1))

    code, out, err = run(capsys, "check", "pipeline", "churn-prod")

    assert (code, out) == (2, "")
    assert err == (
        f"mlmeta names: error: cannot read naming convention {latin1}: not UTF-8 text "
        "(invalid continuation byte at byte 20); save it as UTF-8 JSON\n"
    )


def test_classify_names_the_kind_or_the_ambiguity(capsys):
    assert run(capsys, "classify", "churn-prediction-eda-ikazaki")[:2] == (0, "eda-experiment: churn-prediction-eda-ikazaki\n  use_case  churn-prediction\n  user      ikazaki\n")
    code, out, _ = run(capsys, "classify", "churn-eda-prod")
    assert (code, out.startswith("ambiguous: reads equally well as pipeline")) == (0, True)
    code, out, _ = run(capsys, "classify", "churn-eda-prod", "--resource-type", "experiment", "--format", "json")
    assert (code, json.loads(out)["kind"]) == (0, "eda-experiment")
    code, out, _ = run(capsys, "classify", "churn")
    assert (code, out.startswith("matches no kind: pipeline: wrong shape")) == (1, True)
