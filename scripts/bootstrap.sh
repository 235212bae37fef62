#!/usr/bin/env bash
# Sets up everything the kiosk needs on a fresh Debian 12 machine with Python 3.11:
# the Debian packages (when missing and installable), a virtualenv in $VENV, and the project in it.
# Safe to run again: every step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

# Debian packages: CJK fonts, speech, Qt's xcb runtime (for a real window), a virtual screen, sound tools,
# the AT-SPI bus and its Python client (the screen-reader test), PostgreSQL (the central store's tests),
# headless Chromium and its WebDriver (the console's browser tests and screenshots).
DEB_PACKAGES=(fonts-noto-cjk espeak-ng sox pulseaudio xvfb xauth libegl1 libgl1 libfontconfig1 libdbus-1-3 libpulse0
              libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
              libxcb-xkb1 libxcb-shape0 libxcb-xinerama0 dbus at-spi2-core python3-pyatspi
              python3-venv postgresql chromium chromium-driver)
missing=()
for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else SUDO="none"; fi
    if [ "$SUDO" = none ]; then
        echo "bootstrap: missing Debian packages (install them as root): ${missing[*]}" >&2
    else
        echo "bootstrap: installing Debian packages: ${missing[*]}"
        $SUDO apt-get update -q >/dev/null || true
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
            || echo "bootstrap: some Debian packages could not be installed; the kiosk runs without them" >&2
    fi
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "bootstrap: creating virtualenv $VENV"
    "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.kiosk-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "bootstrap: installing Python packages into $VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".[test]"
    touch "$stamp"
fi
