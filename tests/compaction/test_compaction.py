"""Compaction (mlmeta.lake.compaction) on a local lake: idempotent, atomic per partition, late snapshots,
concurrent writers, a run cut short, a corrupt object."""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from datetime import date
from pathlib import Path

import pytest
from compaction_fixtures import rows_per_day
from recording_store import RecordingStore

from mlmeta.lake.compaction import compact, compact_late_object, raw_days, scheduled_days, stray_folders
from mlmeta.lake.compaction_state import read_state
from mlmeta.lake.object_store import LocalDirectoryStore
from mlmeta.lake.parquet import decode_parquet, encode_parquet, parquet_metadata
from mlmeta_contract.lake.layout import COMPACTION_STATE_KEY, compacted_key, object_key
from mlmeta_contract.lake.records import decode_records, encode_records
from mlmeta_contract.lake.schema import COMPONENT_SNAPSHOTS, METRIC_SNAPSHOTS, TABLES


def compacted_objects(lake: Path) -> dict[str, str]:
    """Key -> SHA-256 of every compacted object."""
    return {
        path.relative_to(lake).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted((lake / "compacted").rglob("*.parquet"))
    }


def raw_rows(lake: Path, table, dt: str) -> list[dict]:
    return [row for path in sorted((lake / table.prefix / f"dt={dt}").glob("*.json.gz")) for row in decode_records(path.read_bytes())]


def test_a_day_becomes_one_parquet_object_per_table_with_the_raw_rows_and_its_sources(lake):
    store = LocalDirectoryStore(lake)
    days = raw_days(store)

    report = compact(store, days)

    assert report.failures == () and report.state_written
    for table in TABLES:
        for dt in days:
            path = lake / compacted_key(table, dt)
            raw = raw_rows(lake, table, dt)
            if not raw and not any((lake / table.prefix / f"dt={dt}").glob("*.json.gz")):
                assert not path.exists()
                continue
            blob = path.read_bytes()
            key = lambda row: json.dumps(row, sort_keys=True)  # noqa: E731
            assert sorted(decode_parquet(blob), key=key) == sorted(raw, key=key)
            metadata = parquet_metadata(blob)
            sources = sorted((lake / table.prefix / f"dt={dt}").glob("*.json.gz"))
            assert metadata["mlmeta.table"] == table.name and metadata["mlmeta.dt"] == dt
            assert metadata["mlmeta.rows"] == str(len(raw)) and metadata["mlmeta.source_objects"] == str(len(sources))
            assert len(metadata["mlmeta.source_sha256"]) == 64
    assert list((lake / "compacted").rglob("*")) and not list((lake / "compacted").rglob(".*"))  # no temporary files left


def test_a_rerun_writes_nothing_and_reads_no_raw_object(lake):
    store = RecordingStore(lake)
    compact(store, raw_days(store))
    before = compacted_objects(lake)
    store.puts.clear()
    store.gets.clear()

    report = compact(store, raw_days(store))

    assert store.puts == []
    assert store.gets == [COMPACTION_STATE_KEY]
    assert compacted_objects(lake) == before
    assert report.count("written") == 0 and not report.state_written


def test_without_its_state_a_rerun_makes_the_same_bytes_and_writes_only_the_state(lake):
    store = RecordingStore(lake)
    compact(store, raw_days(store))
    before = compacted_objects(lake)
    state_before = (lake / COMPACTION_STATE_KEY).read_bytes()
    (lake / COMPACTION_STATE_KEY).unlink()
    store.puts.clear()

    report = compact(store, raw_days(store))

    assert store.puts == [COMPACTION_STATE_KEY]
    assert compacted_objects(lake) == before
    assert report.count("same-bytes") == len(before) and report.count("written") == 0
    assert (lake / COMPACTION_STATE_KEY).read_bytes() == state_before


