"""Step code of the SageMaker Pipelines, one package per use case plus ``common``.

It runs inside SageMaker's framework containers (scikit-learn for preprocessing, the built-in XGBoost
image for evaluation), so it is written for Python 3.8 and imports only the standard library, what
those images ship (numpy, pandas, scikit-learn, boto3, xgboost) and ``mlmeta_contract.naming`` (pure stdlib).
The stack ships it as one zip asset per use case that Python runs directly: ``__main__.py`` at the
root of the zip is this package's ``__main__`` (see stacks/pipeline/step_code.py).
"""
