# Sister Cities: `make run` to try it, `make test` to check it.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
MANAGE := $(PY) manage.py
TEST_ENV := SISTERCITIES_TESTING=true DJANGO_ALLOW_ASYNC_UNSAFE=true
DEV_ENV := DEBUG=$${DEBUG:-true}

.PHONY: install run serve test check lint format migrate messages bench clean

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip

# Re-installs only when pyproject.toml changed.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install -q --disable-pip-version-check -e ".[dev]"
	@touch $@

# Compiled message catalogues are built from the committed .po files.
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po | $(VENV)/.installed
	@$(DEV_ENV) $(MANAGE) compilemessages -v0 -l $*

install: $(VENV)/.installed $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

migrate: install
	@$(DEV_ENV) $(MANAGE) migrate -v0

run: migrate
	@$(DEV_ENV) $(MANAGE) seed_demo
	SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(DEV_ENV) $(MANAGE) runserver 127.0.0.1:$(PORT)

# Production-like serving: gunicorn (static files by whitenoise) against DATABASE_URL,
# plus a worker for background tasks (e-mail, long exports, the daily reminders, whose
# next run schedule_reminders queues unless one is queued already). Needs SECRET_KEY,
# ALLOWED_HOSTS and SITE_URL; HTTPS=false when there is no TLS in front (README, "Serving").
serve: install
	@test -n "$$SECRET_KEY" || { echo "Set SECRET_KEY (and ALLOWED_HOSTS, SITE_URL) first: see README, Serving."; exit 1; }
	@$(MANAGE) collectstatic --noinput -v0
	@$(MANAGE) migrate -v0
	@$(MANAGE) schedule_reminders
	$(MANAGE) db_worker --queue-name '*' & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn config.wsgi:application --bind "$${BIND:-127.0.0.1:$(PORT)}" \
		--workers "$${WEB_CONCURRENCY:-4}" --threads "$${THREADS:-4}" --timeout "$${TIMEOUT:-120}" \
		--access-logfile - --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

lint: install
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install
	$(DEV_ENV) $(MANAGE) makemessages -l fa -l en --no-obsolete --ignore=.venv --ignore=bench --ignore=tests --add-location=file

# The benchmark (bench/): builds the data sets once (cached in bench/out/), measures
# the pages, PDFs, import and a transition, and writes docs/performance.md.
# DATABASE_URL=postgres://... for PostgreSQL; BENCH_QUICK=1 for a 5,000-agreement trial.
bench: install
	$(PY) -m bench

# Daily work: lint and the suite without the slow walks (browser journeys, fuzzing,
# the generated side-door audit); `make test` runs everything.
check: install lint
	$(TEST_ENV) $(VENV)/bin/pytest -q -m "not browser and not fuzz and not audit" $(PYTEST_ARGS)

test: install lint
	@$(TEST_ENV) $(MANAGE) check
	@$(TEST_ENV) $(MANAGE) makemigrations --check --dry-run -v0 || { echo "Model changes without a migration"; exit 1; }
	$(TEST_ENV) $(VENV)/bin/pytest -q $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles test-artifacts
