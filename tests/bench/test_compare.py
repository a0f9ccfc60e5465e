"""python -m bench.compare: two benchmark pages' ratios matched by section, case and measure; a ratio worse
by more than the tolerance fails the comparison."""

from __future__ import annotations

from bench.compare import compare, main

OLD = """## Handler latency

| case | measure | mlmeta | baseline | ratio | note |
| --- | --- | ---: | ---: | ---: | --- |
| tagger | p50 (ms) | 2.00 | 1.00 | 2.00 | median |
| snapshotter | p50 (ms) | 1.00 | 1.00 | 1.00 | |
| reconciler | AWS calls | 6 | 4,001 | 0.00150 | |

## Other

| case | measure | mlmeta | baseline | ratio | note |
| --- | --- | ---: | ---: | ---: | --- |
| tagger | p50 (ms) | 9.00 | 1.00 | 9.00 | same case, another section |
"""


def _new(tagger: str, snapshotter: str) -> str:
    return (OLD.replace("| 2.00 | 1.00 | 2.00 |", f"| x | x | {tagger} |")
               .replace("| 1.00 | 1.00 | 1.00 |", f"| x | x | {snapshotter} |")
               .replace("| reconciler | AWS calls", "| reconciler2 | AWS calls"))  # fmt: skip


def test_rows_match_by_section_case_and_measure_and_unmatched_rows_are_listed():
    changes, gone, added = compare(OLD, _new("2.10", "1.00"))
    factors = {change.key: round(change.factor, 3) for change in changes}
    assert factors == {("Handler latency", "tagger", "p50 (ms)"): 1.05, ("Handler latency", "snapshotter", "p50 (ms)"): 1.0,
                       ("Other", "tagger", "p50 (ms)"): 1.0}
    assert gone == [("Handler latency", "reconciler", "AWS calls")] and added == [("Handler latency", "reconciler2", "AWS calls")]


def test_a_ratio_worse_by_more_than_the_tolerance_fails(tmp_path, capsys):
    old, new = tmp_path / "old.md", tmp_path / "new.md"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(_new("2.10", "1.20"), encoding="utf-8")
    assert main([str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert "WORSE Handler latency | snapshotter | p50 (ms)" in out and "3 ratios compared, 1 worse by more than 10%" in out
    assert main([str(old), str(new), "--tolerance", "0.25"]) == 0


def test_a_missing_page_is_one_line_exit_2(tmp_path, capsys):
    assert main([str(tmp_path / "nope.md"), str(tmp_path / "nope.md")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_a_side_of_several_pages_is_compared_by_each_rows_median_ratio(tmp_path, capsys):
    # One noisy run per side would call snapshotter 1.00 -> 1.30 worse; the medians of three say 1.00 -> 1.05.
    olds = [_new("2.00", ratio) for ratio in ("1.00", "0.90", "1.10")]
    news = [_new("2.00", ratio) for ratio in ("1.30", "1.05", "0.95")]
    changes, _, _ = compare(olds, news)
    assert {change.key[1]: round(change.factor, 3) for change in changes if change.key[0] == "Handler latency"} == {
        "tagger": 1.0, "snapshotter": 1.05, "reconciler2": 1.0}
    paths = {}
    for side, pages in (("old", olds), ("new", news)):
        paths[side] = []
        for number, page in enumerate(pages):
            path = tmp_path / f"{side}{number}.md"
            path.write_text(page, encoding="utf-8")
            paths[side].append(str(path))
    assert main(["--old", *paths["old"], "--new", *paths["new"]]) == 0
    assert main([paths["old"][0], paths["new"][0]]) == 1  # the single noisy run
    capsys.readouterr()


def test_a_row_only_some_pages_of_a_side_have_takes_the_median_of_those():
    # --only runs: each page holds one section; a side is the union of its pages.
    handler, other = OLD.split("## Other")
    changes, gone, added = compare([handler, "## Other" + other], [OLD])
    assert all(change.factor == 1.0 for change in changes) and len(changes) == 4 and not gone and not added


def test_mixing_positional_pages_and_sides_is_one_line_exit_2(tmp_path, capsys):
    page = tmp_path / "page.md"
    page.write_text(OLD, encoding="utf-8")
    assert main([str(page), str(page), "--old", str(page)]) == 2
    assert main(["--old", str(page)]) == 2
    assert capsys.readouterr().err.count("\n") == 2


def test_an_escaped_pipe_stays_inside_its_cell_and_a_zero_that_stays_zero_has_not_changed():
    # The drift benchmark's cases say "\|z\| >= 3"; its false-alarm counts are often 0 in both versions.
    page = """## Drift

| case | measure | mlmeta | baseline | ratio | note |
| --- | --- | ---: | ---: | ---: | --- |
| z-score, \\|z\\| >= 3 | false alarms | 0 | 2 | {ratio} | |
"""
    changes, _, _ = compare(page.format(ratio="0"), page.format(ratio="0"))
    assert [(change.key, change.factor) for change in changes] == [(("Drift", "z-score, \\|z\\| >= 3", "false alarms"), 1.0)]
    [worse] = compare(page.format(ratio="0"), page.format(ratio="0.5"))[0]
    assert worse.factor == float("inf")
