# Chi trả ASXH — the documented commands. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs on every core (pytest-xdist); `make test PYTEST_ARGS=tests/rules` runs a part.
PYTEST_ARGS ?= -n auto --dist loadscope

# The suite's many Python processes (pytest-xdist workers, Celery workers, the
# subprocesses of the settings tests) reuse compiled bytecode, kept under .venv
# rather than beside the sources, even where the shell asks not to write it.
test test-slow: export PYTHONDONTWRITEBYTECODE :=
test test-slow: export PYTHONPYCACHEPREFIX := $(CURDIR)/$(VENV)/pycache

.DEFAULT_GOAL := help
.PHONY: help venv run test test-slow lint format check bench demo migrate clean screenshot docs-preview

help: ## List the documented commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Cần $(PYTHON) (Python 3.11)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the pinned requirements

migrate: $(STAMP) ## Apply migrations and load the reference data
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data

demo: migrate ## Create the demo commune Yến Sơn with demo users (idempotent)
	$(PY) manage.py seed_demo

docs-preview: demo ## Print every document of the demo commune to build/documents/ (xlsx, PDF, PNG; needs LibreOffice)
	$(PY) manage.py preview_documents --out build/documents $(PREVIEW_ARGS)

run: demo ## Set up and serve the demo on http://127.0.0.1:8000 (SQLite)
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: $(STAMP) ## ruff check and format check, and the layers (import-linter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP) ## Format and auto-fix with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: $(STAMP) ## Django checks and migrations up to date
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

test: $(STAMP) ## Set up and run ruff, the layers and migration checks and the suite (all but the slow group)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -m "not slow" $(PYTEST_ARGS)

test-slow: $(STAMP) ## Run the slow group: workers killed mid-job, migrations across the moves
	$(VENV)/bin/pytest -m slow $(PYTEST_ARGS)

bench: $(STAMP) ## Run the benchmarks in bench/ and print one table
	$(PY) -m bench $(BENCH_ARGS)

clean: ## Remove the virtualenv, the SQLite file and generated files
	rm -rf $(VENV) db.sqlite3 media staticfiles build/documents

screenshot: demo ## Retake docs/screenshots/ (each role's main pages, desktop and phone) and docs/screenshot-registry.png
	$(PY) manage.py screenshot_roles --out docs/screenshots
	UPDATE_SCREENSHOT=1 $(VENV)/bin/pytest tests/browser -k screenshot -q
