# Short task runner. `make release` builds the dataset; `make test` runs the test suite.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup release test lint format typecheck bench clean

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
	rm -rf release .release-* .pytest_cache .ruff_cache .mypy_cache
