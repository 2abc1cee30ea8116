#!/usr/bin/env bash
# Runs the whole suite (unit, integration with real worker processes, browser tests in headless Chromium).
set -uo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=smartnotes.settings.test
export SMARTNOTES_FIXTURES="${SMARTNOTES_FIXTURES:-$(cd .. && pwd)/shared/fixtures}"
.venv/bin/python -m pytest "$@"
code=$?
# pytest exits 5 when it collected no tests: that is a failure of the suite, not a pass.
exit $code
