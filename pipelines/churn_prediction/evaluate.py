"""Evaluate step: score the test set with the trained model, write evaluation.json, record trial 1.2.

Runs in SageMaker's built-in XGBoost image (xgboost, scikit-learn, numpy, pandas, boto3). The model is
the training job's model.tar.gz; how it is loaded is a parameter of ``evaluate`` (``load_model``), so
the tests score with a small scikit-learn model while production loads the XGBoost booster.

Outputs, in order: evaluation.json (the pipeline's PropertyFile, gated by the condition step and
attached to the registered model), then trial 1.2 with its component, parameters, artifacts and
metrics (pipelines.common.tracking).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple, Union

import numpy as np
import pandas as pd

from mlmeta_contract.naming import resolve_convention
from pipelines.common.aws import boto_session
from pipelines.common.classification import EvaluationError, binary_classification_metrics, evaluation_report
from mlmeta_contract.mlflow.backend import MLFLOW, tracking_backend
from mlmeta_contract.mlflow.client import MlflowClient, MlflowError
from pipelines.common.mlflow_tracking import MlflowAnalysisRecord, MlflowAnalysisRun
from pipelines.common.tracking import DEFAULT_STEP, AnalysisRecord, AnalysisTrial, StepExecution

MODEL_ARCHIVE = "model.tar.gz"
# What the built-in XGBoost algorithm names the model inside model.tar.gz.
XGBOOST_MODEL_FILE = "xgboost-model"
REPORT_FILE = "evaluation.json"
MODEL_DIR = "/opt/ml/processing/model"
TEST_DIR = "/opt/ml/processing/test"
OUTPUT_DIR = "/opt/ml/processing/evaluation"

Predict = Callable[[np.ndarray], np.ndarray]
# Takes the directory model.tar.gz was extracted into; returns a function from features to P(label=1).
ModelLoader = Callable[[Path], Predict]


@dataclass(frozen=True)
class Evaluation:
    metrics: Dict[str, float]
    report_path: Path
    record: Union[AnalysisRecord, MlflowAnalysisRecord]


def load_xgboost_model(directory: Path) -> Predict:
    """The booster the built-in algorithm saved (binary:logistic, so predictions are probabilities)."""
    import xgboost

    path = directory / XGBOOST_MODEL_FILE
    booster = xgboost.Booster()
    try:
        booster.load_model(str(path))
    except xgboost.core.XGBoostError:
        # Images before XGBoost 1.3 saved the booster with pickle.
        with path.open("rb") as handle:
            booster = pickle.load(handle)  # noqa: S301 - our own training job's output
    return lambda features: booster.predict(xgboost.DMatrix(features))


def extract_model(model_dir: Path, into: Path) -> Path:
    """Unpack ``model_dir/model.tar.gz`` into ``into``, refusing members that would land outside it."""
    archive = model_dir / MODEL_ARCHIVE
    if not archive.is_file():
        raise EvaluationError(f"no {MODEL_ARCHIVE} in {model_dir}: is the training step's model wired to this input?")
    root = into.resolve()
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            target = (root / member.name).resolve()
            if not (member.isfile() or member.isdir()) or (target != root and root not in target.parents):
                raise EvaluationError(f"{archive} has an unsafe member {member.name!r}")
        tar.extractall(root)  # noqa: S202 - every member checked above
    return root


def read_test_set(test_dir: Path) -> Tuple[np.ndarray, np.ndarray]:
    """Labels and features of every CSV in ``test_dir`` (label first, no header, as preprocess writes)."""
    files = sorted(test_dir.glob("*.csv"))
    if not files:
        raise EvaluationError(f"no test CSV in {test_dir}")
    table = pd.concat([pd.read_csv(path, header=None) for path in files], ignore_index=True)
    if table.shape[1] < 2:
        raise EvaluationError(f"test CSVs in {test_dir} need a label column and at least one feature")
    return table.iloc[:, 0].to_numpy(dtype=float), table.iloc[:, 1:].to_numpy(dtype=float)


def evaluate(
    args: argparse.Namespace,
    *,
    load_model: ModelLoader = load_xgboost_model,
    sagemaker: object = None,
    metrics_client: object = None,
    mlflow_client: Optional[MlflowClient] = None,
) -> Evaluation:
    """Score, report and record, on the backend $MLMETA_TRACKING_BACKEND names (SageMaker by default).
    Clients default to ones for ``args.region`` (SageMaker) or $MLMETA_MLFLOW_TRACKING_URI (MLflow)."""
    started = datetime.now(timezone.utc)
    execution = StepExecution(args.use_case, args.env, args.execution_id, args.execution_arn)
    # Before any work: a bad name, a wrong ARN or an unknown backend fails the step at once.
    # The stack passes its naming convention in $MLMETA_NAMING_CONVENTION; without it, the default.
    convention = resolve_convention()
    trial: Union[AnalysisTrial, MlflowAnalysisRun]
    if tracking_backend() == MLFLOW:
        trial = MlflowAnalysisRun(execution, client=mlflow_client or MlflowClient.from_environment(), step=args.step, convention=convention)
    else:
        if sagemaker is None or metrics_client is None:
            session = boto_session(args.region)
            sagemaker = sagemaker or session.client("sagemaker")
            metrics_client = metrics_client or session.client("sagemaker-metrics")
        trial = AnalysisTrial(execution, sagemaker=sagemaker, metrics=metrics_client, step=args.step, convention=convention)
    labels, features = read_test_set(args.test_dir)
    with tempfile.TemporaryDirectory() as directory:
        predict = load_model(extract_model(args.model_dir, Path(directory)))
        scores = np.asarray(predict(features), dtype=float)
    metrics = binary_classification_metrics(labels, scores, args.decision_threshold)

    args.output_dir.mkdir(parents=True, exist_ok=True)
    report_path = args.output_dir / REPORT_FILE
    report_path.write_text(json.dumps(evaluation_report(metrics), indent=2, sort_keys=True) + "\n", encoding="utf-8")

    record = trial.record(
        parameters={
            "decision_threshold": args.decision_threshold,
            "test_rows": int(len(labels)),
            "test_positive_rate": float(labels.mean()),
        },
        metrics=metrics,
        input_artifacts={"model": args.model_uri, "test": args.test_uri},
        output_artifacts={"evaluation": args.evaluation_uri},
        start_time=started,
        end_time=datetime.now(timezone.utc),
    )
    return Evaluation(metrics=metrics, report_path=report_path, record=record)


def parse_args(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--use-case", required=True)
    parser.add_argument("--env", required=True)
    parser.add_argument("--execution-id", required=True, help="Pipelines' ExecutionVariables.PIPELINE_EXECUTION_ID")
    parser.add_argument("--execution-arn", required=True, help="Pipelines' ExecutionVariables.PIPELINE_EXECUTION_ARN")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION"))
    parser.add_argument("--model-uri", required=True, help="S3 URI of model.tar.gz (recorded as an input artifact)")
    parser.add_argument("--test-uri", required=True, help="S3 URI of the test set (recorded as an input artifact)")
    parser.add_argument("--evaluation-uri", required=True, help="S3 URI the report is uploaded to (an output artifact)")
    parser.add_argument(
        "--step", default=DEFAULT_STEP,
        help="the pipeline step's name: trial 1.2's component is {trial}-{step}, as the step's job component is tagged",
    )
    parser.add_argument("--decision-threshold", type=float, default=0.5)
    parser.add_argument("--model-dir", type=Path, default=Path(MODEL_DIR))
    parser.add_argument("--test-dir", type=Path, default=Path(TEST_DIR))
    parser.add_argument("--output-dir", type=Path, default=Path(OUTPUT_DIR))
    args = parser.parse_args(argv)
    if not args.region:
        parser.error("--region is required when AWS_REGION is not set")
    return args


def main(argv: Optional[List[str]] = None, **evaluate_kwargs: object) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        result = evaluate(args, **evaluate_kwargs)
    except (ValueError, MlflowError) as err:  # EvaluationError, a bad name or argument, MLflow: one line, not a traceback
        print(f"evaluate: {err}", file=sys.stderr)
        return 1
    print(f"evaluate: {json.dumps(result.metrics, sort_keys=True)} -> {result.report_path}")
    print(f"evaluate: recorded trial {result.record.trial_name}, component {result.record.trial_component_name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
