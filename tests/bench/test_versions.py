"""python -m bench.versions: two checkouts' benchmarks in turns, compared by median ratios; pages already
written are reused, so no benchmark runs here."""

from __future__ import annotations

from pathlib import Path

from bench.versions import Run, main, rounds_of, schedule

PAGE = """## Handler latency

| case | measure | mlmeta | baseline | ratio | note |
| --- | --- | ---: | ---: | ---: | --- |
| tagger | p50 (ms) | x | x | {ratio} | |
"""


def test_the_sides_take_turns_going_first_round_by_round():
    runs = schedule(rounds_of(["handler-latency", "demo"], 3))
    assert [(run.round, run.benchmark, run.side) for run in runs[:4]] == [
        (1, "handler-latency", "old"), (1, "handler-latency", "new"), (1, "demo", "old"), (1, "demo", "new")]
    assert [run.side for run in runs if run.round == 2] == ["new", "old", "new", "old"]
    assert len(runs) == 12 and len(set(runs)) == 12


def test_a_benchmark_may_have_its_own_number_of_rounds():
    runs = schedule(rounds_of(["queries-layout=1", "demo"], 2))
    assert [(run.round, run.benchmark) for run in runs if run.side == "old"] == [(1, "queries-layout"), (1, "demo"), (2, "demo")]
    for wrong in ("demo=two", "demo=0"):
        try:
            rounds_of([wrong], 3)
        except ValueError as err:
            assert wrong in str(err)
        else:
            raise AssertionError(f"{wrong} accepted")


def _checkouts(tmp_path: Path) -> tuple[Path, Path]:
    checkouts = []
    for side in ("old", "new"):
        python = tmp_path / side / ".venv" / "bin" / "python"
        python.parent.mkdir(parents=True)
        python.write_text("", encoding="utf-8")
        checkouts.append(tmp_path / side)
    return checkouts[0], checkouts[1]


def test_pages_already_there_are_compared_by_median_and_written_as_markdown(tmp_path, capsys):
    old, new = _checkouts(tmp_path)
    work = tmp_path / "pages"
    work.mkdir()
    # One noisy new run (1.5) among three: the median (1.05) is within 10% of the old median (1.0).
    for side, ratios in (("old", ("1.0", "0.9", "1.1")), ("new", ("1.5", "1.05", "0.95"))):
        for number, ratio in enumerate(ratios, 1):
            Run(side, "handler-latency", number).page(work).write_text(PAGE.format(ratio=ratio), encoding="utf-8")
    output = tmp_path / "comparison.md"
    assert main([str(old), str(new), "--only", "handler-latency", "--work", str(work), "--output", str(output)]) == 0
    text = output.read_text(encoding="utf-8")
    # spread: the larger of old 1.1/0.9 and new 1.5/0.95
    assert "| Handler latency | tagger | p50 (ms) | 1 | 1.05 | 1.050 | 1.579 |" in text
    assert "**0 of 1 ratios are worse by more than 10%**; of those, 0" in text
    assert capsys.readouterr().err.count("kept") == 6

    # Worse, but the new version's own runs move as much (1.5 / 0.95): said so.
    Run("new", "handler-latency", 2).page(work).write_text(PAGE.format(ratio="1.4"), encoding="utf-8")
    assert main([str(old), str(new), "--only", "handler-latency", "--work", str(work)]) == 1
    assert "| 1.400 **worse, within the spread** | 1.579 |" in capsys.readouterr().out

    # Worse in every run of the new version, each version steady: worse beyond its spread.
    for number, ratio in enumerate(("1.4", "1.45", "1.5"), 1):
        Run("new", "handler-latency", number).page(work).write_text(PAGE.format(ratio=ratio), encoding="utf-8")
    assert main([str(old), str(new), "--only", "handler-latency", "--work", str(work)]) == 1
    out = capsys.readouterr().out
    assert "| 1.450 **worse** | 1.222 |" in out and "**1 of 1 ratios are worse by more than 10%**; of those, 0 by no more" in out


def test_a_checkout_without_its_venv_is_one_line_exit_2(tmp_path, capsys):
    old, new = _checkouts(tmp_path)
    assert main([str(old), str(tmp_path / "missing"), "--only", "demo", "--work", str(tmp_path / "w")]) == 2
    assert main([str(old), str(new), "--only", "demo", "--work", str(tmp_path / "w"), "--repeats", "0"]) == 2
    assert main([str(old), str(new), "--only", "demo=x", "--work", str(tmp_path / "w")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 3 and "make install" in err and "--repeats 0" in err and "NAME=ROUNDS" in err
