"""The demo's report as text: the analyst's view of the lake (history, drift, latest values, naming
violations), then what happened on the way there and where to look next."""

from __future__ import annotations

from collections import Counter

from mlmeta.local.demo.history import SUCCEEDED
from mlmeta.local.mlflow_server import DATABASE_FILE
from mlmeta.local.demo.run import EVENTS_FILE, HANDLER_LOG, QUARANTINE_FILE, DemoReport, DuplicateCheck
from mlmeta.local.demo.settings import ENVIRONMENT, METRIC
from mlmeta.queries.result import QueryResult
from mlmeta_contract.naming import new

HISTORY_ROWS_SHOWN = 12
# The violations' reasons (several lines of rule text each) stay in the lake's naming_audit table.
VIOLATION_COLUMNS = ("checked_at", "actor_arn", "resource_type", "resource_name", "rule")


def render(report: DemoReport) -> str:
    return "\n".join([*_sections(report), _what_happened(report), _next_steps(report)])


def flagged(drift: QueryResult) -> QueryResult:
    """metric_drift's rows not flagged OK."""
    flag = drift.columns.index("flag")
    return QueryResult(drift.columns, tuple(row for row in drift.rows if row[flag] != "OK"))


def _sections(report: DemoReport) -> list[str]:
    settings, results = report.settings, report.results
    history = results["metric_history"]
    below = f"; BELOW_THRESHOLD under {settings.min_value:g}" if settings.min_value is not None else ""
    violations = results["naming_violations"]
    sections = [
        (f"metric_history: {METRIC} of {report.pipeline}, the last {min(HISTORY_ROWS_SHOWN, len(history.rows))} of {len(history.rows)} runs",
         QueryResult(history.columns, history.rows[-HISTORY_ROWS_SHOWN:])),
        (f"metric_drift: the runs not flagged OK (baseline: the previous {settings.window_size} runs; "
         f"DRIFT at |z| >= {settings.z_threshold:g} and {settings.min_change * 100:g}% off their median{below})",
         flagged(results["metric_drift"])),
        ("latest_metrics", results["latest_metrics"]),
        ("naming_violations (each reason is in the naming_audit table)", _columns(violations, VIOLATION_COLUMNS)),
    ]
    return [f"== {title}\n{result.render('table')}\n" for title, result in sections]


def _columns(result: QueryResult, names: tuple[str, ...]) -> QueryResult:
    indexes = [result.columns.index(name) for name in names]
    return QueryResult(names, tuple(tuple(row[i] for i in indexes) for row in result.rows))


def _what_happened(report: DemoReport) -> str:
    history, settings = report.history, report.settings
    statuses = Counter(execution.status for execution in history.executions)
    onset = history.drift_onset
    drift_flags = {row[0]: row[-1] for row in report.results["metric_drift"].rows}
    users = sorted({action.user for action in history.eda_actions})
    off_convention = sum(action.violation for action in history.eda_actions)
    outcomes = ", ".join(f"{count:,} {outcome}" for outcome, count in sorted(report.outcomes.items(), key=lambda item: -item[1]))
    duplicate = report.duplicate
    lines = [
        "== what happened",
        f"{len(history.executions)} daily executions of {report.pipeline} from {history.executions[0].start.date()} to "
        f"{history.end.date()}: {statuses[SUCCEEDED]} succeeded, "
        + ", ".join(f"{count} {status.lower()}" for status, count in sorted(statuses.items()) if status != SUCCEEDED),
        f"planted drift: {METRIC} {settings.auc_shift:+g} from execution {onset.execution_id} (run {onset.number + 1}, "
        f"{onset.end.date()}); metric_drift flags it {drift_flags.get(onset.execution_id, 'not at all')}",
        f"EDA: {len(history.eda_actions)} experiments and trials created by {', '.join(users)}; {off_convention} names off the convention",
        f"experiments deployed by the stack's custom resource: "
        + ", ".join(f"{e.name} ({'adopted' if e.adopted else 'created'})" for e in report.experiments),
        *_recorded_to_mlflow(report),
        f"{report.deliveries:,} events replayed through the {report.settings.environment.name} rules to the handlers: {outcomes}",
        f"duplicate: the Succeeded event {duplicate.event_id} of execution {duplicate.execution_id} was delivered twice; "
        f"{_lake_change(duplicate)}",
        f"quarantine: the queue {report.quarantine_queue} took {_events(len(report.quarantined))}, "
        f"copied to {report.out / QUARANTINE_FILE}",
        *(f"  {q.event_id} from the {q.handler}: {q.field}: {q.reason}" for q in report.quarantined),
    ]
    lines += [f"FAILED: {failure.reason} (event {failure.event_id})" for failure in report.failures]
    return "\n".join(lines) + "\n"


def _recorded_to_mlflow(report: DemoReport) -> list[str]:
    if report.mlflow is None:
        return []
    runs = sum(execution.evaluation is not None for execution in report.history.executions)
    experiment = new("pipeline-experiment", use_case=report.settings.use_case.name, env=ENVIRONMENT)
    server = "a local server the demo started, now stopped" if report.mlflow.data else "the server given"
    return [f"MLflow: the evaluate step recorded trial 1.2 of {runs} executions as runs of experiment {experiment} at "
            f"{report.mlflow.tracking_uri} ({server}); the snapshotter read them from there"]


def _events(count: int) -> str:
    return f"{count} event" if count == 1 else f"{count} events"


def _lake_change(duplicate: DuplicateCheck) -> str:
    if duplicate.lake_unchanged:
        return f"the lake was unchanged ({len(duplicate.after)} objects, same keys and ETags)"
    changed = sorted(key for key in duplicate.before.keys() | duplicate.after.keys() if duplicate.before.get(key) != duplicate.after.get(key))
    return f"THE LAKE CHANGED: {', '.join(changed)}"


def _mlflow_data(report: DemoReport) -> str:
    if report.mlflow is None or report.mlflow.data is None:
        return ""
    database = report.mlflow.data / DATABASE_FILE
    return f"MLflow runs: {database}; to browse them: python -m mlflow ui --backend-store-uri sqlite:///{database}\n"


def _next_steps(report: DemoReport) -> str:
    settings, lake = report.settings, report.lake
    first, last = report.history.executions[0].start.date(), report.history.end.date()
    threshold = f" --param {settings.min_value:g}" if settings.min_value is not None else ""
    min_value = f" --min-value {settings.min_value:g}" if settings.min_value is not None else ""
    return (
        f"lake: {lake} ({report.lake_objects} objects); chart: {report.chart}\n"
        f"  {report.chart_summary}\n"
        f"events delivered: {report.out / EVENTS_FILE}; handler logs: {report.out / HANDLER_LOG}; "
        f"took {report.seconds:.1f} s\n"
        f"{_mlflow_data(report)}"
        f"Query it yourself, e.g.\n"
        f"  mlmeta query metric_drift --lake {lake} --param {report.pipeline} --param {METRIC} --param {first} --param {last} "
        f"--param {settings.window_size} --param {settings.z_threshold:g}{threshold} --param {settings.min_change:g}\n"
        f"  mlmeta plot {METRIC} --use-case {settings.use_case.name} --lake {lake} --window {settings.window_size} "
        f"--z-threshold {settings.z_threshold:g} --min-change {settings.min_change:g}{min_value}"
    )