def test_the_same_rows_in_any_order_give_the_same_bytes(history):
    rows = list(history.metric_snapshots[:200])
    shuffled = random.Random(3).sample(rows, len(rows))
    metadata = {"mlmeta.table": "metric_snapshots"}
    assert encode_parquet(METRIC_SNAPSHOTS, rows, metadata) == encode_parquet(METRIC_SNAPSHOTS, shuffled, metadata)
    assert encode_parquet(METRIC_SNAPSHOTS, rows, metadata) != encode_parquet(METRIC_SNAPSHOTS, rows[1:], metadata)


def test_compacting_day_by_day_never_shows_a_day_empty_or_twice(lake):
    """Atomic per partition: after every single write of the compaction (each day's object, then the
    state), the views read exactly the raw lake's rows for every day."""
    expected = rows_per_day(lake)
    seen_states = []

    def check(key: str) -> None:
        assert rows_per_day(lake) == expected, f"after writing {key}"
        seen_states.append(key)

    store = RecordingStore(lake, after_put=check)
    for dt in raw_days(store):  # one run per day: the views switch days one at a time
        compact(store, [dt])

    objects = [key for key in seen_states if key != COMPACTION_STATE_KEY]
    assert len(objects) == len(compacted_objects(lake)) > 12
    assert seen_states.count(COMPACTION_STATE_KEY) == len(raw_days(store))
    assert all(read_state(store)[0].ranges(t.name) for t in TABLES)


def test_a_late_snapshot_is_not_counted_until_its_day_is_recompacted_then_once(lake, history):
    store = RecordingStore(lake)
    compact(store, raw_days(store))
    dt = "2026-01-07"
    before = rows_per_day(lake)
    late = [dict(row, pipeline_execution_id="late00000001") for row in history.metric_snapshots[:9]]
    for row in late:
        row["execution_end"] = f"{dt}T23:59:00.000Z"
    (lake / object_key(METRIC_SNAPSHOTS, dt, "late00000001")).write_bytes(encode_records(late))

    assert rows_per_day(lake) == before  # the day reads from its compacted object: no double counting
    store.puts.clear()
    report = compact_late_object(store, object_key(METRIC_SNAPSHOTS, dt, "late00000001"), today=date(2026, 2, 1))

    assert [(r.table, r.dt, r.outcome) for r in report.results] == [("metric_snapshots", dt, "written")]
    assert store.puts == [compacted_key(METRIC_SNAPSHOTS, dt), COMPACTION_STATE_KEY]
    after = rows_per_day(lake)
    assert after[("metric_snapshots", dt)] == before[("metric_snapshots", dt)] + len(late)
    assert {k: v for k, v in after.items() if k != ("metric_snapshots", dt)} == {k: v for k, v in before.items() if k != ("metric_snapshots", dt)}


def test_a_re_snapshot_replaces_its_rows_instead_of_adding_them(lake):
    store = LocalDirectoryStore(lake)
    compact(store, raw_days(store))
    path = sorted((lake / METRIC_SNAPSHOTS.prefix / "dt=2026-01-08").glob("*.json.gz"))[0]
    rows = decode_records(path.read_bytes())
    path.write_bytes(encode_records([dict(row, metric_value=0.5) for row in rows[:2]]))
    before = rows_per_day(lake)[("metric_snapshots", "2026-01-08")]

    compact(store, ["2026-01-08"])

    assert rows_per_day(lake)[("metric_snapshots", "2026-01-08")] == before - len(rows) + 2


def test_todays_snapshots_do_not_even_read_the_state(lake):
    store = RecordingStore(lake)
    key = sorted((lake / METRIC_SNAPSHOTS.prefix / "dt=2026-01-16").glob("*.json.gz"))[0].relative_to(lake).as_posix()

    report = compact_late_object(store, key, today=date(2026, 1, 16))

    assert [r.outcome for r in report.results] == ["skipped-not-compacted"]
    assert store.gets == [] and store.puts == []
    assert compact_late_object(store, "athena-results/x.csv", today=date(2026, 1, 16)) is None


