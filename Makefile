# Two commands matter: `make run` and `make test`. Both build .venv on first use.
# The first interpreter that really runs and is 3.11+ (pyenv shims may exist but not run).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test install migrate demo-data serve worker lint bench clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Aiguillage needs Python 3.11 or newer: install it or set PYTHON=/path/to/python3.11" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/aiguillage migrate

demo-data: migrate
	$(BIN)/aiguillage demo-data --if-empty

## Serve the API, console and in-process worker on http://127.0.0.1:8000 (SQLite + memory broker by default)
run: demo-data
	AIGUILLAGE_DEMO=true $(BIN)/aiguillage serve

## Run the whole test suite: most tests in two processes, then the end-to-end fault tests alone
## (they restart RabbitMQ). PostgreSQL/RabbitMQ tests skip without them unless CI=true.
test: install
	$(BIN)/python -m pytest -n 4 --dist loadgroup --durations=25 -m "not alone"
	$(BIN)/python -m pytest -m alone

lint: install
	$(BIN)/ruff check router channels sim skills clocks tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	$(BIN)/python bench/ingest.py --help

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
