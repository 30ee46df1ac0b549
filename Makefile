# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

# Demo-only secrets so every demo inbox works out of the box; set real ones in production.
DEMO_ENV := HUB_DEMO_API_SECRET=$${HUB_DEMO_API_SECRET:-demo-api-secret}

.PHONY: install run test lint typecheck unit bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11+ is required (set PYTHON=...)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: install
	$(DEMO_ENV) $(PY) -m hub serve

lint: install
	$(PY) -m ruff check .

typecheck: install
	$(PY) -m mypy hub channels automations snippets config tests

unit: install
	$(PY) -m pytest

test: lint typecheck unit

bench: install
	$(PY) -m tests.bench.ingest
	$(PY) -m tests.bench.channels
	$(PY) -m tests.bench.rules
	$(PY) -m tests.bench.brain
	$(PY) -m tests.bench.nlu
	$(PY) -m tests.bench.routing
	$(PY) -m tests.bench.escalation
	$(PY) -m tests.bench.simulate

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
