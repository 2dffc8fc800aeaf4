# `make run` and `make test` are all a fresh machine needs (see README.md).
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
RAG := $(VENV)/bin/rag

.PHONY: run test lint install dev clean

run: install
	$(RAG) ingest
	@echo "Indexed. The API and chat UI are not built yet; this target will serve them."

test: dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

lint: dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

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

$(VENV)/.dev.stamp: pyproject.toml $(VENV)/.install.stamp
	$(PIP) install --disable-pip-version-check -q -e '.[dev]'
	touch $@

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
