"""Parts of `python -m bench hostile` (bench/bench_hostile.py): SIGKILL runs with log resets and damaged logs
(kills.py, its child process child.py) and the test suite's pass rate under full CPU load (suite.py)."""
