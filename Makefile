# The book's common commands. Each target sets up what it needs: a virtual
# environment in .venv (pinned requirements.txt, bplib installed editable)
# and, for the website, MathJax / require.js / the widgets manager from npm.
#
#   make book      set up, build the website, print where to open it
#   make test      set up, run every test (unit, nbval, -W build, browser)
#   make execute   re-execute every notebook in place (NB=path for one)
#   make lab       start JupyterLab on the chapters
#   make bench     run the benchmarks
#   make pdf       the whole book as one PDF, _build/pdf/book.pdf
#   make dist      bplib's wheel and sdist in dist/

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

.PHONY: book test setup assets chromium build unit nbval site-test execute lab bench bench-smoke clean index pdf dist publish-dir release-test

book: setup assets build
	@echo
	@echo "The book is built. Open $(CURDIR)/$(HTML)/index.html in a browser,"
	@echo "or serve it: $(BIN)/python -m http.server -d $(HTML) 8000"

test: setup $(TSTAMP) assets chromium
	$(MAKE) unit
	$(MAKE) nbval
	$(MAKE) build
	$(MAKE) site-test
	$(MAKE) pdf
	$(MAKE) release-test

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	touch $@

# Test-only dependencies (the independent autodiff oracle), kept out of the
# book's requirements.
$(TSTAMP): requirements-test.txt $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

assets: $(ASSETS)

$(ASSETS): package.json package-lock.json tools/vendor_assets.py $(STAMP)
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	$(BIN)/python tools/vendor_assets.py

chromium:
	@bash tools/ensure_chromium.sh

build: $(STAMP) $(ASSETS)
	$(BIN)/jupyter-book build . --warningiserror --keep-going

# Lint, then the unit tests and the docstrings' examples.
unit: $(TSTAMP)
	$(BIN)/ruff check bplib tests benchmarks tools
	BPLIB_REQUIRE_ORACLE=1 $(BIN)/pytest tests --ignore=tests/site --doctest-modules bplib

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

$(BENCH_STAMP): requirements-bench.txt $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	touch $@

bench: $(STAMP) $(ASSETS) $(BENCH_STAMP)
	$(BIN)/python benchmarks/run_all.py

bench-smoke: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --smoke

clean:
	rm -rf _build node_modules _assets/vendor

index: $(STAMP)
	$(BIN)/python tools/equation_index.py

# The whole book as one PDF: a single-page HTML build printed by Chromium
# (tools/build_pdf.py says why this route).
pdf: $(STAMP) $(ASSETS) chromium
	$(BIN)/jupyter-book build . --builder singlehtml --warningiserror --keep-going
	$(BIN)/python tools/build_pdf.py

# bplib as a package: wheel and sdist in dist/.
dist: $(TSTAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist . >/dev/null
	@ls dist

# The website with the PDF beside it, as it is published.
publish-dir: $(HTML)/index.html _build/pdf/book.pdf
	cp _build/pdf/book.pdf $(HTML)/book.pdf

# Checks of the book as a product: the PDF, the wheel in a fresh
# environment, the publishing workflow.
release-test: $(TSTAMP)
	$(BIN)/pytest tests/release -q
