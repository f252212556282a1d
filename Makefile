# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint typecheck messages bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

# bootstrap compiles the message catalogues too (the .mo files are generated, git-ignored)
run: $(STAMP)
	$(BIN)/stromalab manage bootstrap
	$(BIN)/stromalab manage runserver 127.0.0.1:8000

# ruff, then the import contracts of pyproject.toml ([tool.importlinter]: core free of Django)
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports

messages: $(STAMP)
	$(BIN)/stromalab i18n compile

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck messages
	bash tools/test.sh

bench: $(STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
