# The two Quickstart commands: `make demo` and `make test`. Both create .venv first.
# torch is installed on its own, pinned, before anything else: an unpinned torch pulls
# a multi-GB CUDA build. Override with e.g. `make test TORCH="torch==2.14.1"`.
PYTHON ?= python3
VENV ?= .venv
TORCH ?= torch==2.13.0
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint bench package-check clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install -q "$(TORCH)"
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/sparse-parts compare --dataset digits --quick --out demo_out

# The suite, plus the docstring examples (doctests) of the modules named here.
DOCTEST_MODULES := sparse_parts/metrics.py sparse_parts/plotting.py sparse_parts/presets.py \
	sparse_parts/path.py

test: $(STAMP)
	MPLBACKEND=Agg $(PY) -m pytest -n 2 --dist loadfile -q --doctest-modules tests \
		$(DOCTEST_MODULES)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	$(PY) benchmarks/bench_nmf.py

# Build the wheel and the sdist, install each in a fresh virtual environment and run
# `sparse-parts --version` there; offline (the build uses this environment's setuptools).
package-check: $(STAMP)
	$(PY) -m pytest -q tests/test_packaging.py

# The documentation: warnings are errors, and every gallery example is run (its
# output and figures go into the pages); `make docs PLOT_GALLERY=0` only lays the
# examples out. CI runs exactly this target. MPLBACKEND: no display is needed.
.PHONY: docs
PLOT_GALLERY ?= 1
DOCS_STAMP := $(VENV)/.installed-docs

$(DOCS_STAMP): $(STAMP)
	$(PY) -m pip install -q -e ".[docs]"
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	MPLBACKEND=Agg $(VENV)/bin/sphinx-build -W --keep-going -b html \
		-D plot_gallery=$(PLOT_GALLERY) docs docs/_build/html

clean:
	rm -rf $(VENV) demo_out .pytest_cache .hypothesis *.egg-info
