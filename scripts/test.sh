#!/usr/bin/env bash
# The test command: sets itself up, then lint, types, import rules and the whole suite.
#   scripts/test.sh [pytest args…]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --dev
scripts/services.sh
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/lint-imports
scripts/audit.sh  # pip-audit: fails on vulnerabilities, warns when the advisory API is unreachable
.venv/bin/python -m pytest "$@"
