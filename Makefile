# Every target bootstraps .venv itself: a fresh clone needs only `make run` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint format clean demo

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/intervene $(ARGS)

demo: $(STAMP)
	$(BIN)/intervene demo $(ARGS)

# The sync tests' CouchDB-protocol server (pouchdb-server from npm, pinned by the lock file)
COUCH := tests/couch
COUCH_STAMP := $(COUCH)/node_modules/.installed

$(COUCH_STAMP): $(COUCH)/package-lock.json $(COUCH)/package.json $(COUCH)/fix-pouchdb-validation.js
	npm ci --prefix $(COUCH) --no-audit --no-fund --omit=optional
	touch $(COUCH_STAMP)

test: $(STAMP) $(COUCH_STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# every benchmark (bench/run_all.py lists them), each figure with its target, one JSON line last
bench: $(STAMP)
	$(BIN)/python bench/run_all.py

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache build dist *.egg-info
