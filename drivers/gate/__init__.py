"""Gate outputs (turnstile / door relays: LCUS USB-serial boards, USB HID relay boards, Linux GPIO lines) and the
optional passage sensor: sans-I/O codecs, one thread per device, emulators beside the drivers (docs/gate.md)."""
