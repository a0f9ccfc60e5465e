from __future__ import annotations

import pytest

# Small stand-ins for mlmeta/queries/sql/*.sql, so these tests do not change when the real queries do.
SAMPLE_QUERIES = {
    "metric_history": """\
-- Query: metric_history
-- Description: One metric of one pipeline over time.
-- Param 1: pipeline_name varchar - the pipeline, e.g. churn-prediction-dev
-- Param 2: from_dt date - first dt partition (YYYY-MM-DD), inclusive
SELECT dt, metric_name, metric_value, metric_count
FROM metric_snapshots
WHERE pipeline_name = ? AND dt >= ?
ORDER BY dt, metric_name
""",
    "pipeline_count": """\
-- Query: pipeline_count
-- Description: How many pipelines have snapshots.
SELECT count(DISTINCT pipeline_name) AS pipelines FROM metric_snapshots
""",
}


@pytest.fixture
def queries_dir(tmp_path, monkeypatch):
    directory = tmp_path / "queries"
    directory.mkdir()
    for name, sql in SAMPLE_QUERIES.items():
        (directory / f"{name}.sql").write_text(sql)
    monkeypatch.setenv("MLMETA_QUERIES_DIR", str(directory))
    return directory
