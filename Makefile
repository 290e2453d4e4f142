# The book's common commands. Each target sets up what it needs: a virtual
# environment in .venv (the reader's requirements.txt plus the build's
# requirements-build.txt, pinned; bplib installed editable) and, for the
# website, MathJax from npm.
#
#   make book      set up, build the website, print where to open it
#   make test      set up, run every test (unit, nbval, -W build, browser,
#                  JupyterLab, fresh kernel)
#   make lab       start JupyterLab (with MyST rendering) on the chapters
#   make execute   re-execute every notebook in place (NB=path for one)
#   make prepare   listings as code cells and the install cell, in every chapter
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
# Test processes run at once: the machine's cores, at most 4 (`make test JOBS=1`
# runs everything in one process).
JOBS   ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)

export TQDM_DISABLE := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: book test setup assets chromium build built-site-tests unit nbval site-test lab-test fresh-kernel-test execute lab prepare bench bench-smoke clean index pdf dist publish-dir release-test lock canary mutation

book: setup assets build
	@echo
	@echo "The book is built. Open $(CURDIR)/$(HTML)/index.html in a browser,"
	@echo "or serve it: $(BIN)/python -m http.server -d $(HTML) 8000"

test: setup $(TSTAMP) assets chromium
	$(MAKE) unit
	$(MAKE) nbval
	@# Targets that leave a core idle overlap (each target's output is printed
	@# whole when it ends): JupyterLab's test waits on its kernel most of the
	@# time, Sphinx builds on one core; the release tests read the PDF.
	$(MAKE) -j3 --output-sync=target lab-test fresh-kernel-test built-site-tests
	$(MAKE) release-test

# The website built, then its browser test beside the PDF (which reads the
# build's environment).
built-site-tests: $(TSTAMP) $(ASSETS)
	$(MAKE) build
	$(MAKE) -j2 --output-sync=target site-test pdf

setup: $(STAMP)

# pip installs uv (locks/setup.txt), and uv the locked environment: the same
# files, hashes required, in seconds rather than pip's minutes.
UV := $(BIN)/uv pip install --quiet --python $(BIN)/python

$(STAMP): locks/build.txt locks/setup.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
		"the book needs Python >= 3.11 (numpy 2.4 and matplotlib 3.11 do): make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r locks/setup.txt
	$(UV) --require-hashes -r locks/build.txt
	$(UV) --no-deps -e .
	touch $@

# Test-only dependencies (the independent autodiff oracle), kept out of the
# book's requirements.
$(TSTAMP): locks/test.txt $(STAMP)
	$(UV) --require-hashes -r locks/test.txt
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
	BPLIB_REQUIRE_ORACLE=1 $(BIN)/pytest -n $(JOBS) tests --ignore=tests/site \
		--ignore=tests/lab --ignore=tests/release --ignore=tests/book/test_fresh_kernel.py \
		--doctest-modules bplib

# Each notebook's cells run in order in one kernel (--dist loadfile), notebooks
# side by side, sealed (tools/seal.py): a fresh home, no outside connection,
# nothing written outside the build and cache folders.
nbval: $(TSTAMP)
	$(BIN)/python tools/seal.py $(BIN)/pytest -n $(JOBS) --dist loadfile --nbval \
		--nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg chapters

site-test: $(TSTAMP)
	$(BIN)/pytest -n $(JOBS) tests/site

# Every chapter in JupyterLab (with jupyterlab-myst) in Chromium: run all
# cells, move the widgets, no raw MyST, listings visible.
lab-test: $(STAMP)
	$(BIN)/pytest tests/lab

# Colab stand-in: chapter 1 in a fresh venv without bplib, through its
# install cell pointed at a wheel built from this checkout.
fresh-kernel-test: $(STAMP)
	$(BIN)/pytest tests/book/test_fresh_kernel.py

execute: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py $(wildcard $(NB))

# JupyterLab renders the chapters' MyST with jupyterlab-myst (requirements.txt);
# binder/lab_references.py writes out the citations and cross-references it
# cannot resolve.
lab: $(STAMP)
	$(BIN)/jupyter lab --config=binder/jupyter_server_config.py --notebook-dir=chapters $(if $(filter 0,$(shell id -u)),--allow-root)

# Code listings become code cells, and each chapter gets its install cell
# (tools/prepare_notebooks.py; idempotent), and README's launch badges follow
# repository.url in _config.yml.
prepare: $(STAMP)
	$(BIN)/python tools/prepare_notebooks.py --readme chapters/*.ipynb

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

# The whole book as one PDF: a single-page HTML build printed by Chromium
# (tools/build_pdf.py says why this route).
pdf: $(STAMP) $(ASSETS) chromium
	$(BIN)/jupyter-book build . --builder singlehtml --warningiserror --keep-going
	$(BIN)/python tools/build_pdf.py

# bplib as a package: wheel and sdist in dist/.
dist: $(TSTAMP)
	rm -rf dist
	$(BIN)/python -m build --installer uv --outdir dist . >/dev/null
	@ls dist

# The website with the PDF beside it, as it is published.
publish-dir: $(HTML)/index.html _build/pdf/book.pdf
	cp _build/pdf/book.pdf $(HTML)/book.pdf

# Checks of the book as a product: the PDF, the wheel in a fresh
# environment, the publishing workflow.
release-test: $(TSTAMP)
	$(BIN)/pytest tests/release -q

# Hashed lock files (locks/*.txt) from the requirements files, for Python 3.11
# on Linux x86_64 (tools/lock.py; uv pip compile --generate-hashes). Run after
# editing any requirements*.txt; commit the locks with it.
LOCK_UV := $(VENV)/lock-tools/bin/uv

$(LOCK_UV): locks/setup.txt
	$(PYTHON) -m venv $(VENV)/lock-tools
	$(VENV)/lock-tools/bin/python -m pip install --quiet --require-hashes -r locks/setup.txt

lock: $(LOCK_UV)
	$(VENV)/lock-tools/bin/python tools/lock.py

# Upgrade canary (not part of make test): the newest versions the declared
# ranges allow, in a scratch venv; prints what moved against the locks, runs
# the unit tests and nbval there and says what broke.
canary: $(STAMP) $(LOCK_UV)
	$(BIN)/python tools/canary.py

# Mutation testing of the core math modules (mutmut, [tool.mutmut] in
# pyproject.toml; several minutes per module). MODULES=name,name for a subset,
# MAX_CHILDREN=1 for one test process (a shared machine).
mutation: $(TSTAMP)
	$(BIN)/python -m pip install --quiet mutmut==3.8.1
	$(BIN)/python tools/mutation.py $(MODULES) $(if $(MAX_CHILDREN),--max-children $(MAX_CHILDREN))
