"""The tracking stack's constructs: the MLflow server (App or tracking server) and who may call it."""
