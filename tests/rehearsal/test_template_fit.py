"""Fitting a template to what the emulated CloudFormation can create (mlmeta.local.rehearsal.template_fit), on
small hand-written templates: the synthesized ones are deployed in test_deploy_rehearsal.py."""

from __future__ import annotations

from mlmeta.local.rehearsal.template_fit import NEEDS_OUTPUT, REFERS, UNSUPPORTED, fit_template, references

CAN_CREATE = {"AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::Lambda::Function", "AWS::IAM::Role"}


def reason(resource_type: str) -> str | None:
    return None if resource_type in CAN_CREATE else f"no model for {resource_type}"


def template(**resources) -> dict:
    return {"Parameters": {"BootstrapVersion": {"Type": "String"}}, "Resources": resources}


def test_an_unsupported_resource_and_everything_that_refers_to_it_are_skipped_with_their_reasons():
    fitted = fit_template(
        template(
            Database={"Type": "AWS::Glue::Database", "Properties": {}},
            Table={"Type": "AWS::Glue::Table", "Properties": {"DatabaseName": {"Ref": "Database"}}},
            # Refers to the database only through the table (transitively), in a Fn::Sub.
            Function={"Type": "AWS::Lambda::Function", "Properties": {"Environment": {"Variables": {
                "TABLE": {"Fn::Sub": "${Table}-x"}}}}},
            Bucket={"Type": "AWS::S3::Bucket", "Properties": {}},
        ),
        reason,
        {},
    )

    assert list(fitted.template["Resources"]) == ["Bucket"]
    assert [(s.logical_id, s.cause) for s in fitted.skipped] == [
        ("Database", UNSUPPORTED), ("Table", UNSUPPORTED), ("Function", REFERS)]
    assert fitted.skipped[2].reason == "refers to Table (AWS::Glue::Table), which is skipped"
    assert fitted.skipped[0].reason == "no model for AWS::Glue::Database"


def test_ordering_on_a_skipped_resource_is_dropped_and_the_resource_kept():
    fitted = fit_template(
        template(
            Policy={"Type": "AWS::SQS::QueuePolicy", "Properties": {}},
            Queue={"Type": "AWS::SQS::Queue", "Properties": {}, "DependsOn": ["Policy", "Role"]},
            Role={"Type": "AWS::IAM::Role", "Properties": {}},
            Bucket={"Type": "AWS::S3::Bucket", "Properties": {}, "DependsOn": "Policy"},
        ),
        reason,
        {},
    )

    resources = fitted.template["Resources"]
    assert resources["Queue"]["DependsOn"] == ["Role"]
    assert "DependsOn" not in resources["Bucket"]
    assert [s.logical_id for s in fitted.skipped] == ["Policy"]


def test_stack_outputs_are_resolved_or_what_needs_a_missing_one_is_skipped():
    lake = {"mlmeta-dev-lake": {"BucketName": "lake-bucket-abc"}}
    needs = {"Fn::GetStackOutput": {"StackName": "mlmeta-dev-lake", "OutputName": "BucketName", "Region": "ap-northeast-1"}}
    missing = {"Fn::GetStackOutput": {"StackName": "mlmeta-dev-lake", "OutputName": "AlarmArn", "Region": "ap-northeast-1"}}
    absent_stack = {"Fn::GetStackOutput": {"StackName": "mlmeta-dev-events", "OutputName": "TopicArn", "Region": "ap-northeast-1"}}

    fitted = fit_template(
        template(
            Function={"Type": "AWS::Lambda::Function", "Properties": {"Environment": {"Variables": {"LAKE": needs}}}},
            Queue={"Type": "AWS::SQS::Queue", "Properties": {"Name": missing}},
            Bucket={"Type": "AWS::S3::Bucket", "Properties": {"Name": absent_stack}},
        ),
        reason,
        lake,
    )

    assert fitted.template["Resources"]["Function"]["Properties"]["Environment"]["Variables"]["LAKE"] == "lake-bucket-abc"
    assert {s.logical_id: (s.cause, s.reason) for s in fitted.skipped} == {
        "Queue": (NEEDS_OUTPUT, "needs output AlarmArn of stack mlmeta-dev-lake, which that stack's deployment left out"),
        "Bucket": (NEEDS_OUTPUT, "needs output TopicArn of stack mlmeta-dev-events, which is not deployed"),
    }


def test_outputs_that_refer_to_skipped_resources_are_dropped_the_others_kept():
    source = template(
        Alarm={"Type": "AWS::CloudWatch::Alarm", "Properties": {}},
        Queue={"Type": "AWS::SQS::Queue", "Properties": {}},
    )
    source["Outputs"] = {
        "AlarmArn": {"Value": {"Fn::GetAtt": ["Alarm", "Arn"]}},
        "AlarmDotted": {"Value": {"Fn::GetAtt": "Alarm.Arn"}},
        "QueueUrl": {"Value": {"Ref": "Queue"}},
    }

    fitted = fit_template(source, reason, {})

    assert fitted.dropped_outputs == ("AlarmArn", "AlarmDotted")
    assert fitted.template["Outputs"] == {"QueueUrl": {"Value": {"Ref": "Queue"}}}
    assert fitted.template["Parameters"] == source["Parameters"]
    assert "Alarm" in source["Resources"]  # the synthesized template itself is left as it was


def test_references_see_ref_getatt_and_sub_but_not_pseudo_parameters_or_escaped_literals():
    value = {
        "A": {"Ref": "Queue"},
        "B": {"Fn::GetAtt": ["Role", "Arn"]},
        "C": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/${!Literal}/${Function.Arn}"},
        "D": {"Fn::Sub": ["${Named}-${Topic}", {"Named": {"Ref": "Key"}}]},
        "E": {"Ref": "AWS::AccountId"},
    }
    assert references(value) == {"Queue", "Role", "Bucket", "Function", "Topic", "Key"}
