# One entry point for humans and CI. Every target creates .venv and installs what it
# needs, so each works on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV_STAMP := $(VENV)/.stamp-dev
BENCH_STAMP := $(VENV)/.stamp-bench
XDIST ?= 2

.PHONY: run test check bench fmt clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

$(BENCH_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	touch $@

## run: set up and start the product on the embedded default: a fresh SQLite database,
## the demo workspace, and the API (URL, docs and a demo token are printed)
DEMO_DIR := .demo
PORT ?= 8000
run: $(DEV_STAMP)
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	SLAKEEPER_DATABASE_URL=sqlite:///$(CURDIR)/$(DEMO_DIR)/slakeeper.db $(BIN)/slakeeper demo
	SLAKEEPER_DATABASE_URL=sqlite:///$(CURDIR)/$(DEMO_DIR)/slakeeper.db \
		$(BIN)/slakeeper serve --port $(PORT)

## test: the whole gate: format check, lint, types, the suite with coverage
test: $(DEV_STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	SLAKEEPER_TEST_POSTGRES_URL=$${SLAKEEPER_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres} \
	$(BIN)/pytest -n $(XDIST) --hypothesis-profile=$${HYPOTHESIS_PROFILE:-ci} \
		--cov --cov-report=term --cov-fail-under=90
	$(BIN)/coverage report --include='*/slakeeper/core/*' --fail-under=100 --show-missing

## check: alias of test
check: test

## bench: performance against the peers (installs the bench extra), then the lists
## and screens at 10,000 and 100,000 tickets against bare SQL (LISTS_ARGS, e.g.
## --tickets 10000 or --quick; PostgreSQL too when SLAKEEPER_BENCH_POSTGRES_URL is set)
bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/business_time.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/lists.py $(LISTS_ARGS)

## fmt: format and fix what ruff can fix
fmt: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis .coverage .coverage.*