def test_a_late_object_of_a_day_not_compacted_yet_is_left_to_raw(lake):
    store = RecordingStore(lake)
    compact(store, ["2026-01-05"])
    key = sorted((lake / COMPONENT_SNAPSHOTS.prefix / "dt=2026-01-09").glob("*.json.gz"))[0].relative_to(lake).as_posix()

    report = compact_late_object(store, key, today=date(2026, 2, 1))

    assert [r.outcome for r in report.results] == ["skipped-not-compacted"] and not report.state_written


def test_a_concurrent_state_write_is_merged_not_lost(lake):
    """Another compaction records its day between our read of the state and our write: ours retries on
    top of it, and both days end up compacted."""
    other = LocalDirectoryStore(lake)
    interfered = []

    def other_compaction(key: str) -> None:
        if key == COMPACTION_STATE_KEY and not interfered:
            interfered.append(key)
            compact(other, ["2026-01-06"])

    store = RecordingStore(lake, before_put=other_compaction)
    report = compact(store, ["2026-01-05"])

    assert report.state_written and interfered
    state, _ = read_state(other)
    assert {"2026-01-05", "2026-01-06"} <= set(state.table("metric_snapshots").days)
    assert state.ranges("metric_snapshots") == (("2026-01-05", "2026-01-06"),)


def test_a_run_cut_short_records_what_it_did_and_the_rest_still_reads_from_raw(lake):
    expected = rows_per_day(lake)
    calls = iter(range(1000))
    store = LocalDirectoryStore(lake)

    report = compact(store, raw_days(store), should_stop=lambda: next(calls) >= 7)

    assert report.stopped_early and report.state_written
    ranges = read_state(store)[0].ranges("metric_snapshots")
    assert ranges == (("2026-01-05", "2026-01-07"),)
    assert rows_per_day(lake) == expected
    assert compact(store, raw_days(store)).count("written") > 0  # the next run goes on
    assert read_state(store)[0].ranges("metric_snapshots") == (("2026-01-05", "2026-01-16"),)


def test_a_corrupt_object_fails_its_day_only_and_that_day_stays_on_raw(lake):
    corrupt = lake / METRIC_SNAPSHOTS.prefix / "dt=2026-01-10" / "corrupt.json.gz"
    corrupt.write_bytes(b"not gzip")
    store = LocalDirectoryStore(lake)

    report = compact(store, raw_days(store))

    assert [(r.table, r.dt) for r in report.failures] == [("metric_snapshots", "2026-01-10")]
    assert "BadGzipFile" in report.failures[0].reason
    assert read_state(store)[0].ranges("metric_snapshots") == (("2026-01-05", "2026-01-09"), ("2026-01-11", "2026-01-16"))
    assert read_state(store)[0].ranges("component_snapshots") == (("2026-01-05", "2026-01-16"),)


