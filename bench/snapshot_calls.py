"""Benchmark: AWS calls and wall time to snapshot one execution, mlmeta's snapshotter against the
ExperimentAnalytics way of gathering, as the experiment's history grows and as the execution's own
components grow (docs/design.md §7: the snapshotter's calls grow with the execution, never with the history).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator, Mapping
from contextlib import redirect_stdout
from datetime import timedelta
from typing import Any

from bench.aws_calls import watching
from bench.experiment_analytics import ExperimentWideSearch
from bench.model import Benchmark, Row, RunOptions
from bench.runtime_support import runtime_world
from bench.sagemaker_history import SPACING, Execution, SageMakerHistory, executions_before, recent_start, widened
from bench.timing import median_ms, quiet_heap
from mlmeta.local.moto_gaps import sagemaker_like_aws
from snapshotter.snapshot import SEARCH_PAGE_SIZE, TRIAL_KINDS, execution_steps, snapshot_execution


def run(options: RunOptions) -> Iterator[Row]:
    snapshotter = runtime_world.import_handler("snapshotter")
    history_sizes = options.size((10, 100, 1_000), (1, 3))
    component_counts = options.size((1, 10, 100, 250), (1, 3))
    component_series_history = options.size(100, 2)
    repeats = options.size(5, 1)
    # The execution has just ended, as when its event arrives; the history precedes it. Seeded: the
    # same sizes and contents every run, only the times follow the clock.
    start = recent_start()
    [target] = executions_before(start, seed=options.seed + 1, count=1)
    history = executions_before(start - SPACING, seed=options.seed, count=max(history_sizes))

    with runtime_world.moto_world() as world, sagemaker_like_aws():
        account = SageMakerHistory(world.sagemaker)
        account.put([target])
        put = 0
        for size in history_sizes:
            options.progress(f"history of {size:,} executions: putting {size - put:,} more executions into moto")
            account.put(history[put:size])
            put = size
            yield from _compare(f"history {size:,} executions, execution of {len(target.components)} components", world, snapshotter, target, repeats)

    for count in component_counts:
        options.progress(f"execution of {count} component{'s' * (count != 1)} (history {component_series_history} executions)")
        with runtime_world.moto_world() as world, sagemaker_like_aws():
            account = SageMakerHistory(world.sagemaker)
            account.put(history[:component_series_history])
            execution = widened(target, count)
            account.put([execution])
            yield from _compare(f"execution of {count} component{'s' * (count != 1)}, history {component_series_history} executions",
                                world, snapshotter, execution, repeats)


def _compare(case: str, world: Any, snapshotter: Any, execution: Execution, repeats: int) -> list[Row]:
    settings = snapshotter.SETTINGS
    finished = execution.finished(settings)

    def snapshot(sagemaker: Any) -> None:
        with redirect_stdout(io.StringIO()):  # the EMF lines CloudWatch would read from the log
            snapshot_execution(
                sagemaker,
                world.s3,
                finished,
                bucket=settings.lake_bucket,
                convention=settings.convention,
                steps=execution_steps(sagemaker),
                metrics_namespace=settings.metrics_namespace,
                now=lambda: finished.end + timedelta(minutes=1),  # snapshotted as it ends, so EMF is emitted
            )

    def ours() -> None:
        snapshot(world.sagemaker)

    def baseline() -> None:
        snapshot(ExperimentWideSearch(world.sagemaker, finished.pipeline.experiment_name))

    with watching(world.sagemaker, world.s3) as our_calls:
        ours()
    with watching(world.sagemaker, world.s3) as baseline_calls:
        baseline()
    with quiet_heap():
        ours_ms, baseline_ms = median_ms(ours, repeats), median_ms(baseline, repeats)
    expected = expected_calls(execution.components_per_trial())
    check = "" if len(our_calls) == expected else f"; UNEXPECTED, docs/design.md §7 gives {expected}"
    return [
        Row(case, "AWS calls", "calls", len(our_calls), len(baseline_calls),
            f"{our_calls.summary()}{check}; baseline: {baseline_calls.summary()}"),
        Row(case, "wall time", "ms", ours_ms, baseline_ms, f"median of {repeats}"),
    ]


def expected_calls(components_per_trial: Mapping[str, int]) -> int:
    """Design §7: one Search per 100 components of each of the two trials (at least one each), plus the two PutObject."""
    return sum(max(1, math.ceil(components_per_trial.get(kind, 0) / SEARCH_PAGE_SIZE)) for kind in TRIAL_KINDS) + 2


BENCHMARK = Benchmark(
    name="snapshot-calls",
    title="AWS calls and wall time to snapshot one pipeline execution",
    measures=(
        "One finished execution is snapshotted (gather its trial components, build and write the two lake "
        "objects, emit its metrics as EMF) in moto's SageMaker, in-process, holding an experiment history of "
        "synthetic executions (`mlmeta.local.synthetic_lake`, 4 trial components each, seeded). Two series: the "
        "history grows (the execution has 4 components), and the execution's components grow (a tuning step's "
        "training jobs; fixed history). moto's Search is made to page (`MaxResults`, `NextToken`), filter on "
        "`Parents.ExperimentName` and return metric summaries as AWS documents (`mlmeta/local/moto_gaps.py`; moto ignores "
        "paging otherwise). AWS calls are counted with botocore's `provide-client-params` hook on the clients; "
        "wall time is the median of repeated snapshots."
    ),
    baseline=(
        "The same snapshot with only the gathering changed to what `sagemaker.analytics.ExperimentAnalytics` "
        "does: Search every trial component of the experiment (`Parents.ExperimentName`, 100 a page, the most "
        "Search allows), then keep the execution's (`bench/experiment_analytics.py`)."
    ),
    ratio_means=(
        "mlmeta ÷ baseline. AWS calls: the snapshotter makes ⌈k/100⌉ Search calls per trial (at least one "
        "each) plus 2 PutObject whatever the history, so the ratio falls as the history grows; with a tiny "
        "history the baseline's single experiment-wide page can need fewer calls. Wall time is in-process "
        "against moto, whose Search scans every trial component of the account on each call (AWS's is an "
        "index): the snapshotter's time grows a little with the history here, in AWS it would not."
    ),
    run=run,
)
