"""Code the event handlers share (tagger, naming guard, snapshotter, reconciler): settings read once
from the environment, event models, the quarantine, the lake writer, notices, retry with backoff and
the AWS error policy.

Imports only the standard library, boto3/botocore, Powertools (+ pydantic, which its layer ships) and
``mlmeta_contract`` (which every asset ships whole), so the package ships in a Lambda asset as it is
(see docs/handlers.md).
"""
