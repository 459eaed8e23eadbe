# pmo-ledger: `make run` serves on the SQLite default, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# The pinned, hashed dependencies (decision 103): the Dockerfile and CI use these.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
COMPILE = $(BIN)/uv pip compile pyproject.toml --generate-hashes --quiet \
	--no-header --python-version 3.11 --python-platform x86_64-manylinux_2_28

.PHONY: run test lint bench screenshots install install-dev lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(DEV_STAMP): pyproject.toml $(DEV_LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e '.[dev]'
	touch $@ $(STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

# Re-pin after changing pyproject.toml's dependencies (keeps every other pin).
lock: $(DEV_STAMP)
	$(COMPILE) --extra dev -o $(DEV_LOCK)
	$(COMPILE) -c $(DEV_LOCK) -o $(LOCK)

run: $(STAMP)
	$(BIN)/pmo-ledger serve

# The suite runs in TEST_WORKERS pytest-xdist processes (grouped by module, so a
# module's shared server or store stays in one process), then the few `serial` tests,
# which restart PostgreSQL, alone. PYTEST_ARGS selects or adds options to both
# (e.g. PYTEST_ARGS=tests/api); pytest's "no tests collected" (5) is not a failure.
# TEST_WORKERS=0 runs everything in this process. Each worker opens its own
# PostgreSQL connections (mind max_connections when raising TEST_WORKERS).
TEST_WORKERS ?= 2
PYTEST_ARGS ?=

test: $(DEV_STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope -m "not serial" --durations=25 $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/python -m pytest -m serial $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(DEV_STAMP)
	$(BIN)/python bench/run_all.py

screenshots: $(DEV_STAMP)
	PMO_LEDGER_SCREENSHOTS=docs/ui $(BIN)/python -m pytest tests/ui/test_browser.py tests/ui/test_browser_forms.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
