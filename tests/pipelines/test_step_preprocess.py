"""The preprocess step: reproducible synthetic data, exact splits, CSV input from S3, clear errors."""

from __future__ import annotations

import boto3
import pandas as pd
import pytest
from moto import mock_aws
from step_fixtures import REGION, read_split

from pipelines.churn_prediction import preprocess
from pipelines.churn_prediction.preprocess import FEATURES, LABEL, SPLIT_NAMES, PreprocessError


def test_synthetic_data_is_reproducible_and_has_both_classes():
    first = preprocess.synthetic_churn(500, seed=7)
    assert list(first.columns) == [LABEL, *FEATURES]
    pd.testing.assert_frame_equal(first, preprocess.synthetic_churn(500, seed=7))
    assert not first.equals(preprocess.synthetic_churn(500, seed=8))
    assert 0.05 < first[LABEL].mean() < 0.95


def test_splits_partition_the_table_by_the_fractions():
    table = preprocess.synthetic_churn(1000, seed=1)
    splits = preprocess.split(table, seed=1)
    assert [len(splits[name]) for name in SPLIT_NAMES] == [700, 150, 150]
    rejoined = pd.concat(splits.values()).sort_values(list(table.columns)).reset_index(drop=True)
    pd.testing.assert_frame_equal(rejoined, table.sort_values(list(table.columns)).reset_index(drop=True))


def test_main_writes_label_first_headerless_csvs(tmp_path):
    assert preprocess.main(["--rows", "200", "--seed", "3", "--output-base", str(tmp_path)]) == 0
    expected = preprocess.split(preprocess.synthetic_churn(200, seed=3), seed=3)
    for name in SPLIT_NAMES:
        labels, features = read_split(tmp_path / name / f"{name}.csv")
        assert labels.tolist() == expected[name][LABEL].tolist()
        assert features.shape == (len(expected[name]), len(FEATURES))


def test_reads_a_csv_from_s3(tmp_path, aws_env):
    table = preprocess.synthetic_churn(120, seed=5)
    # Extra columns and another column order are fine: the step selects what it needs.
    source = table.assign(customer_id=range(len(table)))[["customer_id", *reversed(table.columns)]]
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_object(Bucket="artifacts", Key="input/churn.csv", Body=source.to_csv(index=False).encode())
        read = preprocess.read_table("s3://artifacts/input/churn.csv", s3_client=s3)
    pd.testing.assert_frame_equal(read.reset_index(drop=True), table)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({LABEL: [0, 1]}), "lacks column\\(s\\) tenure_months"),
        (pd.DataFrame({LABEL: [0, 2], **{f: [1, 2] for f in FEATURES}}), "must be 0 or 1"),
        (pd.DataFrame({LABEL: [0, 1], **{f: [1, None] for f in FEATURES}}), "empty values"),
    ],
)
def test_bad_input_tables_fail_with_what_to_fix(tmp_path, frame, message):
    path = tmp_path / "input.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(PreprocessError, match=message):
        preprocess.read_table(str(path))


def test_main_reports_bad_input_in_one_line(tmp_path, capsys):
    path = tmp_path / "input.csv"
    pd.DataFrame({"x": [1]}).to_csv(path, index=False)
    assert preprocess.main(["--input-uri", str(path), "--output-base", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("preprocess: ") and "lacks column(s) churned" in err


def test_too_few_rows_and_unknown_schemes_are_refused():
    with pytest.raises(PreprocessError, match="too few to split"):
        preprocess.split(preprocess.synthetic_churn(10, seed=0), seed=0)
    with pytest.raises(PreprocessError, match="s3:// URI or a local path"):
        preprocess.read_table("https://example.com/churn.csv")
