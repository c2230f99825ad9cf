#!/usr/bin/env bash
# The main job: sets itself up, then `smartstore demo` (embedded broker, SQLite, one store).
#   scripts/demo.sh [--reset] [--port 8000] …
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/smartstore demo "$@"
