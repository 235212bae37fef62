#!/bin/sh
# Inside `xvfb-run -a dbus-run-session --`: start the AT-SPI bus and registry, the kiosk window, then the client.
# Usage: atspi_session.sh PYTHON_FOR_APP        (polls with timeouts; no fixed waits)
set -e
/usr/libexec/at-spi-bus-launcher --launch-immediately &
BUS=$!
for i in $(seq 1 100); do
  dbus-send --session --dest=org.a11y.Bus --print-reply /org/a11y/bus org.a11y.Bus.GetAddress >/dev/null 2>&1 && break
  sleep 0.1
done
export QT_QPA_PLATFORM=xcb QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 QT_ACCESSIBILITY=1
FIFO=$(mktemp -u)
mkfifo "$FIFO"
"$1" tests/ui/atspi_app.py < "$FIFO" > "$FIFO.out" 2>"${ATSPI_APP_LOG:-/dev/null}" &
APP=$!
exec 3> "$FIFO"
for i in $(seq 1 150); do grep -q ready "$FIFO.out" 2>/dev/null && break; sleep 0.1; done
/usr/bin/python3 tests/ui/atspi_client.py kiosk-atspi-test 5 || true
exec 3>&-
wait $APP || true
kill $BUS 2>/dev/null || true
rm -f "$FIFO" "$FIFO.out"
