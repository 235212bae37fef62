"""Runs on the system Python (python3-pyatspi): prints, as JSON, the role and name of every accessible object of
the application named on the command line, as a screen reader would see them, and the announcements it hears
in the next SECONDS.    Usage: atspi_client.py APP_NAME SECONDS"""
from __future__ import annotations

import json
import sys
import time

import pyatspi


def walk(node, depth=0, out=None):
    out = [] if out is None else out
    if node is None or depth > 40:
        return out
    try:
        out.append({"role": node.getRoleName(), "name": node.name or "",
                    "showing": node.getState().contains(pyatspi.STATE_SHOWING)})
        for index in range(node.childCount):
            walk(node.getChildAtIndex(index), depth + 1, out)
    except Exception:  # noqa: BLE001 - an object that vanished mid-walk
        pass
    return out


def listen(seconds: float) -> list[str]:
    """Announcements (Qt >= 6.8 QAccessibleAnnouncementEvent -> AT-SPI object:announcement) heard meanwhile."""
    from gi.repository import GLib
    heard: list[str] = []
    def on_event(event):
        heard.append(str(event.any_data))
    pyatspi.Registry.registerEventListener(on_event, "object:announcement")
    GLib.timeout_add(int(seconds * 1000), lambda: pyatspi.Registry.stop() or False)
    pyatspi.Registry.start()
    return heard


def find(name: str, timeout: float):
    """Poll the desktop until the application has registered (or the timeout passes)."""
    deadline = time.monotonic() + timeout
    while True:
        desktop = pyatspi.Registry.getDesktop(0)
        for index in range(desktop.childCount):
            app = desktop.getChildAtIndex(index)
            if app is not None and app.name == name and app.childCount:
                return app, desktop
        if time.monotonic() > deadline:
            return None, desktop
        time.sleep(0.1)


def main() -> int:
    app, desktop = find(sys.argv[1], 10.0)
    if app is not None:
        tree = walk(app)
        print(json.dumps({"tree": tree, "announcements": listen(float(sys.argv[2]))}))
        return 0
    print(json.dumps({"apps": [desktop.getChildAtIndex(i).name for i in range(desktop.childCount)]}))
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
