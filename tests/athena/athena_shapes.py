"""Athena API responses in the shapes AWS documents (GetQueryExecution, GetQueryResults).

moto's Athena runs no SQL, so these tests stub the client with botocore's Stubber, which also
checks every request and response against the service model.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

SUBMITTED = datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)


def query_execution(execution_id: str, state: str, reason: str | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"State": state, "SubmissionDateTime": SUBMITTED}
    if reason is not None:
        status["StateChangeReason"] = reason
        status["AthenaError"] = {"ErrorCategory": 2, "ErrorType": 1006, "Retryable": False, "ErrorMessage": reason}
    return {
        "QueryExecution": {
            "QueryExecutionId": execution_id,
            "Query": "SELECT ...",
            "StatementType": "DML",
            "ResultConfiguration": {"OutputLocation": f"s3://athena-results/{execution_id}.csv"},
            "QueryExecutionContext": {"Database": "mlmeta_dev", "Catalog": "awsdatacatalog"},
            "Status": status,
            "WorkGroup": "mlmeta-dev",
            "EngineVersion": {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"},
        }
    }


def column_info(name: str, athena_type: str) -> dict[str, Any]:
    return {
        "CatalogName": "hive",
        "SchemaName": "",
        "TableName": "",
        "Name": name,
        "Label": name,
        "Type": athena_type,
        "Precision": 2147483647 if athena_type == "varchar" else 17,
        "Scale": 0,
        "Nullable": "UNKNOWN",
        "CaseSensitive": athena_type == "varchar",
    }


def results_page(
    columns: list[tuple[str, str]], rows: list[list[str | None]], *, header: bool, next_token: str | None = None
) -> dict[str, Any]:
    """One GetQueryResults page; ``None`` in a row is a SQL NULL (Athena leaves out VarCharValue)."""
    text_rows = ([[name for name, _ in columns]] if header else []) + rows
    page: dict[str, Any] = {
        "UpdateCount": 0,
        "ResultSet": {
            "Rows": [{"Data": [{} if v is None else {"VarCharValue": v} for v in row]} for row in text_rows],
            "ResultSetMetadata": {"ColumnInfo": [column_info(name, t) for name, t in columns]},
        },
    }
    if next_token is not None:
        page["NextToken"] = next_token
    return page
