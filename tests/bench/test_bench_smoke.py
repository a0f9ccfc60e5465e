"""The benchmarks run at tiny sizes and produce their table: one section per registered benchmark in
docs/benchmarks.md's shape, every row a figure, its baseline and their ratio. Not a timing test: the
numbers of a smoke run mean nothing."""

from __future__ import annotations

import re

import pytest

from bench.registry import BENCHMARKS
from bench.run import main
from bench.runtime_support import runtime_world

# Imported at collection, as tests/runtime's session fixture does in effect: a handler's logger keeps the
# stream it finds at import, and a test's capsys stream is closed once that test ends.
HANDLERS = [runtime_world.import_handler(package) for package in runtime_world.HANDLER_PACKAGES]

ROW = re.compile(r"^\| (?!case \|)(?!---)(.+) \|$")


def _number(cell: str) -> float:
    return float(cell.replace(",", ""))


def _sections(markdown: str) -> dict[str, list[list[str]]]:
    """Table rows (cells) under each ``## title``."""
    sections: dict[str, list[list[str]]] = {}
    title = None
    for line in markdown.splitlines():
        if line.startswith("## "):
            title = line[3:]
            sections[title] = []
        elif title and (match := ROW.match(line)):
            sections[title].append([cell.strip() for cell in re.split(r"(?<!\\)\|", match.group(1))])
    return sections


@pytest.mark.slow
def test_a_smoke_run_of_every_benchmark_writes_a_table_of_figures_baselines_and_ratios(tmp_path, capsys, monkeypatch):
    output = tmp_path / "benchmarks.md"
    # Generated lakes (queries-layout) go to a fresh cache, not the user's.
    monkeypatch.setenv("MLMETA_BENCH_CACHE", str(tmp_path / "cache"))

    assert main(["--smoke", "--with-make", "--output", str(output)]) == 0

    markdown = output.read_text(encoding="utf-8")
    assert "`python -m bench --smoke --with-make --output " in markdown
    assert re.search(r"Machine: \d+ CPUs.*Python 3\.\d+", markdown)
    sections = _sections(markdown)
    for title in (benchmark.title for benchmark in BENCHMARKS):
        rows = sections[title]
        assert rows, f"{title}: no rows"
        for case, measure, value, baseline, ratio, _note in rows:
            assert case and measure
            if ratio == "n/a":  # a baseline of 0 has no ratio (bench.model.Row.ratio)
                assert _number(baseline) == 0, (title, case, measure)
                continue
            assert _number(ratio) == pytest.approx(_number(value) / _number(baseline), rel=0.02), (title, case, measure)
    printed = capsys.readouterr().out
    assert all(f"{benchmark.name}: {benchmark.title}" in printed for benchmark in BENCHMARKS)


def test_an_unknown_benchmark_is_one_line_on_stderr(capsys):
    assert main(["--only", "no-such-benchmark"]) == 2

    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "unknown benchmark no-such-benchmark" in error
