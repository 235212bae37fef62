"""The relay backends behind one small blocking interface: open, set(on), probe, close.

Why: the gate thread does not care whether a contact is a USB-serial board, a USB HID board or a GPIO line; it
needs to drive it, to learn at once that it is gone, and to leave it off whatever happens. Each backend turns
its library's failures into RelayError. Only the gate's own thread (or a CLI command) calls these.
The hardware libraries (`hid` from hidapi, `gpiod` v2) are imported when first used; tests and the demo pass
an emulator of the library's interface instead (drivers/gate/fake_hid.py, fake_gpiod.py).
"""
from __future__ import annotations

from typing import Any, Protocol

from drivers.gate import hid_protocol, lcus
from drivers.ports import PortOpenError, open_port

KINDS = ("lcus", "hid", "gpio")
CONSUMER = "kiosk-gate"


class RelayError(OSError):
    """The relay cannot be reached or did not switch."""


class Relay(Protocol):
    name: str

    def open(self) -> None: ...
    def set(self, on: bool) -> None: ...
    def probe(self) -> None: ...
    def close(self) -> None: ...


class LcusRelay:
    """An LCUS board on a pyserial URL. The boards never answer, so a lost board is noticed by the port itself."""

    def __init__(self, url: str, channel: int = 1, baudrate: int = lcus.BAUDRATE) -> None:
        lcus.encode(channel, False)  # validates the channel
        self.name, self.channel, self.baudrate = url, channel, baudrate
        self._port: Any = None

    def open(self) -> None:
        try:
            self._port = open_port(self.name, baudrate=self.baudrate, timeout=0, write_timeout=0.5)
        except PortOpenError as exc:
            raise RelayError(str(exc)) from None
        self.set(False)

    def set(self, on: bool) -> None:
        if self._port is None:
            raise RelayError(f"{self.name}: not open")
        try:
            self._port.write(lcus.encode(self.channel, on))
            self._port.flush()
        except Exception as exc:  # noqa: BLE001 - SerialException, OSError, SerialTimeoutException
            raise RelayError(f"{self.name}: {exc}") from None
        self.probe()  # a write to a vanished tty may be swallowed; the line status is not

    def probe(self) -> None:
        try:
            waiting = self._port.in_waiting
            if waiting:
                self._port.read(min(waiting, 4096))  # these boards say nothing; drop line noise
        except Exception as exc:  # noqa: BLE001
            raise RelayError(f"{self.name}: {exc}") from None

    def close(self) -> None:
        port, self._port = self._port, None
        if port is None:
            return
        try:
            port.write(lcus.encode(self.channel, False))
            port.flush()
        except Exception:  # noqa: BLE001 - best effort: the board may be gone
            pass
        try:
            port.close()
        except Exception:  # noqa: BLE001
            pass


class HidRelay:
    """A USBRelayN board through hidapi. `name`: `hid` (the first board) or `hid:NAME` (its 5-character name)."""

    def __init__(self, spec: str, channel: int = 1, hid_module: Any = None) -> None:
        hid_protocol.switch_report(channel, False)  # validates the channel
        self.name, self.channel = spec, channel
        self.wanted = spec.split(":", 1)[1] if spec.startswith("hid:") else ""
        self._hid = hid_module
        self._device: Any = None

    def _module(self) -> Any:
        if self._hid is None:
            try:
                import hid  # hidapi
            except ImportError as exc:
                raise RelayError(f"hidapi is not installed: {exc}") from None
            self._hid = hid
        return self._hid

    def open(self) -> None:
        hid = self._module()
        try:
            found = hid.enumerate(hid_protocol.VENDOR_ID, hid_protocol.PRODUCT_ID)
        except Exception as exc:  # noqa: BLE001
            raise RelayError(f"{self.name}: cannot list HID devices: {exc}") from None
        for info in found:
            device = hid.device()
            try:
                device.open_path(info["path"])
                state = hid_protocol.parse_state(device.get_feature_report(hid_protocol.REPORT_ID, 9))
            except Exception:  # noqa: BLE001 - busy, no permission, not a relay: try the next one
                _close_quietly(device)
                continue
            if not self.wanted or state.name == self.wanted:
                count = hid_protocol.channel_count(str(info.get("product_string") or ""))
                if count and self.channel > count:
                    _close_quietly(device)
                    raise RelayError(f"{self.name}: the board has {count} channel(s), not {self.channel}")
                self._device = device
                self.set(False)
                return
            _close_quietly(device)
        raise RelayError(f"{self.name}: no USB HID relay board" + (f" named {self.wanted}" if self.wanted else ""))

    def set(self, on: bool) -> None:
        if self._device is None:
            raise RelayError(f"{self.name}: not open")
        try:
            sent = self._device.send_feature_report(hid_protocol.switch_report(self.channel, on))
        except Exception as exc:  # noqa: BLE001
            raise RelayError(f"{self.name}: {exc}") from None
        if isinstance(sent, int) and sent < 0:
            raise RelayError(f"{self.name}: the board refused the report")
        if self._read_state().is_on(self.channel) != on:
            raise RelayError(f"{self.name}: channel {self.channel} did not switch {'on' if on else 'off'}")

    def probe(self) -> None:
        self._read_state()

    def _read_state(self) -> hid_protocol.BoardState:
        try:
            return hid_protocol.parse_state(self._device.get_feature_report(hid_protocol.REPORT_ID, 9))
        except Exception as exc:  # noqa: BLE001
            raise RelayError(f"{self.name}: {exc}") from None

    def close(self) -> None:
        device, self._device = self._device, None
        if device is None:
            return
        try:
            device.send_feature_report(hid_protocol.switch_report(self.channel, False))
        except Exception:  # noqa: BLE001
            pass
        _close_quietly(device)


