# qes — two commands do everything on a fresh machine:
#   make run    set up .venv, build the demo project, start the workbench (SQLite, embedded default)
#   make test   set up .venv, run the whole test suite (incl. PostgreSQL and headless Chromium tests)
# `make install` is the set-up alone (idempotent).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.qes-installed
DEMO   ?= demo-project
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install run test lint bench clean

install: $(STAMP)
	@# Byte-compile up front (cheap when up to date): every `qes` command starts faster, even where
	@# PYTHONDONTWRITEBYTECODE keeps Python from caching bytecode itself.
	@$(BIN)/python -m compileall -q src

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dev]"
	@touch $(STAMP)

run: install
	$(BIN)/qes demo reciprocity --project $(DEMO) --if-missing
	$(BIN)/qes serve --project $(DEMO) --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .hypothesis
