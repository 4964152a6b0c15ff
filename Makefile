# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
# Both use one virtual environment, .venv, made on first use: `make run` installs ehelsekg with
# its runtime dependencies only; `make test` adds the dev extra (pytest, ruff, mypy and the
# benchmark anchors). Each set-up step prints one line; pip's own output goes to $(LOG), and is
# shown only when a step fails.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
LOG := $(VENV)/install.log
# Run a set-up command quietly: its output to $(LOG), the end of it on the screen if it fails.
QUIETLY = >>$(LOG) 2>&1 || { tail -n 40 $(LOG); echo "make: failed; the whole log is $(LOG)"; exit 1; }

.PHONY: run test lint venv dev clean chromium virtuoso vis-network bench

venv: $(VENV)/.runtime
dev: $(VENV)/.dev

$(PY):
	@echo "make: creating the virtual environment $(VENV)"
	@python3 -m venv $(VENV)
	@echo "make: updating pip"
	@$(PY) -m pip install --upgrade pip $(QUIETLY)

$(VENV)/.runtime: pyproject.toml setup.py | $(PY)
	@echo "make: installing ehelsekg and its runtime dependencies"
	@$(PY) -m pip install -e . $(QUIETLY)
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime
	@echo "make: installing the test and lint tools (the dev extra)"
	@$(PY) -m pip install -e '.[dev]' $(QUIETLY)
	@touch $@

# The main job: validate the bundled graph, then serve it on http://127.0.0.1:8000/.
run: $(VENV)/.runtime
	@echo "make: validating the bundled graph"
	@$(BIN)/ehelsekg validate >$(VENV)/validation.txt 2>&1 \
		|| { cat $(VENV)/validation.txt; exit 1; }
	@echo "      $$(head -n 1 $(VENV)/validation.txt) Each result: $(BIN)/ehelsekg validate"
	@echo "make: starting the server; it says where to point a browser when it is ready"
	@$(BIN)/ehelsekg serve

lint: $(VENV)/.dev
	$(BIN)/ruff check ehelsekg server tests setup.py
	$(BIN)/ruff format --check ehelsekg server tests setup.py
	$(BIN)/mypy

test: lint chromium virtuoso
	$(BIN)/pytest

# The benchmarks: bundled data, 10k and 100k synthetic triples (about 8 minutes; results in
# bench/out/results.md), and restarts of a filled on-disk store (bench/out/restart.md). The 1M
# size only on request: $(PY) -m bench.run --sizes 1m; $(PY) -m bench.restart --sizes 1m
# Then the load goal: 32 readers and 1 writer for 60 s against a real server (bench/out/load.md).
bench: $(VENV)/.dev
	$(PY) -m bench.run
	$(PY) -m bench.restart --sizes bundled,100k
	$(PY) -m bench.load

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
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
