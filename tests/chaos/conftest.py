"""Chaos fixtures: the shared broker, a private broker that tests may kill, the model, and the audit summary.

`pytest -m chaos` starts everything it needs: the shared local broker (kafka.sh start, idempotent;
NEWSFEED_BOOTSTRAP_SERVERS overrides it), a second broker in a temp state dir on free ports for the
tests that kill brokers, and the workers. At the end it prints every audit and writes them to
var/chaos/audit.jsonl.
"""

from __future__ import annotations

import json
import os

import pytest

from harness import AUDITS, Broker
from topic_fixtures import ROOT
from topic_fixtures import loadable_model_dir


def pytest_configure(config):
    # kafka-python 3.0.12 does not close the socket of a refused connect (net/inet.py: sock_connect raises
    # without closing it), so this process's own clients leak one per attempt while a test's broker is
    # down, and the garbage collector warns about each whenever it next runs, in whatever test that is.
    config.addinivalue_line("filterwarnings", "ignore:unclosed <socket.socket:ResourceWarning")


@pytest.fixture(scope="session")
def shared_bootstrap() -> str:
    return os.environ.get("NEWSFEED_BOOTSTRAP_SERVERS") or Broker().start()


@pytest.fixture(scope="session")
def private_broker(tmp_path_factory):
    """A broker of the chaos suite's own: killed and restarted by tests, stopped at the end."""
    broker = Broker(tmp_path_factory.mktemp("chaos-broker"))
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture(scope="session")
def model_dir() -> str:
    return loadable_model_dir()


@pytest.fixture
def slots(tmp_path):
    """Slots started by a test; whatever still runs at its end is stopped."""
    started = []
    yield started
    for slot in started:
        slot.stop(timeout_s=10)


def pytest_terminal_summary(terminalreporter):
    if not AUDITS:
        return
    write = terminalreporter.write_line
    terminalreporter.section("chaos audit")
    write(f"{'test':44} {'mode':13} {'inputs':>6} {'bad':>4} {'crash':>5} {'brk':>3} {'read':>6} {'written':>7} "
          f"{'dups':>5} {'lost':>4} {'dlq':>4} {'lag':>3} {'s':>6}")
    for a in AUDITS:
        write(f"{a.test[:44]:44} {a.guarantee:13} {a.inputs:6} {a.bad_inputs:4} {a.crashes:5} {a.broker_restarts:3} "
              f"{a.output_read:6} {a.output_written:7} {a.duplicates:5} {a.losses:4} {a.dead_letters:4} {a.lag:3} "
              f"{a.seconds:6.1f}")
    for a in AUDITS:
        pauses = {key: value for key, value in a.notes.items() if "pause" in key}
        if pauses:  # the crash-recovery tests' figures: longest gaps between output records, in seconds
            write(f"{a.test}: " + ", ".join(f"{key}={value}" for key, value in pauses.items()))
    report = ROOT / "var" / "chaos" / "audit.jsonl"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("".join(json.dumps(a.as_dict()) + "\n" for a in AUDITS))
    write(f"(written to {report.relative_to(ROOT)})")
