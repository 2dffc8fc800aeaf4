# `make run` and `make test` are all a fresh machine needs (see README.md).
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
RAG := $(VENV)/bin/rag

.PHONY: run test lint licenses install dev clean bench chromium eval

run: install
	$(RAG) ingest
	$(RAG) serve --host 127.0.0.1 --port 8000

test: dev chromium licenses
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

lint: dev licenses
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Every installed distribution's license: pip-licenses' table to read, then the check
# (tests/test_licenses.py) that fails on AGPL, GPL without a permissive alternative,
# SSPL/BUSL or non-commercial ones. LGPL and MPL pass: only imported, never modified.
licenses: dev
	$(VENV)/bin/pip-licenses --order=license
	$(VENV)/bin/pytest -q -p no:cacheprovider tests/test_licenses.py

# The whole eval set, scored and reported in eval-report/ (`make test` runs a subset).
eval: install
	$(RAG) ingest
	$(RAG) eval --out eval-report

# Every benchmark in one run (several minutes): the tutorial baseline, ingest, in-process
# and HTTP latency, cold start, memory, a profile; rewrites BENCHMARKS.md and its chart.
bench: dev
	$(PY) -m benchmarks.run --markdown BENCHMARKS.md --chart docs/benchmarks.png

# The browser tests drive Debian's chromium (Playwright's own download cannot work here).
chromium:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

install: $(VENV)/.install.stamp
dev: $(VENV)/.dev.stamp

$(PY):
	python3 -m venv $(VENV)

# torch is installed first, pinned, so pip takes the local CPU build instead of a
# multi-GB CUDA one that a dependency's loose `torch` requirement would pull.
$(VENV)/.install.stamp: pyproject.toml | $(PY)
	$(PIP) install --disable-pip-version-check -q torch==2.13.0
	$(PIP) install --disable-pip-version-check -q -e .
	touch $@

# llama-cpp-python compiles from source. A build tuned to this CPU (-march=native with
# AVX-512/AMX) crashed with a segfault on the first token here, so it is built portable
# once into a wheel cache outside the clone; later installs and fresh clones reuse it.
LLAMA_VERSION := 0.3.36
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX512=OFF -DGGML_AMX_INT8=OFF -DGGML_OPENMP=OFF
WHEELHOUSE ?= $(HOME)/.cache/papers-rag/wheels/llama-portable

# The bench extra comes with the dev tools because mypy checks benchmarks/ too.
$(VENV)/.dev.stamp: pyproject.toml $(VENV)/.install.stamp
	@ls $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || { \
		echo "Building llama-cpp-python $(LLAMA_VERSION) once (several minutes on 2 cores)"; \
		CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) wheel --disable-pip-version-check -q \
			--no-cache-dir --no-deps -w $(WHEELHOUSE) llama-cpp-python==$(LLAMA_VERSION); }
	$(PIP) install --disable-pip-version-check -q \
		$(WHEELHOUSE)/llama_cpp_python-$(LLAMA_VERSION)-*.whl -e '.[dev,llamacpp,bench]'
	touch $@

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
