#!/bin/sh
# Inside `xvfb-run -a dbus-run-session --`: start the AT-SPI bus, the kiosk window, then the client.
# Usage: atspi_session.sh PYTHON_FOR_APP
set -e
/usr/libexec/at-spi-bus-launcher --launch-immediately &
sleep 0.5
/usr/libexec/at-spi2-registryd --use-gnome-session=false 2>/dev/null &
REG=$!
sleep 0.5
BUS=$!
export QT_QPA_PLATFORM=xcb QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 QT_ACCESSIBILITY=1
FIFO=$(mktemp -u)
mkfifo "$FIFO"
"$1" tests/ui/atspi_app.py < "$FIFO" > "$FIFO.out" 2>"${ATSPI_APP_LOG:-/dev/null}" &
APP=$!
exec 3> "$FIFO"
for i in $(seq 1 100); do grep -q ready "$FIFO.out" 2>/dev/null && break; sleep 0.1; done
sleep 1
/usr/bin/python3 tests/ui/atspi_client.py kiosk-atspi-test 5 || true
exec 3>&-
wait $APP || true
kill $BUS 2>/dev/null || true
rm -f "$FIFO" "$FIFO.out"
