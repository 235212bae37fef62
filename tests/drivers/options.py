"""Command-line options of the driver contract tests (registered from the suite's root conftest, so that
`pytest --port /dev/ttyUSB0` works from the repository root as well as with a path)."""
from __future__ import annotations

import pytest


def add_driver_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("kiosk drivers")
    group.addoption("--port", default=None, help="run the card-reader contract tests against this real port URL")
    group.addoption("--port-baud", type=int, default=115200, help="baud rate of the real card reader")
    group.addoption("--scanner-port", default=None, help="run the scanner contract tests against this real port URL")
    group.addoption("--scanner-baud", type=int, default=9600, help="baud rate of the real scanner")
    group.addoption("--gate-port", default=None,
                    help="run the gate relay contract tests against this real relay (port URL, hid[:NAME] or "
                         "gpio:CHIP:LINE[:low])")
    group.addoption("--gate-kind", default="lcus", choices=("lcus", "hid", "gpio"), help="kind of the real relay")
    group.addoption("--gate-channel", type=int, default=1, help="relay channel on the real board")
