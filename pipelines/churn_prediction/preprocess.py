"""Preprocess step: build the churn table and split it into train, validation and test sets.

The table is either generated (``--input-uri synthetic``: a seeded, reproducible sample for demos and
tests) or read from a CSV in S3 with a header that has the label and feature columns below. Each split
is written as the built-in XGBoost algorithm reads CSV: label in the first column, no header.

Runs in SageMaker's scikit-learn processing image (numpy, pandas, boto3).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlparse

import numpy as np
import pandas as pd

LABEL = "churned"
FEATURES = ("tenure_months", "monthly_charges", "support_calls", "month_to_month_contract", "autopay")
SYNTHETIC = "synthetic"
# train / validation / test, in that order; the test set is what the evaluation step scores.
SPLIT_NAMES = ("train", "validation", "test")
DEFAULT_FRACTIONS = (0.7, 0.15, 0.15)
OUTPUT_BASE = "/opt/ml/processing/output"
# Fewer rows than this cannot give every split both classes with any reliability.
MIN_ROWS = 50


class PreprocessError(ValueError):
    """Bad input data or arguments; the message says what to fix, in one line."""


def synthetic_churn(rows: int, seed: int) -> pd.DataFrame:
    """Customers whose churn probability follows a known logistic model of their features."""
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 73, size=rows)
    charges = rng.normal(70.0, 25.0, size=rows).clip(15.0, 150.0).round(2)
    calls = rng.poisson(1.5, size=rows)
    month_to_month = rng.binomial(1, 0.55, size=rows)
    autopay = rng.binomial(1, 0.45, size=rows)
    logit = -1.0 - 0.045 * tenure + 0.02 * (charges - 70.0) + 0.45 * calls + 1.3 * month_to_month - 0.6 * autopay
    churned = rng.binomial(1, 1.0 / (1.0 + np.exp(-logit)))
    columns = (tenure, charges, calls, month_to_month, autopay)
    return pd.DataFrame({LABEL: churned, **dict(zip(FEATURES, columns))})


def read_table(uri: str, s3_client: object = None) -> pd.DataFrame:
    """The CSV at ``s3://bucket/key`` (or a local path), checked for the label and feature columns."""
    parsed = urlparse(uri)
    if parsed.scheme == "s3":
        import boto3

        client = s3_client or boto3.client("s3")
        with tempfile.TemporaryDirectory() as directory:
            local = Path(directory) / "input.csv"
            client.download_file(parsed.netloc, parsed.path.lstrip("/"), str(local))
            frame = pd.read_csv(local)
    elif parsed.scheme in ("", "file"):
        frame = pd.read_csv(parsed.path)
    else:
        raise PreprocessError(f"--input-uri must be {SYNTHETIC!r}, an s3:// URI or a local path, got {uri!r}")
    missing = [column for column in (LABEL, *FEATURES) if column not in frame.columns]
    if missing:
        raise PreprocessError(f"{uri} lacks column(s) {', '.join(missing)}; expected {LABEL} and {', '.join(FEATURES)}")
    table = frame[[LABEL, *FEATURES]]
    if table.isna().any().any():
        raise PreprocessError(f"{uri} has empty values; fill or drop them before training")
    if not table[LABEL].isin((0, 1)).all():
        raise PreprocessError(f"{uri}: {LABEL} must be 0 or 1")
    return table


def split(table: pd.DataFrame, seed: int, fractions: Tuple[float, ...] = DEFAULT_FRACTIONS) -> Dict[str, pd.DataFrame]:
    """A seeded shuffle cut into train, validation and test by ``fractions``."""
    if len(fractions) != len(SPLIT_NAMES) or any(f <= 0 for f in fractions) or abs(sum(fractions) - 1.0) > 1e-9:
        raise PreprocessError(f"split fractions {fractions} must be three positive numbers that sum to 1")
    if len(table) < MIN_ROWS:
        raise PreprocessError(f"{len(table)} rows is too few to split; need at least {MIN_ROWS}")
    shuffled = table.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    bounds = np.round(np.cumsum((0.0, *fractions)) * len(shuffled)).astype(int)
    return {name: shuffled.iloc[bounds[i] : bounds[i + 1]] for i, name in enumerate(SPLIT_NAMES)}


def write_splits(splits: Dict[str, pd.DataFrame], output_base: Path) -> Dict[str, Path]:
    """``<output_base>/<split>/<split>.csv``: one directory per processing output."""
    written = {}
    for name, frame in splits.items():
        directory = output_base / name
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{name}.csv"
        frame.to_csv(path, header=False, index=False)
        written[name] = path
    return written


def parse_args(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="preprocess", description=__doc__.splitlines()[0])
    parser.add_argument("--input-uri", default=SYNTHETIC, help=f"{SYNTHETIC!r}, or s3://bucket/key.csv")
    parser.add_argument("--rows", type=int, default=5000, help="rows of synthetic data")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output-base", type=Path, default=Path(OUTPUT_BASE))
    args = parser.parse_args(argv)
    if args.rows < MIN_ROWS:
        parser.error(f"--rows must be at least {MIN_ROWS}")
    return args


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        table = synthetic_churn(args.rows, args.seed) if args.input_uri == SYNTHETIC else read_table(args.input_uri)
        written = write_splits(split(table, args.seed), args.output_base)
    except PreprocessError as err:
        print(f"preprocess: {err}", file=sys.stderr)
        return 1
    for name, path in written.items():
        print(f"preprocess: wrote {path} ({sum(1 for _ in path.open())} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