def _truncated(blob: bytes) -> bytes:
    return blob[: len(blob) // 2]


@pytest.mark.parametrize(
    ("case", "damage", "error"),
    [
        ("0 bytes", lambda blob: b"", "0 bytes: not a gzip object"),
        ("truncated gzip", _truncated, "EOFError"),
        ("a JSON array, not an object", lambda blob: gzip.compress(b"[1, 2]\n", mtime=0), "not an object"),
    ],
    ids=["0-bytes", "truncated-gzip", "json-array"],
)
def test_an_unreadable_object_leaves_its_day_raw_names_the_key_and_loses_nothing(lake, case, damage, error):
    """A day with an unreadable raw object is never compacted without it (it would vanish from every
    query): the day fails with the object's key, stays raw, and every raw object is still there."""
    day = lake / METRIC_SNAPSHOTS.prefix / "dt=2026-01-10"
    victim = sorted(day.glob("*.json.gz"))[0]
    victim.write_bytes(damage(victim.read_bytes()))
    raw_before = {path: path.read_bytes() for path in sorted(lake.rglob("*.json.gz"))}
    store = LocalDirectoryStore(lake)

    report = compact(store, raw_days(store))

    [failure] = report.failures
    assert (failure.table, failure.dt) == ("metric_snapshots", "2026-01-10")
    key = victim.relative_to(lake).as_posix()
    assert key in failure.reason and error in failure.reason
    assert not (lake / compacted_key(METRIC_SNAPSHOTS, "2026-01-10")).exists()
    assert read_state(store)[0].ranges("metric_snapshots") == (("2026-01-05", "2026-01-09"), ("2026-01-11", "2026-01-16"))
    assert {r.outcome for r in report.results if r is not failure} == {"written", "no-raw-objects"}  # the other days went on
    assert {path: path.read_bytes() for path in sorted(lake.rglob("*.json.gz"))} == raw_before


def test_a_snapshot_of_no_metrics_is_an_empty_object_not_an_unreadable_one(lake):
    # A failed execution may have no metric: the snapshotter then writes valid gzip with no line.
    (lake / METRIC_SNAPSHOTS.prefix / "dt=2026-01-10" / "nometrics0000.json.gz").write_bytes(encode_records([]))
    store = LocalDirectoryStore(lake)

    assert compact(store, raw_days(store)).failures == ()


def test_folders_that_are_not_days_are_reported_and_never_compacted_or_scheduled(lake):
    for name in ("dt=garbage", "dt=2026-13-01"):
        (lake / METRIC_SNAPSHOTS.prefix / name).mkdir()
        (lake / METRIC_SNAPSHOTS.prefix / name / "x.json.gz").write_bytes(b"not ours")
    store = LocalDirectoryStore(lake)

    assert stray_folders(store) == [f"{METRIC_SNAPSHOTS.prefix}/dt=2026-13-01/", f"{METRIC_SNAPSHOTS.prefix}/dt=garbage/"]
    assert "2026-13-01" not in raw_days(store) and "2026-13-01" not in scheduled_days(store, date(2026, 2, 1), lookback_days=2)
    report = compact(store, raw_days(store))
    assert report.failures == ()
    assert read_state(store)[0].ranges("metric_snapshots") == (("2026-01-05", "2026-01-16"),)


def test_scheduled_runs_look_back_and_backfill_days_never_compacted(lake):
    store = LocalDirectoryStore(lake)
    compact(store, [f"2026-01-{d:02d}" for d in range(5, 10)])

    days = scheduled_days(store, date(2026, 1, 15), lookback_days=2)

    # never compacted and before today: 10..14; the look-back window: 13, 14; today (15) never.
    assert days == ["2026-01-10", "2026-01-11", "2026-01-12", "2026-01-13", "2026-01-14"]
    with pytest.raises(ValueError, match="at least 1"):
        scheduled_days(store, date(2026, 1, 15), lookback_days=0)


def test_days_without_any_run_do_not_split_the_compacted_range(tmp_path, history):
    lake = tmp_path / "lake"
    from mlmeta.local.synthetic_lake import LakeRecords, write_lake

    # Only every other day has executions: the days between have no raw objects at all.
    rows = tuple(r for r in history.metric_snapshots if int(r["execution_end"][8:10]) % 2 == 1)
    write_lake(lake, LakeRecords(rows, (), ()))
    store = LocalDirectoryStore(lake)
    compact(store, raw_days(store))

    assert read_state(store)[0].ranges("metric_snapshots") == (("2026-01-05", "2026-01-15"),)


@pytest.mark.parametrize("bad", ["2026-1-05", "yesterday", "2026-02-30"])
def test_a_day_that_is_not_a_date_is_refused(lake, bad):
    with pytest.raises(ValueError, match="not a day"):
        compact(LocalDirectoryStore(lake), [bad])
