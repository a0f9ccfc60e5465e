"""moto's CloudFormation as the rehearsal's CloudFormation: which resource types it can create, and the
models that mistake a property's shape, corrected on the server side while the rehearsal deploys.

Which types: moto's own model map (``moto.cloudformation.parsing.get_model_map``, each model's
``cloudformation_type()``), read from the installed moto, so a moto upgrade that adds a model deploys
more without a change here. ``Custom::`` types are created by moto's custom-resource model, which sends
the request to the provider's Lambda; ``mlmeta.local.rehearsal.custom_resources`` answers it.

Corrections (moto 5.2.5):

- ``AWS::KMS::Key``: the model hands CloudFormation's ``Tags`` (``Key``/``Value``) to KMS's tagger, which
  reads the KMS API's ``TagKey``/``TagValue``: a key with tags fails the stack with a KeyError. The
  tags are renamed before the model sees them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from typing import Any
from unittest import mock

from moto.cloudformation.parsing import NULL_MODELS, get_model_map
from moto.kms.models import Key

CUSTOM_PREFIX = "Custom::"
# `cdk synth` (the CLI) adds one per stack for CDK's version reporting; in-process synthesis does not.
CDK_METADATA = "AWS::CDK::Metadata"
MOTO_VERSION = version("moto")


def unsupported_reason(resource_type: str) -> str | None:
    """Why moto's CloudFormation cannot create ``resource_type``; None when it can."""
    if resource_type.startswith(CUSTOM_PREFIX):
        return None
    if resource_type == CDK_METADATA:
        return f"CDK's version-reporting metadata: it configures nothing (moto {MOTO_VERSION} has no model for it either)"
    if resource_type in NULL_MODELS:
        return f"moto {MOTO_VERSION}'s CloudFormation accepts {resource_type} but creates nothing"
    if resource_type not in get_model_map():
        return f"moto {MOTO_VERSION}'s CloudFormation has no model for {resource_type}"
    return None


@contextmanager
def corrected_models() -> Iterator[None]:
    """While active, moto's CloudFormation models read the properties as the templates give them."""
    create_key = Key.create_from_cloudformation_json.__func__

    def create_key_with_tags(cls: type, resource_name: str, cloudformation_json: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        properties = cloudformation_json.get("Properties", {})
        properties["Tags"] = [{"TagKey": tag["Key"], "TagValue": tag["Value"]} for tag in properties.get("Tags", [])]
        return create_key(cls, resource_name, cloudformation_json, *args, **kwargs)

    with mock.patch.object(Key, "create_from_cloudformation_json", classmethod(create_key_with_tags)):
        yield
