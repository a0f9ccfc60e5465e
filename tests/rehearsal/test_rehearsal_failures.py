"""What the rehearsal catches, each on a copy of dev's assembly with one thing wrong, and what moto alone
would not have caught (the measured reason the rehearsal fits templates itself)."""

from __future__ import annotations

import io
import json
import re
import urllib.request
from pathlib import Path

import pytest
from cli_runner import run_cli

from mlmeta.config import get_environment
from mlmeta.local.emulator import clients, embedded_moto
from mlmeta.local.rehearsal import bootstrap
from mlmeta.local.rehearsal.deploy import CREATE_COMPLETE, CREATE_FAILED, NOT_DEPLOYED
from mlmeta.local.rehearsal.rehearse import rehearsed

SETTINGS = get_environment("dev")
CDK_BOOTSTRAP_TEMPLATE = Path(__file__).resolve().parents[2] / "node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml"


def resource_with(template: dict, **properties) -> dict:
    [resource] = [r for r in template["Resources"].values() if properties.items() <= r.get("Properties", {}).items()]
    return resource


def test_a_handler_wired_to_another_bucket_fails_the_wiring_check(tampered_assembly, capsys):
    def wrong_bucket(template: dict) -> None:
        function = resource_with(template, Handler="snapshotter.handler.lambda_handler")
        function["Properties"]["Environment"]["Variables"]["LAKE_BUCKET"] = "mlmeta-dev-some-other-bucket"

    code, out, err = run_cli(capsys, "rehearse", "--assembly", str(tampered_assembly("events", wrong_bucket)))

    assert code == 1, err
    assert re.search(r"^  WRONG snapshotter LAKE_BUCKET: 'mlmeta-dev-some-other-bucket', expected 'mlmeta-dev-lake-storagebucket", out,
                     re.MULTILINE)
    assert "11 of 12 checks hold" in out


def test_a_custom_resource_its_handler_refuses_fails_its_stack_and_what_depends_on_it(tampered_assembly):
    def bogus_kind(template: dict) -> None:
        resource_with(template, ExperimentName="churn-prediction-eda-ikazaki")["Properties"]["Kind"] = "bogus-kind"

    with rehearsed(SETTINGS, tampered_assembly("experiments", bogus_kind), io.StringIO()) as rehearsal:
        reports = {report.name: report for report in rehearsal.deployed.stacks}

    experiments = reports[SETTINGS.stack_name("experiments")]
    assert experiments.status == CREATE_FAILED
    assert "Kind 'bogus-kind' is not an experiment kind" in experiments.reason
    assert [a.status for a in experiments.custom_resources] == ["SUCCESS", "FAILED"]
    pipeline = reports[SETTINGS.stack_name("pipeline-churn-prediction")]
    assert (pipeline.status, pipeline.reason) == (NOT_DEPLOYED, f"depends on {experiments.name}, which did not deploy")
    assert reports[SETTINGS.stack_name("events")].status == CREATE_COMPLETE  # the others are independent of it
    assert not rehearsal.ok


def test_a_function_whose_code_object_is_not_published_fails_its_stack(tampered_assembly):
    def unpublished_code(template: dict) -> None:
        function = resource_with(template, Handler="tagger.handler.lambda_handler")
        function["Properties"]["Code"]["S3Key"] = "not-published.zip"

    with rehearsed(SETTINGS, tampered_assembly("events", unpublished_code), io.StringIO()) as rehearsal:
        events = rehearsal.deployed.stack(SETTINGS.stack_name("events"))

    assert events.status == CREATE_FAILED
    assert re.fullmatch(r"function TaggerHandlerFunction\w+: its code is not the published asset not-published\.zip", events.reason)


def test_an_old_bootstrap_fails_each_stack_before_anything_is_created(dev_assembly, monkeypatch):
    monkeypatch.setattr(bootstrap, "BOOTSTRAP_VERSION", "5")

    with rehearsed(SETTINGS, dev_assembly, io.StringIO()) as rehearsal:
        created = clients(rehearsal.endpoint, SETTINGS.region, "cloudformation")["cloudformation"].describe_stacks()["Stacks"]

    statuses = {report.name: report.status for report in rehearsal.deployed.stacks}
    assert statuses[SETTINGS.stack_name("lake")] == CREATE_FAILED and set(statuses.values()) == {CREATE_FAILED, NOT_DEPLOYED}
    assert rehearsal.deployed.stack(SETTINGS.stack_name("lake")).reason.startswith(
        "CheckBootstrapVersion: CDK bootstrap stack version 6 required")
    assert created == []


def test_moto_alone_reports_complete_for_a_stack_whose_resource_it_did_not_create():
    """Why the rehearsal takes out what moto cannot create, rather than leaving it to moto."""
    template = {"Resources": {"Database": {"Type": "AWS::Glue::Database",
                                           "Properties": {"CatalogId": "123456789012", "DatabaseInput": {"Name": "lake"}}}}}
    with embedded_moto() as endpoint:
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10).close()
        aws = clients(endpoint, SETTINGS.region, "cloudformation", "glue")
        with pytest.warns(UserWarning, match="Tried to parse AWS::Glue::Database but it's not supported"):
            aws["cloudformation"].create_stack(StackName="moto-alone", TemplateBody=json.dumps(template))
        status = aws["cloudformation"].describe_stacks(StackName="moto-alone")["Stacks"][0]["StackStatus"]
        databases = aws["glue"].get_databases()["DatabaseList"]

    assert (status, databases) == ("CREATE_COMPLETE", [])


@pytest.mark.skipif(not CDK_BOOTSTRAP_TEMPLATE.is_file(), reason="node_modules not installed (make install)")
def test_the_seeded_bootstrap_version_is_the_pinned_cdk_clis():
    text = CDK_BOOTSTRAP_TEMPLATE.read_text()
    [version] = re.findall(r"CdkBootstrapVersion:\n(?:\s+.*\n)*?\s+Value: '(\d+)'", text)
    assert bootstrap.BOOTSTRAP_VERSION == version
