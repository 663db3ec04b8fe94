# Two commands: `make run` serves the app, `make test` runs the suite on SQLite and PostgreSQL.
# `make lint` runs ruff; `make audit` audits the pinned dependencies (manual: it needs PyPI's advisory API).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEPS_HASH := $(shell cat pyproject.toml requirements.lock | sha1sum | cut -c1-12)
RUN_STAMP := $(VENV)/.run-$(DEPS_HASH)
DEV_STAMP := $(VENV)/.dev-$(DEPS_HASH)
# Both cores, one database per pytest-xdist worker (tests/conftest.py); `make test WORKERS=0` runs serially.
# Work stealing: the slow and browser tests are dealt out first (tests/conftest.py), and xdist's
# default scheduler sent them all to one worker in its first chunk, leaving the other idle for the
# last 100 s of the SQLite run; a worker that runs dry now takes half of the other's queue.
WORKERS ?= 2
# Bytecode is written even where the environment says not to (PYTHONDONTWRITEBYTECODE): the
# PostgreSQL run then reuses the modules, and the rewritten test modules, the SQLite run compiled.
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(WORKERS) --dist worksteal

.PHONY: run test test-sqlite test-postgres security lint audit chromium rscript bench bench-tools lock clean

# `make run HOST=0.0.0.0` listens on the local network so a phone can open the form; QR codes
# and posters then carry the machine's LAN address (unless SURVEY_PUBLIC_BASE_URL is set).
HOST ?= 127.0.0.1
PORT ?= 5000

# The job consumer (report builds, survey/jobs.py) runs beside the server on the queue file
# instance/jobs.db and stops with it.
run: $(RUN_STAMP)
	$(FLASK) db upgrade
	@$(BIN)/python -m survey.setup.network $(HOST) $(PORT)
	base="$${SURVEY_PUBLIC_BASE_URL:-$$($(BIN)/python -m survey.setup.network --base $(HOST) $(PORT))}"; \
		SURVEY_PUBLIC_BASE_URL="$$base" $(FLASK) seed && \
		{ SURVEY_PUBLIC_BASE_URL="$$base" $(BIN)/python -m survey.jobs --exit-with-parent & jobs=$$!; \
		  trap 'kill $$jobs 2>/dev/null' EXIT INT TERM; \
		  SURVEY_STARTUP_CHECK=1 SURVEY_PUBLIC_BASE_URL="$$base" $(FLASK) run --host $(HOST) --port $(PORT); }

test: $(DEV_STAMP) chromium rscript
	$(MAKE) security
	$(MAKE) test-sqlite
	$(MAKE) test-postgres
	$(BIN)/coverage report

# bandit on the code. Dependency auditing is manual (`make audit`, docs/security.md): the
# advisory service is unreachable from these machines, and a skipped audit is no audit.
security: $(DEV_STAMP)
	$(BIN)/bandit -q -r survey analysis

audit: $(DEV_STAMP)
	bash tools/pip_audit.sh $(BIN)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .

# Branch coverage of both runs together: the SQLite run records, the PostgreSQL run adds to it,
# and `make test` then reports it and fails under `fail_under` (pyproject.toml). The PostgreSQL run leaves out the tests that never
# touch the database (statistics, questionnaire files, CLI parsing) and those whose subject no database
# changes (`markup_only`: axe audits, layout of pages and printed reports, in-page script): they ran on SQLite already.
test-sqlite: $(DEV_STAMP)
	$(PYTEST) --cov --cov-report= --cov-fail-under=0

test-postgres: $(DEV_STAMP)
	SURVEY_TEST_DATABASE_URL=$(PG_TEST_URL) $(PYTEST) --database-tests-only --cov --cov-append --cov-report= --cov-fail-under=0

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements.lock -e .
	touch $@

$(DEV_STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements.lock -e ".[dev]"
	touch $@ $(RUN_STAMP)

# Debian's Chromium drives the browser tests; Playwright cannot download its own here.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		$(SUDO) apt-get update -q -o DPkg::Lock::Timeout=600 && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q -o DPkg::Lock::Timeout=600 chromium; \
	fi

bench: $(DEV_STAMP) bench-tools
	$(BIN)/python bench/analysis_bench.py

# R with `survey` and `readxl`, from Debian's packages: the end-to-end export test runs
# docs/r/sipas_index_from_xlsx.R on the XLSX export and compares R's numbers with the platform's.
R_PACKAGES := r-base-core r-cran-survey r-cran-readxl
rscript:
	@if ! Rscript -e 'library(survey); library(readxl)' >/dev/null 2>&1; then \
		$(SUDO) apt-get update -q -o DPkg::Lock::Timeout=600 && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q -o DPkg::Lock::Timeout=600 $(R_PACKAGES); \
	fi

# The benchmarks' peers and load client, from Debian's packages: R with `survey` (the statistics'
# peer), wrk (bench/ceiling.py's HTTP client) and hyperfine. Only the benchmarks need wrk and hyperfine.
BENCH_PACKAGES := $(R_PACKAGES) r-cran-jsonlite wrk hyperfine
bench-tools:
	@if ! command -v Rscript >/dev/null || ! command -v wrk >/dev/null || ! command -v hyperfine >/dev/null; then \
		$(SUDO) apt-get update -q -o DPkg::Lock::Timeout=600 && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q -o DPkg::Lock::Timeout=600 $(BENCH_PACKAGES); \
	fi

# Re-resolve the dependencies from pyproject.toml in a scratch venv and pin them.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet -e ".[dev]"
	{ echo "# The exact versions that make run and make test install (pip constraints), and that"; \
	  echo "# make security audits. Regenerate with: make lock"; \
	  .lock-venv/bin/pip freeze --exclude-editable; } > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) build *.egg-info
