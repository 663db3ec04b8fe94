#!/usr/bin/env bash
# Audit the locked dependencies (requirements.lock) with pip-audit against PyPI's advisory data.
# Manual (`make audit`), not part of `make test`: the advisory service is unreachable from the
# project's machines, and this script fails rather than passes when it cannot audit.
set -euo pipefail
BIN="${1:-.venv/bin}"
exec "$BIN/pip-audit" -r requirements.lock --no-deps --disable-pip --strict --progress-spinner off
