# Two commands matter: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
# pytest-xdist workers for the SQLite run, and for the PostgreSQL run beside it in `make test`.
PYTEST_WORKERS ?= 3
PG_WORKERS ?= 2
# Outside CI, debug is on for local commands; production never runs through make.
DEV_ENV := DJANGO_DEBUG=1

.PHONY: run run-prod stop-prod prod-packages test lint format migrations-check test-sqlite messages \
	test-postgres test-quick test-faults bench bench-proxy wrk audit clean lighthouse

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q .
	@touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q ".[dev]"
	@touch $(RUN_STAMP) $@

run: $(RUN_STAMP)
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py load_demo_content --if-empty --demo-accounts
	@echo ""
	@echo "  Patient site:    http://127.0.0.1:8000/"
	@echo "  Clinician admin: http://127.0.0.1:8000/admin/  (demo logins demo-author and demo-reviewer were printed"
	@echo "                   when the demo content was first loaded; to set a new password:"
	@echo "                   DJANGO_DEBUG=1 $(BIN)/python manage.py changepassword demo-reviewer)"
	@echo ""
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# The production stack on this machine: its own PostgreSQL, Redis, gunicorn and nginx
# with TLS under var/stack/ (STACK_DIR), on spare ports; see deploy/stack.py and the README.
run-prod: $(RUN_STAMP) prod-packages
	$(BIN)/python deploy/stack.py start

stop-prod:
	$(BIN)/python deploy/stack.py stop

# The system programs the stack needs (Debian packages), installed when missing and root.
PROD_PROGRAMS := nginx:nginx-light redis-server:redis-server openssl:openssl varnishd:varnish
prod-packages:
	@missing=""; \
	for pair in $(PROD_PROGRAMS); do \
		command -v $${pair%%:*} >/dev/null 2>&1 || [ -x /usr/sbin/$${pair%%:*} ] || missing="$$missing $${pair#*:}"; \
	done; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing$$missing (apt-get)"; \
			apt-get install -y -qq $$missing >/dev/null || { apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; } || exit 1; \
		else \
			echo "The production stack needs:$$missing (sudo apt-get install$$missing)"; exit 1; \
		fi; \
	fi

