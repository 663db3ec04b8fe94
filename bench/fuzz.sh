#!/bin/sh
# Longer hypothesis fuzzing of the public routes than CI runs (tests/survey/respond/test_fuzz.py).
# Usage: bench/fuzz.sh [EXAMPLES] [extra pytest args]; set SURVEY_TEST_DATABASE_URL for PostgreSQL.
set -e
cd "$(dirname "$0")/.."
SURVEY_FUZZ_EXAMPLES="${1:-2000}" exec .venv/bin/python -m pytest tests/survey/respond/test_fuzz.py -q -p no:randomly $(shift; echo "$@")
