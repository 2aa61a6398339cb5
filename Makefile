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
# apply, plan again (which must be empty).
demo: $(BIN)/python
	$(BIN)/pip install --quiet .
	$(DEMO) sandbox reset -C .
	$(DEMO) validate -C .
	$(DEMO) doctor -C .
	$(DEMO) plan -C .
	$(DEMO) apply -C . --auto-approve
	$(DEMO) plan -C . --detailed-exitcode

test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -m pytest

bench: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info .ncesync
