"""The stacks of a cloud assembly created, in deployment order, through CloudFormation's API on the
embedded AWS, as ``cdk deploy --all`` would create them there; one report per stack.

Per stack: its file assets are published, its template fitted to what the emulator can create
(``template_fit``: what is left out and why), its Rules checked with the resolved parameters
(``template_rules``), then ``CreateStack`` with the stack's tags and IAM capabilities, and the stack
waited for until ``CREATE_COMPLETE``, its custom resources answered meanwhile (``custom_resources``).

``CreateStack``, not a change set: moto's ``ExecuteChangeSet`` marks a stack ``CREATE_COMPLETE`` without
waiting for its custom resources (moto 5.2.5), so a failed custom resource would pass unseen.
``ListStackResources`` in moto reports every listed resource as ``CREATE_COMPLETE``; a resource counts
as deployed here when moto lists it with its logical id and, for a custom resource, when its handler
answered ``SUCCESS``. A stack whose function's code is not the published asset fails, as it would in
CloudFormation (moto creates the function without code).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from botocore.exceptions import BotoCoreError, ClientError

from mlmeta.local.rehearsal.assembly import StackArtifact
from mlmeta.local.rehearsal.bootstrap import BOOTSTRAP_VERSION, SSM_PARAMETER_TYPE_PREFIX, bootstrap, publish_assets
from mlmeta.local.rehearsal.custom_resources import SUCCESS, Answer, CustomResourceProvider
from mlmeta.local.rehearsal.moto_cloudformation import MOTO_VERSION, corrected_models, unsupported_reason
from mlmeta.local.rehearsal.template_fit import FittedTemplate, Skipped, fit_template
from mlmeta.local.rehearsal.template_rules import failed_assertions

CREATE_COMPLETE, CREATE_FAILED = "CREATE_COMPLETE", "CREATE_FAILED"
# Not CloudFormation's: a stack whose every resource is skipped (AWS refuses a template without resources),
# and one not attempted because a stack it depends on failed.
NOTHING_TO_CREATE, NOT_DEPLOYED = "NOTHING_TO_CREATE", "NOT_DEPLOYED"
IN_PROGRESS = "CREATE_IN_PROGRESS"
# What `cdk deploy` acknowledges for every stack (the templates create named IAM roles and policies).
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
FUNCTION_TYPE = "AWS::Lambda::Function"
WAIT_SECONDS = 60.0
_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class StackReport:
    name: str
    status: str  # CREATE_COMPLETE | CREATE_FAILED | NOTHING_TO_CREATE | NOT_DEPLOYED
    resources: int  # in the synthesized template
    deployed: tuple[str, ...] = ()  # logical ids the emulator created
    skipped: tuple[Skipped, ...] = ()
    dropped_outputs: tuple[str, ...] = ()
    custom_resources: tuple[Answer, ...] = ()
    outputs: Mapping[str, str] = field(default_factory=dict)
    reason: str = ""
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.status in (CREATE_FAILED, NOT_DEPLOYED)


@dataclass(frozen=True)
class DeployedAssembly:
    stacks: tuple[StackReport, ...]
    bootstrap_version: str
    public_parameters: Mapping[str, str]  # AWS's public SSM parameters seeded: name -> value
    moto_version: str = MOTO_VERSION

    @property
    def complete(self) -> bool:
        return not any(stack.failed for stack in self.stacks)

    def stack(self, name: str) -> StackReport:
        for report in self.stacks:
            if report.name == name:
                return report
        raise KeyError(name)


def deploy_assembly(
    stacks: tuple[StackArtifact, ...], aws: Mapping[str, Any], endpoint: str, region: str, account: str, log_stream: TextIO
) -> DeployedAssembly:
    """Create ``stacks`` in order (``aws``: cloudformation, s3, ssm and lambda clients on ``endpoint``)."""
    seeded = bootstrap(aws, stacks, region, account)
    provider = CustomResourceProvider(endpoint, region, aws["lambda"], log_stream)
    reports: dict[str, StackReport] = {}
    with corrected_models(), provider.intercepting():
        for stack in stacks:
            failed = [name for name in stack.depends_on if reports[name].failed]
            if failed:
                reports[stack.name] = StackReport(stack.name, NOT_DEPLOYED, len(stack.resource_types),
                                                  reason=f"depends on {', '.join(failed)}, which did not deploy")
                continue
            outputs = {name: report.outputs for name, report in reports.items() if report.status == CREATE_COMPLETE}
            reports[stack.name] = _deploy_stack(stack, aws, provider, outputs, region, account)
    return DeployedAssembly(tuple(reports.values()), BOOTSTRAP_VERSION, seeded)


def _deploy_stack(
    stack: StackArtifact,
    aws: Mapping[str, Any],
    provider: CustomResourceProvider,
    outputs: Mapping[str, Mapping[str, str]],
    region: str,
    account: str,
) -> StackReport:
    started = time.perf_counter()
    total = len(stack.resource_types)
    published = publish_assets(aws["s3"], stack, region, account)
    fitted = fit_template(stack.template, unsupported_reason, outputs)

    def report(status: str, reason: str = "", deployed: tuple[str, ...] = (), answers: tuple[Answer, ...] = (),
               stack_outputs: Mapping[str, str] | None = None) -> StackReport:
        return StackReport(stack.name, status, total, deployed, fitted.skipped, fitted.dropped_outputs, answers,
                           stack_outputs or {}, reason, time.perf_counter() - started)

    if not fitted.template["Resources"]:
        return report(NOTHING_TO_CREATE, "every resource is skipped")
    try:
        broken = failed_assertions(fitted.template, _parameter_values(fitted.template, aws["ssm"]))
    except ClientError as err:
        return report(CREATE_FAILED, f"cannot resolve a parameter: {_one_line(err)}")
    if broken:  # CloudFormation refuses the stack before it creates anything
        return report(CREATE_FAILED, "; ".join(broken))
    try:
        aws["cloudformation"].create_stack(
            StackName=stack.name,
            TemplateBody=json.dumps(fitted.template),
            Capabilities=CAPABILITIES,
            Tags=[{"Key": key, "Value": value} for key, value in stack.tags.items()],
        )
    except (BotoCoreError, ClientError) as err:
        return report(CREATE_FAILED, f"CreateStack failed: {_one_line(err)}")
    status, answers = _wait(stack.name, aws["cloudformation"], provider)
    failed = [a for a in answers if a.status != SUCCESS]
    if failed:
        return report(CREATE_FAILED, "; ".join(f"custom resource {a.logical_id}: {a.reason}" for a in failed), answers=answers)
    if status != CREATE_COMPLETE:
        return report(CREATE_FAILED, f"the stack is {status} after {WAIT_SECONDS:.0f} s", answers=answers)
    described = aws["cloudformation"].describe_stacks(StackName=stack.name)["Stacks"][0]
    deployed = _created(aws["cloudformation"], stack.name, fitted, answers)
    # A resource with a Condition is created only when it holds, which moto decides.
    unconditional = {logical_id for logical_id, resource in fitted.template["Resources"].items() if "Condition" not in resource}
    missing = sorted(unconditional - set(deployed))
    stack_outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    if missing:
        return report(CREATE_FAILED, f"CREATE_COMPLETE, but {len(missing)} submitted resource(s) were not created: "
                      f"{', '.join(missing)}", deployed, answers, stack_outputs)
    wrong_code = _functions_without_their_asset(aws, stack.name, fitted, published)
    if wrong_code:
        return report(CREATE_FAILED, "; ".join(wrong_code), deployed, answers, stack_outputs)
    return report(CREATE_COMPLETE, deployed=deployed, answers=answers, stack_outputs=stack_outputs)


def _wait(name: str, cloudformation: Any, provider: CustomResourceProvider) -> tuple[str, tuple[Answer, ...]]:
    answers: list[Answer] = []
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        answers.extend(provider.answer_pending())
        status = cloudformation.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
        if status != IN_PROGRESS or any(a.status != SUCCESS for a in answers) or time.monotonic() > deadline:
            return status, tuple(answers)
        time.sleep(_POLL_SECONDS)


def _created(cloudformation: Any, name: str, fitted: FittedTemplate, answers: tuple[Answer, ...]) -> tuple[str, ...]:
    answered = {a.logical_id for a in answers if a.status == SUCCESS}
    listed = cloudformation.list_stack_resources(StackName=name)["StackResourceSummaries"]
    created = []
    for summary in listed:
        logical_id = summary["LogicalResourceId"]
        if not logical_id:  # moto lists what it did not create with an empty id
            continue
        if fitted.template["Resources"][logical_id]["Type"].startswith("Custom::") and logical_id not in answered:
            continue
        created.append(logical_id)
    return tuple(created)


def _functions_without_their_asset(aws: Mapping[str, Any], name: str, fitted: FittedTemplate, published: Mapping[str, str]) -> list[str]:
    """The deployed functions whose code is not the asset their template names. moto's Lambda creates a
    function whose code object does not exist, with no code (moto 5.2.5); CloudFormation would fail it."""
    problems = []
    for summary in aws["cloudformation"].list_stack_resources(StackName=name)["StackResourceSummaries"]:
        if summary["ResourceType"] != FUNCTION_TYPE:
            continue
        key = fitted.template["Resources"][summary["LogicalResourceId"]]["Properties"].get("Code", {}).get("S3Key")
        if key is None:  # inline code: nothing published
            continue
        deployed = aws["lambda"].get_function_configuration(FunctionName=summary["PhysicalResourceId"])["CodeSha256"]
        if published.get(key) != deployed:
            problems.append(f"function {summary['LogicalResourceId']}: its code is not the published asset {key}")
    return problems


def _parameter_values(template: Mapping[str, Any], ssm: Any) -> dict[str, Any]:
    """Each parameter's value as CloudFormation resolves it (no values are passed: every default)."""
    values = {}
    for name, parameter in template.get("Parameters", {}).items():
        value = parameter.get("Default")
        if str(parameter.get("Type", "")).startswith(SSM_PARAMETER_TYPE_PREFIX) and value is not None:
            value = ssm.get_parameter(Name=value)["Parameter"]["Value"]
        values[name] = value
    return values


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())
