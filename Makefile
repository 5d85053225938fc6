# Hazard Ledger: `make demo` to try it, `make test` to check it. Needs Python 3.11+ and Node 20+.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
DEMO_SITES ?= 3000
PYTEST_WORKERS ?= 2
# The embedded database is the default; `make demo` serves with DEBUG on (static files, errors).
DEMO_ENV := DEBUG=1

.PHONY: demo serve test test-sqlite test-postgres lint setup system-packages messages clean help

help:
	@echo "make demo   install, create var/hazardledger.sqlite3, load the demo province, serve on http://$(HOST):$(PORT)"
	@echo "            (web server, task worker and scheduler together; Ctrl+C stops all three)"
	@echo "make test   install, lint, check migrations, run the suite on SQLite and PostgreSQL, browser tests included"
	@echo "            (CI=true make test fails when PostgreSQL cannot be reached or started)"

# The web server, the task worker (outbox handlers, periodic jobs) and the scheduler run side by
# side on the demo's SQLite database (WAL mode); Ctrl+C, or any of them exiting, stops all three
# (scripts/serve_demo.py).
demo: setup .env
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(DEMO_ENV) $(BIN)/python manage.py load_demo --if-empty --sites $(DEMO_SITES)
	@echo "Serving on http://$(HOST):$(PORT)/ with the task worker and the scheduler (Ctrl+C stops all three)"
	$(DEMO_ENV) $(BIN)/python scripts/serve_demo.py $(HOST):$(PORT)

setup: system-packages $(VENV)/.synced node_modules/.package-lock.json messages

# Development settings for manage.py in this checkout (DEBUG on, a key generated once), so that
# `manage.py createsuperuser`, `shell` and the rest work after `make demo`. Git ignores .env; it is
# never overwritten, only manage.py reads it, and variables set in the environment win.
.env: | $(BIN)/python
	@$(BIN)/python -c 'import secrets; print("# Development settings written by make demo; only manage.py reads them.\nDEBUG=1\nSECRET_KEY=" + secrets.token_urlsafe(50))' > $@
	@echo "Wrote .env (DEBUG=1, a new SECRET_KEY) for manage.py"

system-packages:
	@scripts/system_packages.sh

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/python -m pip install -q uv

# uv installs exactly what requirements.lock pins (generated from pyproject.toml by
# `uv pip compile pyproject.toml --extra dev -o requirements.lock`).
$(VENV)/.synced: requirements.lock | $(BIN)/uv
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements.lock
	@touch $@

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

messages: $(VENV)/.synced
	@DEBUG=1 $(BIN)/python manage.py compile_catalogues -v0

lint: $(VENV)/.synced
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SECRET_KEY=lint $(BIN)/mypy hazardledger config bench scripts
	SECRET_KEY=lint $(BIN)/python manage.py makemigrations --check --dry-run -v1

test: setup
	@scripts/system_packages.sh --browser
	@# Under CI a missing PostgreSQL fails here, before the long SQLite run (silent otherwise).
	@$(BIN)/python scripts/find_postgres.py --ci-only >/dev/null
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite:
	@echo "== Test suite on SQLite =="
	env -u DATABASE_URL $(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q

# The browser tests drive the pages end to end once, in the SQLite run: every query they make
# is also made by the rest of the suite, which runs on both databases (and a full run must
# stay under 20 minutes on two cores).
# scripts/find_postgres.py names the server (DATABASE_URL, POSTGRES_URL, or 127.0.0.1:5432 as
# user postgres, starting a local Debian cluster that is down). None: skipped locally, but under
# CI (CI set, not "false" or "0") the run fails, so the PostgreSQL-only tests cannot go unrun.
test-postgres:
	@url=$$($(BIN)/python scripts/find_postgres.py) || exit 1; \
	if [ -z "$$url" ]; then echo "== PostgreSQL not reachable: skipped =="; exit 0; fi; \
	echo "== Test suite on PostgreSQL (browser tests ran on SQLite) =="; \
	DATABASE_URL=$$url $(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q -m "not browser"

clean:
	rm -rf $(VENV) node_modules var/static
