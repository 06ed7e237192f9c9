# The project's entry points. `make demo` and `make test` are the two set-up commands of the README;
# every target creates the virtual environment in .venv first if it is missing or stale.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KAFKA := deploy/local-kafka/kafka.sh
DATA ?= ../shared/data

.PHONY: help venv broker broker-stop demo test test-unit bench train evaluate

help:
	@echo "make demo         start the local broker and a worker with the shipped model, feed it example articles"
	@echo "make test         run the whole test suite (starts the local broker when needed)"
	@echo "make test-unit    only the tests that need no broker"
	@echo "make broker       start the local Kafka broker;  make broker-stop  stop it"
	@echo "make train        retrain a model from DATA=$(DATA) into var/artifacts/"
	@echo "make evaluate     evaluate the shipped model on DATA=$(DATA); report in var/eval/"

venv: $(VENV)/.installed

# Reinstalled whenever pyproject.toml changes; editable, so code edits need no reinstall.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

broker:
	bash $(KAFKA) start

broker-stop:
	bash $(KAFKA) stop

demo: venv
	bash deploy/local/demo.sh

test: venv
	$(BIN)/python -m pytest

test-unit: venv
	$(BIN)/python -m pytest tests/unit

train: venv
	$(BIN)/newsfeed train --data $(DATA) --out var/artifacts

evaluate: venv
	$(BIN)/newsfeed evaluate --data $(DATA) --out var/eval
