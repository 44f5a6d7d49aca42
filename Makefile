# Observatory — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/observatory
export OBSERVATORY_VAR_DIR ?= $(CURDIR)/var

.PHONY: bench install demo serve test lint suite test-sqlite test-postgres browser-deps lock messages clean help

help:
	@echo "make demo   install, migrate, load reference + demo data, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   lint, types, import contracts, tests on SQLite then PostgreSQL"
	@echo "make lock   re-pin requirements.lock from pyproject.toml"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installs exactly the pinned versions, then the project itself (editable).
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

# Set-up shared by demo and serve: safe to repeat, keeps existing data.
demo: install
	$(BIN)/observatory migrate --no-input -v0
	$(BIN)/observatory collectstatic --no-input -v0
	OBSERVATORY_REQUIRE_MFA=0 $(BIN)/observatory demo
	@echo "Open http://127.0.0.1:$(PORT)/ (Ctrl-C stops the server and the task worker)"
	export OBSERVATORY_REQUIRE_MFA=0; $(BIN)/observatory worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/observatory serve --bind 127.0.0.1:$(PORT)

serve: install
	$(BIN)/observatory serve --bind 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python tools/check_rules.py
	OBSERVATORY_VAR_DIR=$$(mktemp -d) $(BIN)/observatory makemigrations --check --dry-run -v1

# Chromium for the browser tests comes from Debian (Playwright's own download
# does not work offline), and so does LibreOffice Calc for the test that opens
# the Excel template in it; installed here when missing and we are root.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v soffice >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian chromium, fonts-noto-cjk and libreoffice-calc-nogui for the tests"; \
	    apt-get update -qq && export DEBIAN_FRONTEND=noninteractive && \
	    apt-get install -y -qq chromium fonts-noto-cjk >/dev/null && \
	    apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null; \
	  else echo "missing and not root: run 'sudo apt-get install chromium fonts-noto-cjk libreoffice-calc-nogui'"; exit 1; fi; \
	fi

PYTEST := OBSERVATORY_ENV=test $(BIN)/pytest -q
# Browser tests run in their own session: a live server empties its database.
define run_suite
	$(PYTEST) -n 2 -m "not browser"
	$(PYTEST) -m browser
endef

test-sqlite: install browser-deps
	@echo "== tests on SQLite"
	env -u DATABASE_URL $(MAKE) --no-print-directory suite

suite:
	$(run_suite)

test-postgres: install browser-deps
	@url="$${DATABASE_URL:-$(PG_TEST_URL)}"; \
	if $(BIN)/python -c "import sys, dj_database_url as d, psycopg; c = d.parse(sys.argv[1]); psycopg.connect(host=c['HOST'] or None, port=c['PORT'] or None, user=c['USER'] or None, password=c['PASSWORD'] or None, dbname='postgres', connect_timeout=3).close()" "$$url" 2>/dev/null; then \
	  echo "== tests on PostgreSQL ($$url)"; \
	  DATABASE_URL="$$url" $(MAKE) --no-print-directory suite; \
	else \
	  echo "== PostgreSQL tests SKIPPED: no server reachable at $$url (set DATABASE_URL)"; \
	fi

test: lint test-sqlite test-postgres

# Benchmarks print `BENCH <name> ratio=<x> target=<y>`, each ratio against a
# baseline measured in the same run. ROWS=100000 make bench for a quick look.
bench: install
	ROWS=$${ROWS:-1000000} $(BIN)/python benchmarks/ingest.py
	ROWS=$${ANALYTICS_ROWS:-10000000} $(BIN)/python benchmarks/analytics.py
	ROWS=$${STATISTICS_ROWS:-1000000} $(BIN)/python benchmarks/exports.py
	$(BIN)/python benchmarks/questionnaire.py

# Resolved in a scratch environment, so nothing installed by hand leaks into the lock.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet '.[dev]'
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^observatory' > requirements.lock
	rm -rf .lock-venv
	@echo "requirements.lock updated"

messages: install
	cd src/observatory && ../../$(BIN)/observatory makemessages -l zh_Hans --ignore 'static/*' && ../../$(BIN)/observatory compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) var/static .mypy_cache .ruff_cache
