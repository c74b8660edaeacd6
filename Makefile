# The same verbs everywhere: make demo, make test, make lint, make bench.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
HOST ?= 127.0.0.1
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("RaceHub needs Python 3.11+") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/racehub demo --host $(HOST) --port $(PORT)

browser:
	@bash scripts/ensure-deb /usr/bin/chromium chromium "the browser tests"

test: $(STAMP) browser
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: $(STAMP)
	@bash scripts/ensure-deb /usr/bin/wrk wrk "the results API benchmark"
	$(BIN)/python bench/run_all.py --results 50000 --rounds 2

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
