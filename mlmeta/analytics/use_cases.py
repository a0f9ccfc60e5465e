"""Telling "no runs" from "no such use case": a mistyped use case must not look like one that never ran.

Asked only when a call found no rows, so a call that finds rows costs nothing more:

- on a local lake, the use cases are those its snapshots name (scanning a local lake costs nothing);
- on Athena, they are the environment's configured use cases (``mlmeta.config``): listing the lake's
  would scan every partition of the bucket, for an answer the configuration already gives.
"""

from __future__ import annotations

from pathlib import Path

from mlmeta.analytics.source import AnalyticsError, Engine
from mlmeta.config import get_environment
from mlmeta.queries.catalog import NamedQuery

# Local only (never an Athena named query): the distinct use cases of both snapshot tables.
_LAKE_USE_CASES = NamedQuery(
    name="lake_use_cases",
    description="The use cases a local lake holds snapshots of.",
    parameters=(),
    sql="SELECT use_case FROM metric_snapshots UNION SELECT use_case FROM component_snapshots",
    path=Path(__file__),
)


def check_known_use_case(use_case: str, pipeline: str, engine: Engine, dt_range: tuple[str, str]) -> None:
    """AnalyticsError naming the use cases there are, unless ``use_case`` is one of them (then no rows
    is the answer). A lake without any snapshot yet cannot tell: no error."""
    if engine.lake is not None:
        known = lake_use_cases(engine.lake)
        if known and use_case not in known:
            raise AnalyticsError(
                f"no runs of use case {use_case!r} (pipeline {pipeline}) in the lake {engine.lake}; its use cases: {', '.join(known)}"
            )
        return
    env = get_environment(engine.athena.env)
    configured = [case.name for case in env.use_cases]
    if use_case not in configured:
        raise AnalyticsError(
            f"no runs of use case {use_case!r} (pipeline {pipeline}) on Athena from {dt_range[0]} to {dt_range[1]}, "
            f"and it is not a use case of the {env.name} environment; its use cases: {', '.join(configured)}"
        )


def lake_use_cases(lake: Path) -> list[str]:
    """The use cases a local lake holds snapshots of, sorted."""
    from mlmeta.queries.local_engine import run_local  # DuckDB: imported only for a local lake

    return sorted(row[0] for row in run_local(_LAKE_USE_CASES, [], lake).rows if row[0] is not None)
