# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := $(BIN)/ncesync

.PHONY: demo test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The demo installs the package the way a user would (not editable), then runs the main job
# on the embedded sandbox: validate, doctor (read-only checks against the vendors), plan,
# apply, plan again (which must be empty). DEPLOYMENT picks another one, for example
# `make demo DEPLOYMENT=examples/xero-advance` (Xero) or examples/autotask-arrears.
DEPLOYMENT ?= .
demo: $(BIN)/python
	$(BIN)/pip install --quiet .
	$(DEMO) sandbox reset -C $(DEPLOYMENT)
	$(DEMO) validate -C $(DEPLOYMENT)
	$(DEMO) doctor -C $(DEPLOYMENT)
	$(DEMO) plan -C $(DEPLOYMENT)
	$(DEMO) apply -C $(DEPLOYMENT) --auto-approve
	$(DEMO) plan -C $(DEPLOYMENT) --detailed-exitcode

# The tests run on every core (pytest-xdist); the example plug-in is installed so that the
# conformance suite runs against a PSA that ncesync does not ship.
test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]' -e examples/plugin-tinypsa
	$(BIN)/python -m pytest -n auto

# Quality gates: formatting, lint rules, strict types, and the import contracts (the engine
# imports no plug-in). Rules and why: pyproject.toml, [tool.ruff], [tool.mypy], [tool.importlinter].
lint: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,lint]'
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy reconciler providers
	$(BIN)/lint-imports

bench: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info .ncesync
