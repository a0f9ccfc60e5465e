"""Trial components that SageMaker jobs create for themselves: SageMaker names them after the job,
``<job-name>-aws-processing-job``, ``<job-name>-aws-training-job``, ``<job-name>-aws-transform-job``
(the naming the SageMaker Python SDK's lineage and experiments code relies on), and sets their
``Source`` to the job's ARN."""

from __future__ import annotations

from mlmeta_runtime.events import JOB_ARN_RE

JOB_COMPONENT_SUFFIXES = {
    "processing": "-aws-processing-job",
    "training": "-aws-training-job",
    "transform": "-aws-transform-job",
}


def job_component_name(job_arn: str) -> str:
    """The trial component SageMaker created for the job of ``job_arn``."""
    match = JOB_ARN_RE.fullmatch(job_arn)
    if match is None:
        raise ValueError(f"{job_arn!r} is not a processing, training or transform job ARN")
    return match["job_name"] + JOB_COMPONENT_SUFFIXES[match["job_type"]]


def looks_like_job_component(name: str) -> bool:
    """Named like a job's component; only the component's Source proves it (anyone can pick a name)."""
    return any(name.lower().endswith(suffix) for suffix in JOB_COMPONENT_SUFFIXES.values())
