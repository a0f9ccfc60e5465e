"""The ``mlmeta`` parser itself: --version, the error prefix, every command's --help description, and
negative numbers as option values."""

from __future__ import annotations

import importlib.metadata
import json

import pytest

from cli_runner import run_cli

from mlmeta.cli import build_parser
from mlmeta_contract.lake.layout import object_key
from mlmeta_contract.lake.records import encode_records
from mlmeta_contract.lake.schema import METRIC_SNAPSHOTS


def test_version_prints_the_installed_version(capsys):
    code, out, err = run_cli(capsys, "--version")

    assert (code, out, err) == (0, f"mlmeta {importlib.metadata.version('mlmeta')}\n", "")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["bogus"], "mlmeta: error: argument command: invalid choice: 'bogus'"),
        ([], "mlmeta: error: the following arguments are required: command"),
        (["names", "bogus"], "mlmeta names: error: argument {check,new,classify,convention}: invalid choice: 'bogus'"),
    ],
)
def test_errors_start_with_the_command_and_no_stray_space(capsys, argv, expected):
    code, out, err = run_cli(capsys, *argv)

    assert (code, out) == (2, "")
    assert err.startswith(expected) and err.count("\n") == 1, err


def test_every_command_has_a_description_in_its_help():
    commands = build_parser()._subparsers._group_actions[0].choices
    missing = [name for name, parser in commands.items() if not parser.description]

    assert missing == []
    assert "named quer" in commands["queries"].description
    assert "Parquet" in commands["compact"].description or "compact" in commands["compact"].description.lower()


THRESHOLD_QUERY = """\
-- Query: values_above
-- Description: How many metric values are above a threshold.
-- Param 1: threshold double - the threshold
SELECT count(*) AS above FROM metric_snapshots WHERE metric_value > ?
"""


@pytest.fixture
def threshold_lake(tmp_path, monkeypatch):
    queries = tmp_path / "queries"
    queries.mkdir()
    (queries / "values_above.sql").write_text(THRESHOLD_QUERY)
    monkeypatch.setenv("MLMETA_QUERIES_DIR", str(queries))
    lake = tmp_path / "lake"
    rows = []
    for value in (-2.5, 0.5):
        row = dict.fromkeys(METRIC_SNAPSHOTS.column_names)
        row.update(pipeline_name="churn-prediction-dev", metric_name="auc", metric_value=value)
        rows.append(row)
    path = lake / object_key(METRIC_SNAPSHOTS, "2026-01-05", "exec0000aaaa")
    path.parent.mkdir(parents=True)
    path.write_bytes(encode_records(rows))
    return lake


@pytest.mark.parametrize(
    ("value", "above"),
    [("-1.7976931348623157e308", 2), ("-1e-3", 1), ("-3", 2), ("-2.75", 2), ("-.5", 1), ("-1E+00", 1), ("-0.25e1", 1)],
)
def test_a_negative_number_in_any_notation_is_a_parameter_value(threshold_lake, capsys, value, above):
    code, out, err = run_cli(capsys, "query", "values_above", "--param", value, "--lake", str(threshold_lake), "--format", "json")

    assert (code, err) == (0, "")
    assert json.loads(out) == {"above": above}


def test_negative_infinity_reaches_the_type_check(threshold_lake, capsys):
    code, out, err = run_cli(capsys, "query", "values_above", "--param", "-inf", "--lake", str(threshold_lake))

    assert (code, out) == (2, "")
    assert "parameter 'threshold' must be a double, got '-inf'" in err


def test_a_dash_word_is_still_an_unknown_option(threshold_lake, capsys):
    code, _, err = run_cli(capsys, "query", "values_above", "--param", "-x", "--lake", str(threshold_lake))

    assert code == 2
    assert "argument --param: expected one argument" in err
