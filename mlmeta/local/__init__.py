"""The local harness: what runs mlmeta on a laptop with no AWS account (embedded AWS, a real local MLflow server)."""
