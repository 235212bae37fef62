"""Suite-wide fixtures: where the shared specs and test data live."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """../shared beside the repo, or $KIOSK_SHARED (for worktrees elsewhere)."""
    return Path(os.environ.get("KIOSK_SHARED") or REPO_ROOT.parent / "shared")


@pytest.fixture
def shared() -> Path:
    path = shared_dir()
    if not path.is_dir():
        pytest.skip(f"shared test data not found at {path} (set KIOSK_SHARED to its location)")
    return path


@pytest.fixture
def demo_kiosk(tmp_path, qtbot):
    """A Kiosk on a demo-provisioned data directory with an offscreen window and no devices: (kiosk, data,
    window); stopped afterwards."""
    from datetime import datetime, timezone

    from kiosk.app import Kiosk
    from kiosk.config import KioskConfig
    from kiosk.datadir import DataDir
    from kiosk.demo_data import provision
    from kiosk.ui.window import KioskWindow

    data = DataDir(tmp_path / "data")
    provision(data, datetime.now(timezone.utc), tmp_path)
    window = KioskWindow()
    qtbot.addWidget(window)
    kiosk = Kiosk(KioskConfig(), data, window)
    yield kiosk, data, window
    kiosk.stop()


def pytest_addoption(parser: pytest.Parser) -> None:
    from tests.drivers.options import add_driver_options  # --port / --scanner-port for real hardware

    add_driver_options(parser)
