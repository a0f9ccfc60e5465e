"""The compaction stack (stacks/compaction_stack.py, docs/compaction.md): the compactor's schedule and S3
event rule, its runtime and layer, its environment, least-privilege IAM, failure queues, its code asset,
and the lake bucket's EventBridge notifications. cdk-nag and cfn-lint run over it in test_nag.py and
test_cfn_lint.py with every other stack."""

from __future__ import annotations

import json
from pathlib import Path

from cfn_values import layer_parameters
from lambda_imports import PANDAS_LAYER_PROVIDED, missing_imports

from mlmeta.config.lambda_runtime import AWS_SDK_PANDAS_VERSION
from mlmeta_contract.lake.schema import TABLES
from stacks.compaction.compactor import DAILY_SCHEDULE, SHARED_CODE
from stacks.common.runtime_code import REPOSITORY_ROOT, asset_files


def compactor(env_app) -> dict:
    (function,) = env_app.resources(env_app.stacks.compaction, "AWS::Lambda::Function").values()
    return function["Properties"]


def rules(env_app) -> list[dict]:
    return [r["Properties"] for r in env_app.resources(env_app.stacks.compaction, "AWS::Events::Rule").values()]


def logical_id(env_app, construct) -> str:
    stack = env_app.stacks.compaction
    return stack.resolve(stack.get_logical_id(construct.node.default_child))


