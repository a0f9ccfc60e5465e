"""Code the event handlers share (tagger, naming guard, snapshotter, reconciler): settings read once
from the environment, event models, the quarantine, the lake writer, notices, retry with backoff and
the AWS error policy.

Imports only the standard library, boto3/botocore, Powertools (+ pydantic, which its layer ships),
``mlmeta_contract.naming`` and ``mlmeta_contract.lake.{schema,layout,records}``, so the package ships in a Lambda asset
as it is (see docs/handlers.md).
"""
