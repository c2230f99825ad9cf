#!/usr/bin/env bash
# Refresh docs/screenshots/ on purpose: the browser tests, writing their pictures there.
# (A plain test run writes them to build/screenshots/ and leaves the tree clean.)
#   scripts/screenshots.sh [pytest args…]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --dev
scripts/services.sh
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
SMARTSTORE_SCREENSHOTS="$PWD/docs/screenshots" .venv/bin/python -m pytest -n 0 -q -m browser tests/browser "$@"
