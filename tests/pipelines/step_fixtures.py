"""Shared values and builders of the pipeline step tests."""

from __future__ import annotations

import pickle
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd

REGION = "ap-northeast-1"
USE_CASE = "churn-prediction"
ENV = "dev"
EXPERIMENT = "churn-prediction-dev-pipeline"
EXECUTION_ID = "p4jn9xou8a8s"
EXECUTION_ARN = f"arn:aws:sagemaker:{REGION}:123456789012:pipeline/churn-prediction-dev/execution/{EXECUTION_ID}"
TRIAL = f"churn-prediction-dev-{EXECUTION_ID}-analysis"
COMPONENT = f"{TRIAL}-evaluation"
SKLEARN_MODEL_FILE = "model.pkl"


def read_split(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(labels, features) of a split CSV as preprocess writes it: label first, no header."""
    table = pd.read_csv(path, header=None)
    return table.iloc[:, 0].to_numpy(dtype=float), table.iloc[:, 1:].to_numpy(dtype=float)


def train_sklearn_model(train_csv: Path, model_dir: Path):
    """A LogisticRegression trained on the train split, packed as model.tar.gz like a training job's output.

    It stands in for the XGBoost booster (which the built-in algorithm trains in production): evaluate
    takes the loader as a parameter, and ``load_sklearn_model`` is the loader for this archive.
    """
    from sklearn.linear_model import LogisticRegression

    labels, features = read_split(train_csv)
    model = LogisticRegression(max_iter=1000).fit(features, labels)
    model_dir.mkdir(parents=True, exist_ok=True)
    # Staged beside model_dir: the job's model input holds model.tar.gz and nothing else.
    staging = model_dir.parent / f"{model_dir.name}-staging"
    staging.mkdir()
    (staging / SKLEARN_MODEL_FILE).write_bytes(pickle.dumps(model))
    with tarfile.open(model_dir / "model.tar.gz", "w:gz") as tar:
        tar.add(staging / SKLEARN_MODEL_FILE, arcname=SKLEARN_MODEL_FILE)
    return model


def load_sklearn_model(directory: Path):
    model = pickle.loads((directory / SKLEARN_MODEL_FILE).read_bytes())
    return lambda features: model.predict_proba(features)[:, 1]
