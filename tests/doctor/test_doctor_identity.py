"""Credentials and account (sts GetCallerIdentity on moto; an expired token through the Stubber)."""

from __future__ import annotations

import boto3
import botocore.session
from doctor_world import clients, settings, stubbed

from mlmeta.doctor.aws import AwsClients
from mlmeta.doctor.identity import check_credentials

MOTO_ACCOUNT = "123456789012"


def test_working_credentials_pass_and_name_the_caller_and_account():
    identity = check_credentials(clients(), settings())
    assert identity.account == MOTO_ACCOUNT
    assert identity.result.ok
    assert identity.result.detail.startswith(f"arn:aws:sts::{MOTO_ACCOUNT}:") and "it deploys here" in identity.result.detail


def test_credentials_of_the_configured_account_pass():
    identity = check_credentials(clients(), settings(account=MOTO_ACCOUNT))
    assert (identity.result.ok, identity.account) == (True, MOTO_ACCOUNT)
    assert "the configured account" in identity.result.detail


def test_credentials_of_another_account_fail_and_say_which_account_to_use():
    identity = check_credentials(clients(), settings(account="210987654321"))
    assert (identity.result.ok, identity.account) == (False, None)
    assert f"is in account {MOTO_ACCOUNT}, but environment dev deploys to account 210987654321" in identity.result.detail
    assert "use credentials of account 210987654321" in identity.result.fix


def test_no_credentials_fail_with_how_to_configure_them(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    session = boto3.Session(botocore_session=botocore.session.Session(), region_name="ap-northeast-1")

    identity = check_credentials(AwsClients(session), settings())
    assert (identity.result.ok, identity.account, identity.result.detail) == (False, None, "no AWS credentials found")
    assert "aws configure" in identity.result.fix


def test_expired_credentials_fail_with_the_error():
    sts, stub = stubbed("sts")
    stub.add_client_error("get_caller_identity", "ExpiredToken", "The security token included in the request is expired", 403)
    with stub:
        identity = check_credentials(clients(sts=sts), settings())
    assert not identity.result.ok
    assert identity.result.detail == (
        "the credentials do not work: GetCallerIdentity: ExpiredToken: The security token included in the request is expired"
    )
