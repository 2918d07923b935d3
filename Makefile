# Short task runner. `make release` builds the dataset (the full-text release for local use: it carries texts whose
# redistribution is `withhold`, so `irbc publish` refuses it; the build says so); `make release-standoff` builds the
# publishable stand-off release; `make test` runs the test suite.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup release release-standoff test lint format typecheck bench clean

setup: $(VENV)/.installed $(VENV)-cff/.installed

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

# cffconvert (the reference CITATION.cff validator) pins jsonschema 3, which the package cannot use, so it lives
# in a small venv of its own; tests call it as a program.
$(VENV)-cff/.installed:
	$(PY) -m venv $(VENV)-cff
	$(VENV)-cff/bin/pip install --quiet "cffconvert==2.0.0"
	touch $@

release: setup
	$(BIN)/irbc build --corpus corpus --out release
	cp release/DATASHEET.md DATASHEET.md

release-standoff: setup
	$(BIN)/irbc build --corpus corpus --text-policy standoff --out release-standoff

test: setup
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check build tests
	$(BIN)/ruff format --check build tests

format: setup
	$(BIN)/ruff format build tests
	$(BIN)/ruff check --fix build tests

typecheck: setup
	$(BIN)/mypy

clean:
	rm -rf release .release-* release-standoff .release-standoff-* .pytest_cache .ruff_cache .mypy_cache
