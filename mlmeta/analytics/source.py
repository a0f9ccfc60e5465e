"""What every analytics call resolves first: the pipeline's name, the engine, and the dt range.

Default dt range (``since``/``until`` not given), the same for ``mlmeta plot``:

- on a local lake (``lake=DIR``): everything in it. Scanning a directory costs nothing, and fixture or
  copied lakes hold dates of any age.
- on Athena: the last 365 days up to today (UTC), so a query scans a year of partitions, not the whole
  bucket. Give ``since`` for more.

Dates are UTC calendar dates (the lake's ``dt`` is the UTC date of an execution's end).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from mlmeta.queries.runner import AthenaTarget
from mlmeta_contract.naming import ConventionError, NamingError, new, resolve_convention

ATHENA_DEFAULT_DAYS = 365
# The widest dt strings: with string comparisons they select every partition.
OPEN_RANGE = (date.min.isoformat(), date.max.isoformat())

DateLike = str | date | datetime


class AnalyticsError(ValueError):
    """A bad argument to an analytics call (one-line message)."""


@dataclass(frozen=True)
class Engine:
    """Keyword arguments of ``mlmeta.queries.runner.run_named``: exactly one is set."""

    lake: Path | None = None
    athena: AthenaTarget | None = None

    @property
    def kwargs(self) -> dict[str, Any]:
        return {"lake": self.lake, "athena": self.athena}


def pipeline_name(use_case: str, env: str) -> str:
    """``{usecase}-{env}`` by the naming convention in force ($MLMETA_NAMING_CONVENTION or the default)."""
    try:
        return new("pipeline", use_case=use_case, env=env, convention=resolve_convention())
    except (NamingError, ConventionError) as err:
        raise AnalyticsError(str(err)) from None


def choose_engine(lake: Path | str | None, athena: bool | AthenaTarget | None, env: str) -> Engine:
    """``athena=True`` uses the environment ``env``'s workgroup, database and region; an AthenaTarget
    without an env gets ``env`` too."""
    wants_athena = athena is not None and athena is not False
    if (lake is not None) == wants_athena:
        raise AnalyticsError("pass exactly one of lake=DIR (a local lake, DuckDB) or athena=True / athena=AthenaTarget(...)")
    if lake is not None:
        return Engine(lake=Path(lake))
    if athena is True:
        return Engine(athena=AthenaTarget(env=env))
    if not isinstance(athena, AthenaTarget):
        raise AnalyticsError(f"athena must be True or an AthenaTarget, got {athena!r}")
    return Engine(athena=athena if athena.env is not None else replace(athena, env=env))


def dt_range(since: DateLike | None, until: DateLike | None, engine: Engine, today: date | None = None) -> tuple[str, str]:
    """``(from_dt, to_dt)``, inclusive YYYY-MM-DD strings, with the defaults of the module docstring."""
    first = _utc_date(since, "since")
    last = _utc_date(until, "until")
    if engine.athena is not None:
        last = last or today or utc_today()
        first = first or last - timedelta(days=ATHENA_DEFAULT_DAYS)
    if first and last and first > last:
        raise AnalyticsError(f"since ({first}) is after until ({last})")
    return (first.isoformat() if first else OPEN_RANGE[0], last.isoformat() if last else OPEN_RANGE[1])


def utc_today() -> date:
    return datetime.now(UTC).date()


def _utc_date(value: DateLike | None, name: str) -> date | None:
    """A date as given; a datetime's UTC date (naive means UTC); 'YYYY-MM-DD' text."""
    if value is None:
        return None
    if isinstance(value, datetime):  # before date: datetime is a date subclass
        return (value.astimezone(UTC) if value.tzinfo else value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise AnalyticsError(f"{name} must be a date (YYYY-MM-DD, date or datetime), got {value!r}")
