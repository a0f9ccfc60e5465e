"""``python -m bench.compare OLD.md NEW.md``: the ratios of two docs/benchmarks.md side by side, matched by
section, case and measure, with those that got worse by more than ``--tolerance`` (default 10%) marked.
For "no ratio worse by more than 10%" after a change: keep the old page (``git show REV:docs/benchmarks.md``)
and compare it with the regenerated one. Exit 1 when some ratio got worse beyond the tolerance, 2 on a
bad argument; rows in only one page are listed, not judged.

``python -m bench.compare --old A1.md A2.md ... --new B1.md B2.md ...``: each side is several pages (repeated
runs, or ``--only`` runs of single benchmarks, of one version); a row's ratio on a side is the median over
the pages that have it. A millisecond-scale wall time moves by more than 10% from run to run on a shared
machine; the median of a few runs per side does not (``bench.versions`` runs both sides in turns)."""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

Key = tuple[str, str, str]  # a row: section, case, measure
# A cell is anything but an unescaped "|" (the drift benchmark's cases say "\|z\| >= 3").
_CELL = r"(?:[^|\\]|\\.)"
_ROW = re.compile(rf"^\| (?P<case>{_CELL}+?) \| (?P<measure>{_CELL}+?) \| {_CELL}* \| {_CELL}* \| (?P<ratio>{_CELL}*?) \| .*\|$")


@dataclass(frozen=True)
class Change:
    key: Key  # section, case, measure
    old: float
    new: float

    @property
    def factor(self) -> float:
        if not self.old:  # a count that stays 0 has not changed
            return 1.0 if not self.new else float("inf")
        return self.new / self.old


def ratios(page: str) -> dict[Key, float]:
    """(section, case, measure) -> ratio, for every table row of a benchmarks page with a numeric ratio."""
    found: dict[Key, float] = {}
    section = ""
    for line in page.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        match = _ROW.match(line)
        if match is None or match["case"] == "case" or set(match["case"]) <= {"-", " "}:
            continue
        try:
            found[(section, match["case"], match["measure"])] = float(match["ratio"].replace(",", ""))
        except ValueError:
            continue
    return found


def ratios_by_row(pages: Sequence[str]) -> dict[Key, list[float]]:
    """Each row's ratios, one per page that has it."""
    seen: dict[Key, list[float]] = {}
    for page in pages:
        for key, ratio in ratios(page).items():
            seen.setdefault(key, []).append(ratio)
    return seen


def median_ratios(pages: Sequence[str]) -> dict[Key, float]:
    """Each row's median ratio over the pages that have it."""
    return {key: statistics.median(values) for key, values in ratios_by_row(pages).items()}


def compare(old: str | Sequence[str], new: str | Sequence[str]) -> tuple[list[Change], list[Key], list[Key]]:
    """Changes of the rows both sides have, and the rows only the old, only the new side has. A side is
    one page or several (their median ratios)."""
    before, after = (median_ratios([side] if isinstance(side, str) else side) for side in (old, new))
    changes = [Change(key, before[key], after[key]) for key in before if key in after]
    return changes, sorted(set(before) - set(after)), sorted(set(after) - set(before))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", type=Path, nargs="*", metavar="OLD.md NEW.md", help="one page a side")
    parser.add_argument("--old", type=Path, nargs="+", default=[], metavar="PAGE", help="the old side's pages (median ratios)")
    parser.add_argument("--new", type=Path, nargs="+", default=[], metavar="PAGE", help="the new side's pages (median ratios)")
    parser.add_argument("--tolerance", type=float, default=0.10, help="how much worse a ratio may get (default 0.10)")
    args = parser.parse_args(argv)
    if args.pages and (args.old or args.new) or not args.pages and not (args.old and args.new) or len(args.pages) not in (0, 2):
        print("python -m bench.compare: give OLD.md NEW.md, or --old PAGE... --new PAGE...", file=sys.stderr)
        return 2
    old_paths, new_paths = ([args.pages[0]], [args.pages[1]]) if args.pages else (args.old, args.new)
    try:
        old, new = [path.read_text(encoding="utf-8") for path in old_paths], [path.read_text(encoding="utf-8") for path in new_paths]
    except OSError as err:
        print(f"python -m bench.compare: cannot read {err.filename}: {err.strerror}", file=sys.stderr)
        return 2
    changes, gone, added = compare(old, new)
    worse = [c for c in changes if c.factor > 1 + args.tolerance]
    for change in changes:
        mark = "WORSE" if change in worse else ""
        section, case, measure = change.key
        print(f"{change.old:>10.4g} -> {change.new:<10.4g} x{change.factor:<6.3f} {mark:5} {section} | {case} | {measure}")
    for label, keys in (("only in the old page", gone), ("only in the new page", added)):
        for section, case, measure in keys:
            print(f"{label}: {section} | {case} | {measure}")
    print(f"{len(changes)} ratios compared, {len(worse)} worse by more than {args.tolerance:.0%}")
    return 1 if worse else 0


if __name__ == "__main__":
    raise SystemExit(main())
