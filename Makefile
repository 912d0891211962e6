# Two commands matter: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= $(shell command -v python3.13 || command -v python3.12 || command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test install migrate demo-data serve worker lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Aiguillage needs Python 3.11 or newer (found " + sys.version.split()[0] + "); set PYTHON=/path/to/python3.11")'
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
	$(BIN)/aiguillage serve

## Run the whole test suite (PostgreSQL/RabbitMQ tests skip without them unless CI=true)
test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check router channels skills tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	$(BIN)/python bench/ingest.py --help

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
