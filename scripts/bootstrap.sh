#!/usr/bin/env bash
# Set up everything smartstore needs on a fresh Debian/Ubuntu machine or a laptop:
# system libraries (when we may install them), a virtual environment, the project.
#   scripts/bootstrap.sh          runtime (for the demo)
#   scripts/bootstrap.sh --dev    runtime + test tools, Mosquitto, Chromium
set -euo pipefail
cd "$(dirname "$0")/.."
DEV=0; [ "${1:-}" = "--dev" ] && DEV=1
PY=${PYTHON:-python3}

need_pkgs=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib libzbar.so.0 || need_pkgs+=(libzbar0)
# A CJK font: receipts in Chinese are printed as images on printers without GB18030.
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] \
  || [ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need_pkgs+=(fonts-wqy-microhei)
if [ "$DEV" = 1 ]; then
  command -v mosquitto >/dev/null || need_pkgs+=(mosquitto mosquitto-clients)
  [ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
  command -v sqlite3 >/dev/null || need_pkgs+=(sqlite3)
  command -v npm >/dev/null || need_pkgs+=(npm)
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" != 0 ] && command -v sudo >/dev/null && SUDO="sudo"
  if command -v apt-get >/dev/null && { [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; }; then
    echo "bootstrap: installing system packages: ${need_pkgs[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  else
    echo "bootstrap: please install: ${need_pkgs[*]} (pyzbar falls back to zxing-cpp without libzbar0)" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv"
  "$PY" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
fi
extras=""; [ "$DEV" = 1 ] && extras="[dev]"
stamp=".venv/.smartstore-installed$extras"
digest=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
  echo "bootstrap: installing smartstore$extras into .venv"
  .venv/bin/python -m pip install -q -e ".$extras"
  echo "$digest" > "$stamp"
fi
# Browser tests inject axe-core (accessibility checks) from the npm registry, pinned by
# tests/browser/package-lock.json; it is test-only and never served by the app.
if [ "$DEV" = 1 ] && command -v npm >/dev/null && [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  echo "bootstrap: installing axe-core for the browser tests"
  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
fi
