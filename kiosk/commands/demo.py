"""`kiosk demo` (scripted scenario with emulated devices) and `kiosk run` (the kiosk on real devices)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kiosk.cli import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="run the whole kiosk on emulated devices through a scripted scenario")
    demo.add_argument("--headless", action="store_true", help="render offscreen even where a display exists")
    demo.add_argument("--screenshots", metavar="DIR",
                      help="save a screenshot of every state into DIR (with --screen: exactly WxH, plus layout.json)")
    demo.add_argument("--screen", metavar="WxH", type=_screen,
                      help="run full screen on a WxH panel, e.g. 1280x800 (offscreen where there is no display)")
    demo.set_defaults(handler=run_demo_command)

    run = sub.add_parser("run", help="run the kiosk on the devices named in the configuration")
    run.set_defaults(handler=run_kiosk_command)


def _choose_platform(headless: bool) -> None:
    if headless or not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def run_demo_command(args: argparse.Namespace) -> int:
    _choose_platform(args.headless)
    from kiosk.demo import run_demo, summary

    from kiosk.provisioning import ProvisioningError

    shots = Path(args.screenshots) if args.screenshots else None
    try:
        reports = run_demo(Path(args.data_dir) if args.data_dir else None, shots, headless=args.headless,
                           screen=args.screen)
    except ProvisioningError as exc:
        raise UsageError(f"{exc} (run the demo without --data-dir, or on a new one)") from None
    print(summary(reports))
    problems = getattr(run_demo, "layout_problems", []) if shots else []
    for step, state, element in problems[:20]:
        print(f"layout: {step} / {state}: {element.element} {element.text[:30]!r} at {element.x},{element.y} "
              f"{element.w}x{element.h} {'clipped' if element.clipped else 'off screen'}")
    if shots:
        print(f"screenshots in {shots}" + (f" ({len(problems)} layout problem(s))" if problems else ""))
    return 0 if reports and all(r.ok for r in reports) and not problems else 1


def _screen(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--screen wants WxH, e.g. 1280x800, not {text!r}") from None
    if not (320 <= width <= 7680 and 320 <= height <= 7680):
        raise argparse.ArgumentTypeError(f"--screen {text}: each side must be 320..7680 pixels")
    return width, height


def run_kiosk_command(args: argparse.Namespace) -> int:
    from kiosk.config import ConfigError, load_config

    from kiosk.commands.provision import production_problem
    from kiosk.datadir import DataDir

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    data_root = args.data_dir or config.data_dir or None
    problem = production_problem(config, DataDir(data_root))
    if problem:
        print(f"kiosk run: {problem}", file=sys.stderr)
        return 1
    _choose_platform(False)
    from kiosk.app import run_kiosk

    try:
        return run_kiosk(config, data_root)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
