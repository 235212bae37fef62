#!/usr/bin/env bash
# The test command: architecture contracts, then the whole suite. Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${1:-.venv}
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
for hook in scripts/test-services.d/*.sh; do
    [ -e "$hook" ] && source "$hook"
done
echo "== architecture contracts"
"$VENV/bin/lint-imports" --no-cache
echo "== tests"
"$VENV/bin/python" -m pytest -p no:cacheprovider "${@:2}"
