# Two commands on a fresh machine (Python >= 3.11 and make):
#   make figures   set up .venv from the lock file, validate the record, render every figure
#   make test      set up .venv with the test tools, run the whole test suite
# Optional:
#   make lab       open JupyterLab on notebooks/
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help figures validate test test-fast lint lab notebooks lock bench clean-venv

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)

# Each stamp records that the venv holds one lock file's pins; bytecode is compiled at install
# time because PYTHONDONTWRITEBYTECODE=1 would otherwise make every start recompile.
$(VENV)/.run.stamp: requirements/run.lock pyproject.toml | $(BIN)/python
	@echo "setting up $(VENV) from requirements/run.lock"
	$(PIP) install -q --require-hashes --no-deps -r requirements/run.lock
	$(PIP) install -q --no-deps --no-build-isolation -e .
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib src > /dev/null
	@touch $@

$(VENV)/.dev.stamp: requirements/dev.lock pyproject.toml | $(BIN)/python
	@echo "setting up $(VENV) from requirements/dev.lock"
	$(PIP) install -q --require-hashes --no-deps -r requirements/dev.lock
	$(PIP) install -q --no-deps --no-build-isolation -e .
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib src > /dev/null
	@touch $@ $(VENV)/.run.stamp

figures: $(VENV)/.run.stamp ## validate the record and render every publication figure into figures/
	$(BIN)/kachin-analysis validate
	$(BIN)/kachin-analysis figures

validate: $(VENV)/.run.stamp ## validate the record and print its summary
	$(BIN)/kachin-analysis validate

# The whole suite runs once, on every core (pytest-xdist); the JupyterLab tests stay together on one worker.
# Each notebook runs once: in JupyterLab when Chromium is there, else in nbclient (see tests/conftest.py).
TEST_JOBS ?= auto

test: $(VENV)/.dev.stamp ## run the whole test suite once (unit, data, figures, notebooks, end to end), in parallel
	$(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadgroup $(PYTEST_ARGS)

test-fast: $(VENV)/.dev.stamp ## unit tests on tiny frames and the record: a verdict in seconds (no renders, notebooks, browser)
	$(BIN)/python -m pytest -m "not slow and not e2e" $(PYTEST_ARGS)

lint: $(VENV)/.dev.stamp ## ruff (lint incl. complexity, and format) and mypy, configured in pyproject.toml
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/mypy

lab: $(VENV)/.dev.stamp ## open JupyterLab on notebooks/ (add --allow-root when running as root)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

notebooks: $(VENV)/.dev.stamp ## strip notebook outputs (they are committed clean) and run each one
	$(BIN)/kachin-analysis notebooks --strip
	$(BIN)/kachin-analysis notebooks --run

bench: $(VENV)/.dev.stamp ## run the benchmarks in benchmarks/ and print the results
	$(BIN)/python benchmarks/run.py

lock: ## regenerate the lock files (needs uv; not needed to run anything)
	uv pip compile pyproject.toml requirements/build.in --extra notebooks --extra test --universal --python-version 3.11 --generate-hashes -o requirements/dev.lock -q
	uv pip compile pyproject.toml requirements/build.in --universal --python-version 3.11 --generate-hashes -c requirements/dev.lock -o requirements/run.lock -q

clean-venv: ## remove .venv
	rm -rf $(VENV)
