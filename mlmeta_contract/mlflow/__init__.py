"""The MLflow backend's shared code: a stdlib REST client (client.py, signing.py), the convention applied
to MLflow names and tags (names.py) and MLflow's rules for keys (keys.py). No ``mlflow`` import: the
Lambdas, the pipeline step and ``mlmeta.track`` run without the mlflow package."""
