"""Constructs of the pipeline stack: artifacts bucket, step code, execution role, pipeline, schedule."""
