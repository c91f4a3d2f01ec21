"""Benchmark: how long checking and rendering each built-in SOP takes (not part of the suite).

Run: .venv/bin/python bench/render.py [--repeat N]
Prints the median and worst time per SOP and format, in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from loket.sop.check import check_file
from loket.sop.render import FORMATS, render

DEFINITIONS = Path(__file__).resolve().parents[1] / "src/loket/sop/definitions"


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    render(check_file(next(DEFINITIONS.glob("*.yaml"))).sop, "pdf")  # warm-up: fonts, WeasyPrint imports
    print(f"{'sop':32} {'step':8} {'median ms':>10} {'max ms':>8}")
    for path in sorted(DEFINITIONS.glob("*.yaml")):
        sop = check_file(path).sop
        assert sop is not None
        rows = [("check", timed(lambda p=path: check_file(p), repeat))]
        rows += [(fmt, timed(lambda f=fmt, s=sop: render(s, f), repeat)) for fmt in FORMATS]
        for name, times in rows:
            print(f"{path.stem:32} {name:8} {statistics.median(times):10.1f} {max(times):8.1f}")


if __name__ == "__main__":
    main()
