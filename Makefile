# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := $(BIN)/ncesync

.PHONY: demo test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The development install: ncesync editable, with the test and lint tools and the example
# plug-in. pip takes seconds even when nothing changed, so it runs again only when a
# pyproject.toml changed, or after `make demo` replaced it with a plain install.
DEV := $(VENV)/.dev-install
$(DEV): $(BIN)/python pyproject.toml examples/plugin-tinypsa/pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,lint]' -e examples/plugin-tinypsa
	touch $@

# The demo installs the package the way a user would (not editable), then runs the main job
# on the embedded sandbox: validate, doctor (read-only checks against the vendors), plan,
# apply, plan again (which must be empty). DEPLOYMENT picks another one, for example
# `make demo DEPLOYMENT=examples/xero-advance` (Xero) or examples/autotask-arrears.
DEPLOYMENT ?= .
demo: $(BIN)/python
	$(BIN)/pip install --quiet .
	rm -f $(DEV)
	$(DEMO) sandbox reset -C $(DEPLOYMENT)
	$(DEMO) validate -C $(DEPLOYMENT)
	$(DEMO) doctor -C $(DEPLOYMENT)
	$(DEMO) plan -C $(DEPLOYMENT)
	$(DEMO) apply -C $(DEPLOYMENT) --auto-approve
	$(DEMO) plan -C $(DEPLOYMENT) --detailed-exitcode

# The tests run on one worker more than the machine has cores (pytest-xdist, idle workers
# take tests from busy ones): about a fifth of the suite waits on real processes and sockets
# (kill -9, signals, racing applies, vendor latency), and the spare worker fills that time.
# Compiled bytecode is kept even where the environment says not to (PYTHONDONTWRITEBYTECODE):
# the suite starts ncesync in many processes, each of which would compile every module
# again. The example plug-in is installed ($(DEV)) so that the conformance suite runs against a PSA
# that ncesync does not ship. docs/testing.md says what runs and how long it takes.
WORKERS ?= $(shell echo $$(( $$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1) + 1 )))
test: $(DEV)
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n $(WORKERS) --dist worksteal

# Quality gates: formatting, lint rules, strict types, and the import contracts (the engine
# imports no plug-in). Rules and why: pyproject.toml, [tool.ruff], [tool.mypy], [tool.importlinter].
lint: $(DEV)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy reconciler providers
	$(BIN)/lint-imports

bench: $(DEV)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info .ncesync
