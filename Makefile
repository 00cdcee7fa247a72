# Two commands set Clearance up on a fresh machine:
#   make run   installs into .venv and starts the screening server (web UI + API) on
#              127.0.0.1:8000 for the local user (no API keys; see README for team set-up)
#   make test  installs into .venv (with test tools) and Chromium for the browser tests (with
#              apt-get when run as root, else it says what to install), then runs lint + the
#              whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup browser run test lint bench

$(BIN)/clearance: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install -e '.[dev]'
	touch $@

setup: $(BIN)/clearance

browser:
	@.ci/ensure-chromium

run: setup
	$(BIN)/clearance serve --host 127.0.0.1 --port 8000 --no-auth

lint: setup
	$(BIN)/ruff check src tests bench

test: lint browser
	$(BIN)/python -m pytest

bench: setup
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done
