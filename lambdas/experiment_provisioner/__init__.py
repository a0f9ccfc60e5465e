"""The custom-resource handler that provisions SageMaker experiments (see handler.py)."""
