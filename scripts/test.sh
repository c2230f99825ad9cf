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
# Three workers (pytest-xdist): many tests wait on brokers, browsers and subprocesses, so even
# on 2 cores this takes the suite from ~14 to ~9 minutes. Every test gets its own database,
# broker ports and temp dirs. PYTEST_WORKERS=0 runs it in this process.
before=$(git status --porcelain 2>/dev/null || true)
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-3}" "$@"
# The tests leave the tree as they found it (screenshots go to build/, data to temp dirs).
after=$(git status --porcelain 2>/dev/null || true)
if [ "$before" != "$after" ]; then
  echo "test.sh: the tests changed the working tree:" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  exit 1
fi
