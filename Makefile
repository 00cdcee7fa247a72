# Two commands set Clearance up on a fresh machine:
#   make run   installs into .venv and starts the screening server (web UI + API) on
#              127.0.0.1:8000 for the local user (no API keys; see README for team set-up)
#   make test  installs into .venv (with test tools) and runs lint + the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run test lint bench

$(BIN)/clearance: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install -e '.[dev]'
	touch $@

setup: $(BIN)/clearance

run: setup
	$(BIN)/clearance serve --host 127.0.0.1 --port 8000 --no-auth

lint: setup
	$(BIN)/ruff check src tests bench

test: lint
	$(BIN)/python -m pytest

bench: setup
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done
