# AHP Portal. `make run` serves the demo at http://127.0.0.1:8000; `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: install run test test-fast lint format worker beat bench migrate clean

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

# The whole suite: unit, integration, isolation matrix, real Celery worker on Redis, and the
# browser journeys in headless Chromium with axe-core. Tests that need Redis or Chromium skip
# with a reason on a machine without them, and fail under CI (CI=true).
test: install
	$(BIN)/python -m pytest

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
