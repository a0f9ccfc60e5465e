"""The MLflow backend's shared code, pure stdlib (no ``mlflow`` import: the Lambdas, the pipeline step and
``mlmeta.track`` run without the mlflow package):

- client.py: a REST client (urllib + json); errors.py: what it raises, MlflowUnreachable / MlflowRejected;
- signing.py: SageMaker MLflow ARNs: their endpoint and SigV4 signature (botocore, imported lazily);
- names.py: the naming convention applied to MLflow experiment and run names and tags;
- keys.py: MLflow's rules for metric, parameter and tag keys, checked before anything is written;
- backend.py: ``MLMETA_TRACKING_BACKEND``; times.py: MLflow's millisecond times.
"""
