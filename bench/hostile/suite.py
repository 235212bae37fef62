"""The test suite's pass rate under full CPU load: the project's test command run N times while every core is busy.

Load: `stress-ng --cpu <cores>` when it is installed, else one busy-loop Python process per core; it runs in a
process group of its own, started before the first run and ended (that group only) after the last. Each run's
output goes to a file; the report gives passes out of N, each run's time and the failing tests it named.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_COMMAND = "bash scripts/run-tests.sh .venv"  # `make test` without its setup step
_FAILED = re.compile(r"^(FAILED|ERROR) (\S+)", re.M)
_SUMMARY = re.compile(r"^=+ (.*(passed|failed|error).*) =+$", re.M)


def start_load(cores: int | None = None) -> tuple[subprocess.Popen, str]:
    """Every core busy; returns the load's leader process and what it is."""
    cores = cores or os.cpu_count() or 1
    if shutil.which("stress-ng"):
        proc = subprocess.Popen(["stress-ng", "--cpu", str(cores), "--quiet"], start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return proc, f"stress-ng --cpu {cores}"
    spin = ("import os, subprocess, sys\n"
            "n = int(sys.argv[1])\n"
            "kids = [subprocess.Popen([sys.executable, '-c', 'while True: pass']) for _ in range(n - 1)]\n"
            "while True: pass\n")
    proc = subprocess.Popen([sys.executable, "-c", spin, str(cores)], start_new_session=True)
    return proc, f"{cores} busy-loop processes"


def stop_load(proc: subprocess.Popen) -> None:
    """End the load's own process group (it was started in a new session: nothing else is in it)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(30)


def run(runs: int, command: str = DEFAULT_COMMAND, out_dir: Path | None = None, timeout_s: float = 3600) -> dict:
    out_dir = out_dir or Path(os.environ.get("BENCH_DIR", "/tmp")) / f"bench-suite-{os.getpid()}"
    out_dir.mkdir(parents=True, exist_ok=True)
    load, what = start_load()
    results = []
    try:
        for n in range(1, runs + 1):
            log = out_dir / f"run-{n}.log"
            started = time.perf_counter()
            with open(log, "w") as fh:
                try:
                    code = subprocess.run(command, shell=True, cwd=REPO, stdout=fh, stderr=subprocess.STDOUT,
                                          timeout=timeout_s).returncode
                except subprocess.TimeoutExpired:
                    code = -1
            text = log.read_text(errors="replace")
            summary = _SUMMARY.findall(text)
            results.append({"run": n, "passed": code == 0, "exit": code,
                            "seconds": round(time.perf_counter() - started, 1),
                            "summary": summary[-1][0] if summary else "", "failed": _FAILED.findall(text)[:10],
                            "log": str(log)})
            print(f"  suite run {n}/{runs}: {'pass' if code == 0 else f'FAIL (exit {code})'} in "
                  f"{results[-1]['seconds']} s  {results[-1]['summary']}", flush=True)
    finally:
        stop_load(load)
    return {"runs": runs, "passed": sum(r["passed"] for r in results), "load": what, "command": command,
            "results": results}


def report(out: dict) -> None:
    print(f"test suite under full CPU load ({out['load']}): {out['passed']}/{out['runs']} runs passed  "
          f"(target {out['runs']}/{out['runs']}); command: {out['command']}")
    for r in out["results"]:
        if not r["passed"]:
            names = ", ".join(f"{kind} {name}" for kind, name in r["failed"]) or "see the log"
            print(f"  run {r['run']} failed: {names}  ({r['log']})")


if __name__ == "__main__":  # a quick look: python -m bench.hostile.suite N [COMMAND]
    report(run(int(sys.argv[1]), *(sys.argv[2:3] or [DEFAULT_COMMAND])))
