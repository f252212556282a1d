# Two commands do all set-up on a fresh machine: `make run` and `make test`.
# Both install from the lock files in requirements/ (every version pinned, with hashes):
# `make run` the runtime set only, `make test` the test set (a superset, same versions).
# `make lock` refreshes both from pyproject.toml (then review and commit the diff).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-$(shell cat requirements/runtime.txt pyproject.toml | cksum | cut -d' ' -f1)
TESTING := $(VENV)/.testing-$(shell cat requirements/test.txt pyproject.toml | cksum | cut -d' ' -f1)
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links

.PHONY: run demo test lint typecheck messages bench lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): requirements/runtime.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/runtime.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check  # a dependency added to pyproject.toml without `make lock` fails here
	@rm -f $(VENV)/.runtime-*
	@touch $@

$(TESTING): requirements/test.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/test.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	@rm -f $(VENV)/.testing-* $(VENV)/.runtime-*
	@touch $@ $(RUNTIME)

# bootstrap compiles the message catalogues too (the .mo files are generated, git-ignored)
run: $(RUNTIME)
	$(BIN)/stromalab manage bootstrap
	$(BIN)/stromalab manage runserver 127.0.0.1:8000

# a complete demo study in the empty database, with one account per role (public passwords:
# a demo database only); refused once the database holds study data
demo: $(RUNTIME)
	$(BIN)/stromalab manage bootstrap
	$(BIN)/stromalab demo

# ruff, then the import contracts of pyproject.toml ([tool.importlinter]: core free of Django)
lint: $(TESTING)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports

messages: $(TESTING)
	$(BIN)/stromalab i18n compile

typecheck: $(TESTING)
	$(BIN)/mypy

test: lint typecheck messages
	bash tools/test.sh

bench: $(TESTING)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lock: $(TESTING)
	$(BIN)/python -m pip install --quiet "pip-tools==7.6.2"
	$(PIP_COMPILE) --upgrade --extra test --output-file=requirements/test.txt pyproject.toml
	$(PIP_COMPILE) --constraint=requirements/test.txt --output-file=requirements/runtime.txt pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
