"""mlmeta: SageMaker Experiments as a governed, queryable metadata system."""

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # mlmeta.track is imported on first use, so `import mlmeta` stays light (no boto3, no pandas).
    if name == "track":
        import importlib

        return importlib.import_module("mlmeta.track")
    raise AttributeError(f"module 'mlmeta' has no attribute {name!r}")
