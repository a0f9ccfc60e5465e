"""mlmeta: SageMaker Experiments as a governed, queryable metadata system."""

__version__ = "0.1.0"
