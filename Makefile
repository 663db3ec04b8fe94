# Two commands: `make run` serves the app, `make test` runs the suite on SQLite and PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEPS_HASH := $(shell cat pyproject.toml | sha1sum | cut -c1-12)
RUN_STAMP := $(VENV)/.run-$(DEPS_HASH)
DEV_STAMP := $(VENV)/.dev-$(DEPS_HASH)

.PHONY: run test test-sqlite test-postgres security chromium bench clean

run: $(RUN_STAMP)
	$(FLASK) db upgrade
	$(FLASK) seed
	SURVEY_STARTUP_CHECK=1 $(FLASK) run --host 127.0.0.1 --port 5000

test: $(DEV_STAMP) chromium
	$(MAKE) security
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

# bandit on the code; pip-audit on the installed dependencies, skipped with a message when
# the advisory service is unreachable (docs/security.md lists the exceptions).
security: $(DEV_STAMP)
	$(BIN)/bandit -q -r survey analysis
	bash tools/pip_audit.sh $(BIN)

test-sqlite: $(DEV_STAMP)
	$(BIN)/python -m pytest

test-postgres: $(DEV_STAMP)
	SURVEY_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(RUN_STAMP)

# Debian's Chromium drives the browser tests; Playwright cannot download its own here.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		$(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium; \
	fi

bench: $(DEV_STAMP)
	$(BIN)/python bench/analysis_bench.py

clean:
	rm -rf $(VENV) build *.egg-info