# Interface translations: collect every string marked for translation into
# locale/<lang>/LC_MESSAGES/django.po, then compile the .mo files Django reads. Both are committed,
# so installing and deploying need no GNU gettext; run this (it needs gettext) after changing a
# marked string, translate the new entries, and run it again. tests/portal/test_translations.py
# fails while an entry is untranslated or fuzzy, a .mo is stale, or the catalogue is out of date.
# The admin (staff only, always English) is left out.
MESSAGE_LANGUAGES ?= pl ur
MESSAGE_IGNORE := .venv/* tests/* bench/* deploy/* tools/* staticfiles/* var/* media/* node_modules/* \
	conditions/admin/* templates/admin/* feedback/admin.py portal/admin.py portal/auth.py \
	conditions/notifications.py feedback/notifications.py conditions/management/*
messages: $(DEV_STAMP)
	$(DEV_ENV) $(BIN)/python manage.py makemessages --no-obsolete --add-location=file \
		$(foreach l,$(MESSAGE_LANGUAGES),-l $(l)) $(foreach i,$(MESSAGE_IGNORE),--ignore='$(i)')
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore='.venv'

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(DEV_STAMP)
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

# Every test but the PostgreSQL-only and fault-injection ones, on SQLite, browser tests included;
# it names its slowest tests at the end (what to look at when the suite grows too slow).
test-sqlite: $(DEV_STAMP)
	DATABASE_URL= $(BIN)/pytest -n $(PYTEST_WORKERS) -m "not postgres and not faults" --durations=15 $(PYTEST_ARGS)

# On PostgreSQL, only what can differ there: tests marked postgres, and the db_specific modules
# (search, row locks, counters, bulk writes; listed in tests/conftest.py) less their slow tests,
# which the SQLite run has already run.
PG_MARKERS := (postgres or (db_specific and not slow)) and not browser and not faults
test-postgres: $(DEV_STAMP)
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) -m "$(PG_MARKERS)" $(PYTEST_ARGS)

# While working: SQLite, no browser, no slow tests (gunicorn, check --deploy, pip-audit).
test-quick: $(DEV_STAMP)
	DATABASE_URL= $(BIN)/pytest -n $(PYTEST_WORKERS) -m "not slow and not browser and not postgres and not faults" $(PYTEST_ARGS)

# Fault injection: its own PostgreSQL, Redis, gunicorn and nginx on spare ports
# (deploy/stack.py), stopped, hung and killed under the running site. One pytest process, after
# the parallel runs, so nothing else competes with its timings (about 1.5 minutes).
# Without the programs (and not root to install them) the suite skips, which CI=true fails.
test-faults: $(DEV_STAMP)
	@$(MAKE) --no-print-directory prod-packages || [ "$$CI" != "true" ]
	DATABASE_URL= $(BIN)/pytest -n 0 -m faults tests/faults $(PYTEST_ARGS)

# The whole suite, each test once. With DATABASE_URL set, all of it on that database. Otherwise
# all on SQLite (with the browser and slow tests) and, at the same time, what can differ on
# PostgreSQL (see test-postgres; its output, in var/test-postgres.log, is printed after the
# SQLite run's): the SQLite run waits on browsers and servers for much of its time, and the two
# together take about as long as the SQLite run alone. Under CI=true both runs and the browser
# tests are required. Then the fault-injection suite, alone (required under CI=true too).
# The audit first: a known vulnerability in an installed dependency fails `make test` (and CI).
test: lint migrations-check audit
	@if [ -n "$$DATABASE_URL" ]; then \
		$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not faults" $(PYTEST_ARGS) || exit 1; \
	else \
		pg=""; \
		if $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
			mkdir -p var; \
			$(MAKE) --no-print-directory test-postgres PYTEST_WORKERS=$(PG_WORKERS) > var/test-postgres.log 2>&1 & pg=$$!; \
		elif [ "$$CI" = "true" ]; then \
			echo "PostgreSQL at $(PG_URL) is not answering, and CI=true requires the PostgreSQL run."; exit 1; \
		else \
			echo "Skipped the PostgreSQL run: no server at $(PG_URL). Start PostgreSQL or set PG_URL to enable it."; \
		fi; \
		$(MAKE) --no-print-directory test-sqlite; sqlite=$$?; \
		pg_status=0; \
		if [ -n "$$pg" ]; then \
			wait $$pg; pg_status=$$?; \
			echo "== The PostgreSQL run (alongside the SQLite run; var/test-postgres.log):"; \
			cat var/test-postgres.log; \
		fi; \
		[ $$sqlite -eq 0 ] && [ $$pg_status -eq 0 ] || exit 1; \
	fi
	@$(MAKE) --no-print-directory test-faults

# Load test with production settings on SQLite and PostgreSQL + Redis, then through
# the production stack's nginx over https; see bench/run.py.
# N synthetic conditions, DURATION of wrk per page; BENCH_ARGS for more (e.g. --databases sqlite).
N ?= 5000
DURATION ?= 8s
bench: $(DEV_STAMP) wrk
	$(BIN)/python bench/run.py --conditions $(N) --duration $(DURATION) $(BENCH_ARGS)
	@$(MAKE) --no-print-directory bench-proxy

# 200 https connections for PROXY_DURATION on the article, a search and a questionnaire step,
# through nginx to gunicorn on the stack's own PostgreSQL and Redis (var/bench/stack/).
PROXY_DURATION ?= 60s
bench-proxy: $(DEV_STAMP) wrk prod-packages
	$(BIN)/python bench/run.py --through-proxy --conditions $(N) --proxy-duration $(PROXY_DURATION)

# Lighthouse, mobile profile, on the production stack (nginx TLS + gzip, gunicorn, DEBUG off):
# home, the milia article, its comparison and a question step; fails under 95 in any of
# performance, accessibility, best practices and SEO. Not part of `make test`.
# Needs Node.js 18.16+ and npm (tools/lighthouse, installed by npm ci) and Chromium.
lighthouse: $(RUN_STAMP) prod-packages
	$(BIN)/python bench/lighthouse.py $(LIGHTHOUSE_ARGS)

wrk:
	@command -v wrk >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing wrk (apt-get install -y wrk)"; \
			apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } || exit 1; \
		else \
			echo "make bench needs wrk: install it with 'sudo apt-get install wrk' (Debian/Ubuntu) or 'brew install wrk' (macOS)."; exit 1; \
		fi; }

# pip-audit of the installed versions (pip freeze, less this project). A known vulnerability
# fails, always. If no advisory service answers, it says "NOT CHECKED" and goes on, unless
# AUDIT_REQUIRED=1. AUDIT_ARGS passes options to pip-audit (e.g. "-s osv"). See portal/audit.py.
audit: $(DEV_STAMP)
	$(BIN)/python -m portal.audit

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
