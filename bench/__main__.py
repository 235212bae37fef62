"""`python -m bench AREA [ARGS]` runs bench/bench_AREA.py; with no AREA, lists the areas."""
from __future__ import annotations

import importlib
import pkgutil
import sys

import bench


def main() -> int:
    areas = sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    if len(sys.argv) < 2 or sys.argv[1] not in areas:
        print("usage: python -m bench AREA [ARGS]   (make bench BENCH_ARGS='AREA ...')")
        print("areas:", ", ".join(areas) or "none yet")
        return 2
    return int(importlib.import_module(f"bench.bench_{sys.argv[1]}").main(sys.argv[2:]) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