def test_a_daily_schedule_and_the_raw_prefixes_object_events_trigger_the_compactor(env_app):
    found = rules(env_app)
    function_id = logical_id(env_app, env_app.stacks.compaction.compactor.function)
    (schedule,) = [r for r in found if "ScheduleExpression" in r]
    (objects,) = [r for r in found if "EventPattern" in r]
    assert schedule["ScheduleExpression"] == DAILY_SCHEDULE == "cron(30 1 * * ? *)"
    pattern = objects["EventPattern"]
    assert pattern["source"] == ["aws.s3"] and pattern["detail-type"] == ["Object Created"]
    assert pattern["detail"]["object"]["key"] == [{"prefix": f"{t.prefix}/"} for t in TABLES]
    assert "Fn::GetStackOutput" in pattern["detail"]["bucket"]["name"][0]
    for rule in (schedule, objects):
        (target,) = rule["Targets"]
        assert target["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
        assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
        assert "Arn" in json.dumps(target["DeadLetterConfig"])


def test_the_compactor_runs_python_313_on_arm_with_the_pandas_layer_resolved_at_deploy_and_no_powertools(env_app):
    function = compactor(env_app)
    template = env_app.template_json(env_app.stacks.compaction)
    assert function["Handler"] == "compactor.handler.lambda_handler"
    assert (function["Runtime"], function["Architectures"]) == ("python3.13", ["arm64"])
    # AWS SDK for pandas' public parameter for its layer: no layer version number in the template.
    assert layer_parameters(template, function) == [f"/aws/service/aws-sdk-pandas/{AWS_SDK_PANDAS_VERSION}/py3.13/arm64/layer-arn"]
    assert (function["Timeout"], function["MemorySize"]) == (900, 2048)
    variables = function["Environment"]["Variables"]
    assert variables["GLUE_DATABASE"] == env_app.settings.glue_database_name
    assert variables["LOOKBACK_DAYS"] == str(env_app.settings.compaction_lookback_days)
    assert "Fn::GetStackOutput" in variables["LAKE_BUCKET"]


def test_failed_runs_and_undelivered_triggers_land_in_alarmed_queues(env_app):
    stack = env_app.stacks.compaction
    (invoke_config,) = env_app.resources(stack, "AWS::Lambda::EventInvokeConfig").values()
    failed_runs = logical_id(env_app, stack.compactor.failed_runs.queue)
    assert invoke_config["Properties"]["MaximumRetryAttempts"] == 2
    assert invoke_config["Properties"]["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": [failed_runs, "Arn"]}
    alarms = env_app.resources(stack, "AWS::CloudWatch::Alarm").values()
    assert len(alarms) == 2
    assert all("Fn::GetStackOutput" in json.dumps(a["Properties"]["AlarmActions"]) for a in alarms)  # the notices topic


def policy_statements(env_app) -> list[dict]:
    stack = env_app.stacks.compaction
    policy = stack.resolve(stack.get_logical_id(stack.compactor.policy.node.default_child))
    return env_app.template_json(stack)["Resources"][policy]["Properties"]["PolicyDocument"]["Statement"]


def resources_text(statement: dict) -> list[str]:
    values = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
    rendered = []
    for value in values:
        text = json.dumps(value)
        rendered.append(text.split('"/', 1)[1].rstrip('"]}') if '"/' in text else text)
    return rendered


def test_iam_reads_the_raw_prefixes_writes_only_compacted_days_and_state_and_updates_only_the_views(env_app):
    statements = {s["Sid"]: s for s in policy_statements(env_app)}
    actions = {sid: s["Action"] for sid, s in statements.items()}
    assert actions == {
        "ListLakePrefixes": "s3:ListBucket",
        "ReadSnapshotsAndCompactedDays": "s3:GetObject",
        "WriteCompactedDaysAndState": "s3:PutObject",
        "UseLakeKey": ["kms:Decrypt", "kms:GenerateDataKey"],
        "UpdateViews": ["glue:GetTable", "glue:UpdateTable"],
    }
    assert all("*" not in json.dumps(a) for a in actions.values())
    raw = [f"{t.prefix}/*" for t in TABLES]
    written = [*(f"compacted/{t.name}/*" for t in TABLES), "state/compaction/*"]
    assert sorted(resources_text(statements["WriteCompactedDaysAndState"])) == sorted(written)
    assert sorted(resources_text(statements["ReadSnapshotsAndCompactedDays"])) == sorted(raw + written)
    assert statements["ListLakePrefixes"]["Condition"] == {"StringLike": {"s3:prefix": raw + written}}
    glue = json.dumps(statements["UpdateViews"]["Resource"])
    database = env_app.settings.glue_database_name
    assert all(f":table/{database}/{t.name}" in glue for t in TABLES)
    assert f":database/{database}" in glue and ":catalog" in glue
    assert "_raw" not in glue and "_compacted" not in glue and "*" not in glue


def test_the_lake_bucket_sends_its_object_events_to_eventbridge_without_a_custom_resource(env_app):
    lake = env_app.stacks.lake
    bucket_id = lake.resolve(lake.get_logical_id(lake.bucket.node.default_child))
    bucket = env_app.template_json(lake)["Resources"][bucket_id]["Properties"]
    assert bucket["NotificationConfiguration"] == {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}
    assert not env_app.resources(lake, "Custom::S3BucketNotifications")
    assert not env_app.resources(lake, "AWS::Lambda::Function")


def test_the_asset_holds_the_compactor_and_the_compaction_modules_and_every_import_resolves(synthesized):
    files = asset_files("compactor", shared=SHARED_CODE)
    assert {name.split("/")[0] for name in files} == {"compactor", "mlmeta", "mlmeta_contract"}
    # mlmeta/lake whole and its parent's (import-light) __init__.py, nothing else of the library.
    lake = {p.relative_to(REPOSITORY_ROOT).as_posix() for p in (REPOSITORY_ROOT / "mlmeta" / "lake").glob("*.py")}
    assert {name for name in files if name.startswith("mlmeta/")} == {"mlmeta/__init__.py", *lake}
    assert "mlmeta/lake/compaction.py" in lake
    assert missing_imports(files, provided=PANDAS_LAYER_PROVIDED) == []
    # Without the layer, pyarrow would be missing: the check is not vacuous.
    assert any(problem.endswith(": pyarrow") for problem in missing_imports(files))

    env_app = synthesized("dev")
    asset_hash = compactor(env_app)["Code"]["S3Key"].removesuffix(".zip")
    asset = Path(env_app.assembly.directory) / f"asset.{asset_hash}"
    assert sorted(p.relative_to(asset).as_posix() for p in asset.rglob("*") if p.is_file()) == list(files)


def test_the_stack_is_stateless_and_deploys_after_the_lake_and_events_stacks(env_app):
    stack = env_app.stacks.compaction
    assert env_app.artifact(stack).termination_protection is False
    dependencies = {d.stack_name for d in stack.dependencies}
    assert {env_app.stacks.lake.stack_name, env_app.stacks.events.stack_name} <= dependencies
    outputs = env_app.template_json(stack)["Outputs"]
    assert "CompactorFunctionName" in outputs
