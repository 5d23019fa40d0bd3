# AHP Portal. `make run` serves the demo at http://127.0.0.1:8000; `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: install run serve test test-fast lint format worker beat bench migrate clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(MANAGE) migrate --noinput

run: migrate
	$(MANAGE) load_demo
	$(MANAGE) runserver 127.0.0.1:8000

# Production mode on this machine: DEBUG off, migrations, static files with hashed names (served
# by whitenoise), then gunicorn on 127.0.0.1:$(PORT). Needs DJANGO_SECRET_KEY and
# DJANGO_ALLOWED_HOSTS; over plain http (no TLS proxy in front) also DJANGO_SECURE_SSL_REDIRECT=0
# and DJANGO_SECURE_COOKIES=0. See the README's "Production" section for every variable.
PORT ?= 8000
serve: export DJANGO_DEBUG = 0
serve: install
	@test -n "$$DJANGO_SECRET_KEY" || { echo 'make serve: DJANGO_SECRET_KEY is not set. Give it 50+ random characters, e.g. export DJANGO_SECRET_KEY="$$(python3 -c "import secrets; print(secrets.token_urlsafe(50))")"' >&2; exit 2; }
	@test -n "$$DJANGO_ALLOWED_HOSTS" || { echo 'make serve: DJANGO_ALLOWED_HOSTS is not set. Give the host names this server answers to, comma-separated, e.g. DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost' >&2; exit 2; }
	$(MANAGE) check --deploy --fail-level ERROR
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput --verbosity 0
	PORT=$(PORT) exec $(BIN)/gunicorn --config ahpportal/gunicorn.conf.py ahpportal.wsgi

# The whole suite: unit, integration, isolation matrix, real Celery worker on Redis, and the
# browser journeys in headless Chromium with axe-core. Tests that need Redis or Chromium skip
# with a reason on a machine without them, and fail under CI (CI=true). It runs on WORKERS
# pytest-xdist processes (each with its own test database and Redis database); WORKERS=0 runs
# it in one process. PYTEST_ARGS narrows a run (CI: `PYTEST_ARGS='-m "not browser"'`).
WORKERS ?= 2
PYTEST_ARGS ?=
test: install
	$(BIN)/python -m pytest -n $(WORKERS) --dist worksteal $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -m "not browser and not celery_worker"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install
	$(BIN)/celery -A ahpportal worker --loglevel=INFO

beat: install
	$(BIN)/celery -A ahpportal beat --loglevel=INFO

# Benchmarks at England scale; set DATABASE_URL to PostgreSQL for the figures that matter.
bench: migrate
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
