"""Prints the conformance tally (pass/fail per EXPECTED* flag) in the terminal summary."""
from __future__ import annotations

from tests.conformance.tally import TALLY, lines


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001 - pytest hook
    if not TALLY:
        return
    terminalreporter.section("conformance tally (EU DCC dgc-testdata, SMART Health Cards)")
    for line in lines():
        terminalreporter.write_line(line)