class GpioRelay:
    """A GPIO output line through libgpiod v2: `gpio:CHIP:LINE` or `gpio:CHIP:LINE:low` (active low)."""

    def __init__(self, spec: str, gpiod_module: Any = None) -> None:
        self.name = spec
        self.chip_path, self.line, self.active_low = parse_gpio(spec)
        self._gpiod = gpiod_module
        self._request: Any = None

    def open(self) -> None:
        gpiod = self._gpiod = self._gpiod or import_gpiod()
        settings = gpiod.LineSettings(direction=gpiod.line.Direction.OUTPUT, active_low=self.active_low,
                                      output_value=gpiod.line.Value.INACTIVE)
        try:
            self._request = gpiod.request_lines(self.chip_path, consumer=CONSUMER, config={self.line: settings})
        except Exception as exc:  # noqa: BLE001 - OSError (no chip, line busy), ValueError (no such line)
            raise RelayError(f"{self.name}: {exc}") from None
        self.set(False)

    def set(self, on: bool) -> None:
        if self._request is None:
            raise RelayError(f"{self.name}: not open")
        value = self._gpiod.line.Value.ACTIVE if on else self._gpiod.line.Value.INACTIVE
        try:
            self._request.set_value(self.line, value)
            now = self._request.get_value(self.line)
        except Exception as exc:  # noqa: BLE001
            raise RelayError(f"{self.name}: {exc}") from None
        if now != value:
            raise RelayError(f"{self.name}: the line reads {now} after being set to {value}")

    def probe(self) -> None:
        try:
            self._request.get_value(self.line)
        except Exception as exc:  # noqa: BLE001
            raise RelayError(f"{self.name}: {exc}") from None

    def close(self) -> None:
        request, self._request = self._request, None
        if request is None:
            return
        try:
            request.set_value(self.line, self._gpiod.line.Value.INACTIVE)
        except Exception:  # noqa: BLE001
            pass
        try:
            request.release()
        except Exception:  # noqa: BLE001
            pass


def import_gpiod() -> Any:
    try:
        import gpiod
    except ImportError as exc:
        raise RelayError(f"gpiod (libgpiod v2 bindings) is not installed: {exc}") from None
    return gpiod


def parse_gpio(spec: str) -> tuple[str, int | str, bool]:
    """`gpio:CHIP:LINE[:low]` -> (/dev/gpiochipN path, line offset or name, active_low). CHIP: gpiochip0, 0,
    or a /dev path; LINE: an offset or a line name."""
    parts = spec.split(":")
    if len(parts) not in (3, 4) or parts[0] != "gpio" or not parts[1] or not parts[2]:
        raise ValueError(f"a GPIO line is gpio:CHIP:LINE or gpio:CHIP:LINE:low, not {spec!r}")
    if len(parts) == 4 and parts[3] not in ("low", "high"):
        raise ValueError(f"the fourth part of {spec!r} is `low` (active low) or `high`")
    chip = parts[1]
    path = chip if chip.startswith("/") else f"/dev/gpiochip{chip}" if chip.isdigit() else f"/dev/{chip}"
    line: int | str = int(parts[2]) if parts[2].isdigit() else parts[2]
    return path, line, len(parts) == 4 and parts[3] == "low"


def open_relay(kind: str, spec: str, channel: int = 1, *, baudrate: int = lcus.BAUDRATE, hid_module: Any = None,
               gpiod_module: Any = None) -> Relay:
    """A (not yet opened) relay of `kind` (lcus, hid, gpio). ValueError for a spec that can never work."""
    if kind == "lcus":
        return LcusRelay(spec, channel, baudrate)
    if kind == "hid":
        return HidRelay(spec, channel, hid_module)
    if kind == "gpio":
        return GpioRelay(spec, gpiod_module)
    raise ValueError(f"relay kind is one of {', '.join(KINDS)}, not {kind!r}")


def _close_quietly(device: Any) -> None:
    try:
        device.close()
    except Exception:  # noqa: BLE001
        pass
