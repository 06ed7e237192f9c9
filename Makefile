# The project's entry points. `make demo` and `make test` are the two set-up commands of the README;
# every target creates the virtual environment in .venv first if it is missing or stale.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KAFKA := deploy/local-kafka/kafka.sh
DATA ?= ../shared/data

LOCKS := requirements/worker.lock requirements/test.lock

.PHONY: help tools venv lock broker broker-stop demo test test-unit bench train evaluate

help:
	@echo "make demo         start the local broker and a worker with the shipped model, feed it example articles"
	@echo "make test         run the whole test suite (starts the local broker when needed)"
	@echo "make test-unit    only the tests that need no broker"
	@echo "make broker       start the local Kafka broker;  make broker-stop  stop it"
	@echo "make train        retrain a model from DATA=$(DATA) into var/artifacts/"
	@echo "make evaluate     evaluate the shipped model on DATA=$(DATA); report in var/eval/"
	@echo "make bench        the benchmark (3-8 min, real broker): bench/results.json and a table"
	@echo "make lock         re-resolve requirements/*.lock (pinned, with hashes) from pyproject.toml's ranges"

# Prometheus and promtool from Debian's package: the metrics integration test runs a real server and
# the alert rules are unit-tested with promtool. Installed only when missing (needs root or sudo).
tools:
	@command -v promtool >/dev/null && command -v prometheus >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }

venv: $(VENV)/.installed

# Reinstalled whenever pyproject.toml or the lock changes; editable, so code edits need no reinstall.
# The dependencies are the locked ones, each checked against its hash, so CI tests exactly what the
# image installs (requirements/worker.lock is requirements/test.lock without the test tools).
$(VENV)/.installed: pyproject.toml requirements/test.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --requirement requirements/test.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# pip-tools in a venv of its own, so the lock never depends on what the project's venv holds. The
# locks are resolved for the Python that runs this (the image's and CI's: 3.11).
lock:
	test -x .venv-tools/bin/pip-compile || { $(PYTHON) -m venv .venv-tools && .venv-tools/bin/pip install --quiet pip-tools; }
	for extra in worker test; do \
	  .venv-tools/bin/pip-compile --quiet --upgrade --generate-hashes --strip-extras --all-build-deps --allow-unsafe \
	    --no-emit-find-links --no-emit-index-url $$( [ $$extra = test ] && echo --extra test ) \
	    --output-file requirements/$$extra.lock pyproject.toml || exit 1; \
	done

broker:
	bash $(KAFKA) start

broker-stop:
	bash $(KAFKA) stop

demo: venv
	bash deploy/local/demo.sh

test: tools venv
	$(BIN)/python -m pytest

test-unit: venv
	$(BIN)/python -m pytest tests/unit

train: venv
	$(BIN)/newsfeed train --data $(DATA) --out var/artifacts

evaluate: venv
	$(BIN)/newsfeed evaluate --data $(DATA) --out var/eval

bench: venv
	$(BIN)/python -m bench --data $(DATA)
