# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
# Each creates the virtual environment it needs in .venv on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: run test lint venv clean chromium virtuoso vis-network bench

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# The main job: validate the bundled graph, then serve it on http://127.0.0.1:8000/.
run: venv
	$(BIN)/ehelsekg validate
	$(BIN)/ehelsekg serve

lint: venv
	$(BIN)/ruff check ehelsekg server tests
	$(BIN)/ruff format --check ehelsekg server tests
	$(BIN)/mypy

test: lint chromium virtuoso
	$(BIN)/pytest

# The benchmarks: bundled data, 10k and 100k synthetic triples (about 8 minutes; results in
# bench/out/results.md). The 1M size only on request: $(PY) -m bench.run --sizes 1m
bench: venv
	$(PY) -m bench.run

# The browser the view tests open pages in (Debian's chromium; skipped if already there).
chromium:
	bash scripts/install-chromium.sh

# OpenLink Virtuoso for tests/test_virtuoso_store.py (Debian's virtuoso-opensource; skipped if
# already there). The tests start a private instance; the system service is left disabled.
virtuoso:
	bash scripts/install-virtuoso.sh

# Re-vendor vis-network from npm (the vendored copy is committed; only to change version).
vis-network:
	bash scripts/fetch-vis-network.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
