# The two commands a newcomer needs: `make run` and `make test`.
.DEFAULT_GOAL := run
.PHONY: run serve test test-fast lint format check bench accessibility screenshots lighthouse python

VENV := .venv
BIN := $(VENV)/bin

# Django 6 needs Python >= 3.12. The machine's python3 may be older, and pyenv's
# shims for python3.12/3.13 can exist without working, so each candidate is run.
PYTHON ?= $(shell for c in python3.14 python3.13 python3.12 /usr/bin/python3.13 /usr/bin/python3.12 \
	$$(ls -d "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV) python3; do \
	"$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { command -v "$$c" || echo "$$c"; } && break; done)

python:
	@test -n "$(PYTHON)" || { echo "No Python >= 3.12 found (tried python3.14..3.12, /usr/bin/python3.1x, pyenv versions)."; \
		echo "Install one (e.g. apt-get install python3.12) or run: make PYTHON=/path/to/python3.12 ..."; exit 1; }

$(BIN)/python: | python
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# Development tools from npm (the Nu HTML checker, Lighthouse); nothing at runtime.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --ignore-scripts --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the HTML validity tests will not run."; fi

# Development defaults, explicit so that nothing insecure is ever implied. Mails are
# printed by the worker unless EMAIL_DELIVERY says otherwise (README, "Mail").
PORT ?= 8000
DEV_ENV := DJANGO_DEBUG=true EMAIL_DELIVERY=$${EMAIL_DELIVERY:-console}

# The site and, beside it, the outbox worker that sends its mails; Ctrl-C stops both
# (the shell's EXIT trap ends the worker when the server ends).
run: $(VENV)/.runtime
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	@$(DEV_ENV) $(BIN)/python manage.py send_notifications --loop --interval 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# A production-like stack on this machine: PostgreSQL, collected static files,
# gunicorn with its config file, DEBUG off (plain HTTP on loopback).
SERVE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/kouryu
SERVE_ENV := DJANGO_DEBUG=false DJANGO_HTTPS=false DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost \
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat .serve-secret 2>/dev/null || (python3 -c 'import secrets; print(secrets.token_urlsafe(50))' | tee .serve-secret))}" \
	DATABASE_URL=$(SERVE_DATABASE_URL)

serve: $(VENV)/.runtime
	createdb -h 127.0.0.1 -U postgres kouryu 2>/dev/null || true
	$(SERVE_ENV) $(BIN)/python manage.py migrate --no-input
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --no-input -v0
	$(SERVE_ENV) $(BIN)/gunicorn -c config/gunicorn.py config.wsgi

# The whole suite in two passes: everything on both cores, then, alone on the machine,
# the tests that time servers and faults (their latency bounds must not share the
# cores with another test). Both passes always run; either failing fails the target
# (pytest's 5, "nothing collected", is no failure: PYTEST_ARGS may name one file).
TIMED_TESTS := server or fault or scale
test: $(VENV)/.dev node_modules/.installed
	@$(BIN)/python -m pytest -n 2 -m "not ($(TIMED_TESTS))" $(PYTEST_ARGS); shared=$$?; \
	$(BIN)/python -m pytest -m "$(TIMED_TESTS)" $(PYTEST_ARGS); alone=$$?; \
	for status in $$shared $$alone; do [ $$status -eq 0 ] || [ $$status -eq 5 ] || exit 1; done

# The edit loop: everything but the browser, Nu checker, server-process, fault and
# scale-out tests, on both cores. `make test` stays the whole suite, and CI runs that.
test-fast: $(VENV)/.dev
	$(BIN)/python -m pytest -m "not browser and not nu and not server and not fault and not scale" -n auto -q $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Production settings must pass the deployment checklist without a warning.
check: $(VENV)/.runtime
	DJANGO_DEBUG=false DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	DJANGO_ALLOWED_HOSTS=kouryu.example DJANGO_HTTPS=true \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# The site-wide accessibility pass, recording its results in static/accessibility/results.json
# for /accessibility/ (commit the file). `make test` runs the same checks but never writes it.
accessibility: $(VENV)/.dev node_modules/.installed
	RECORD_ACCESSIBILITY_RESULTS=true $(BIN)/python -m pytest tests/test_accessibility.py $(PYTEST_ARGS)

# Full-page PNGs of the main pages and the form's states at 1280 and 360 px, in
# screenshots/ (ignored by git), to look at before and after a change.
screenshots: $(VENV)/.dev
	$(BIN)/python -m pytest tests/screenshots.py -q -s $(PYTEST_ARGS)

# Lighthouse 12, mobile preset, 3 runs on four pages against a production-like server
# (gunicorn, DEBUG off, collected static, PostgreSQL); medians and first-load CSS bytes.
lighthouse: $(VENV)/.dev node_modules/.installed
	$(BIN)/python tests/lighthouse.py

# Figures as ratios from one run; never part of `make test`.
bench: $(VENV)/.dev
	@command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q wrk; }
	@[ -x /usr/sbin/haproxy ] || { apt-get update -q && apt-get install -y -q haproxy; }
	$(BIN)/python tests/bench/consultation_post.py
	$(BIN)/python tests/bench/middleware.py
	$(BIN)/python tests/bench/serving.py
	$(BIN)/python tests/bench/render_cost.py
	$(BIN)/python tests/bench/balancer.py
