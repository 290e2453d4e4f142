# The book's common commands. Each target sets up what it needs: a virtual
# environment in .venv (pinned requirements.txt, bplib installed editable)
# and, for the website, MathJax / require.js / the widgets manager from npm.
#
#   make book      set up, build the website, print where to open it
#   make test      set up, run every test (unit, nbval, -W build, browser)
#   make execute   re-execute every notebook in place (NB=path for one)
#   make lab       start JupyterLab on the chapters
#   make bench     run the benchmarks

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
TSTAMP := $(VENV)/.test-installed-stamp
ASSETS := _assets/vendor/.stamp
HTML   := _build/html
NB     ?= chapters/*.ipynb

export TQDM_DISABLE := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: book test setup assets chromium build unit nbval site-test execute lab bench bench-smoke clean index lock canary mutation

book: setup assets build
	@echo
	@echo "The book is built. Open $(CURDIR)/$(HTML)/index.html in a browser,"
	@echo "or serve it: $(BIN)/python -m http.server -d $(HTML) 8000"

test: setup $(TSTAMP) assets chromium
	$(MAKE) unit
	$(MAKE) nbval
	$(MAKE) build
	$(MAKE) site-test

setup: $(STAMP)

$(STAMP): locks/build.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r locks/build.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# Test-only dependencies (the independent autodiff oracle), kept out of the
# book's requirements.
$(TSTAMP): locks/test.txt $(STAMP)
	$(BIN)/python -m pip install --quiet --require-hashes -r locks/test.txt
	touch $@

assets: $(ASSETS)

$(ASSETS): package.json package-lock.json tools/vendor_assets.py $(STAMP)
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	$(BIN)/python tools/vendor_assets.py

chromium:
	@bash tools/ensure_chromium.sh

build: $(STAMP) $(ASSETS)
	$(BIN)/jupyter-book build . --warningiserror --keep-going

unit: $(TSTAMP)
	BPLIB_REQUIRE_ORACLE=1 $(BIN)/pytest tests --ignore=tests/site

nbval: $(STAMP)
	$(BIN)/pytest --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg chapters
	$(BIN)/python tools/rerun_notebooks.py

site-test: $(STAMP)
	$(BIN)/pytest tests/site

execute: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py $(wildcard $(NB))

lab: $(STAMP)
	$(BIN)/jupyter lab chapters

# PyTorch (CPU build, pinned) is installed only for the benchmarks.
BENCH_STAMP := $(VENV)/.bench-stamp

$(BENCH_STAMP): locks/bench.txt $(STAMP)
	$(BIN)/python -m pip install --quiet --require-hashes -r locks/bench.txt
	touch $@

bench: $(STAMP) $(ASSETS) $(BENCH_STAMP)
	$(BIN)/python benchmarks/run_all.py

bench-smoke: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --smoke

clean:
	rm -rf _build node_modules _assets/vendor

index: $(STAMP)
	$(BIN)/python tools/equation_index.py

# Hashed lock files (locks/*.txt) from the requirements files, for Python 3.11
# on Linux x86_64 (tools/lock.py; uv pip compile --generate-hashes). Run after
# editing any requirements*.txt; commit the locks with it.
LOCK_UV := $(VENV)/lock-tools/bin/uv

$(LOCK_UV):
	$(PYTHON) -m venv $(VENV)/lock-tools
	$(VENV)/lock-tools/bin/python -m pip install --quiet uv==0.13.8

lock: $(LOCK_UV)
	$(VENV)/lock-tools/bin/python tools/lock.py

# Upgrade canary (not part of make test): the newest versions the declared
# ranges allow, in a scratch venv; prints what moved against the locks, runs
# the unit tests and nbval there and says what broke.
canary: $(STAMP) $(LOCK_UV)
	$(BIN)/python tools/canary.py

# Mutation testing of the core math modules (mutmut, [tool.mutmut] in
# pyproject.toml; several minutes per module). MODULES=name,name for a subset.
mutation: $(TSTAMP)
	$(BIN)/python -m pip install --quiet mutmut==3.8.1
	$(BIN)/python tools/mutation.py $(MODULES)
