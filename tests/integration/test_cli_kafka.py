"""`newsfeed topics create`, `produce` and `consume` as a user runs them, against the real broker."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from topic_fixtures import ROOT

pytestmark = pytest.mark.integration

EXAMPLES = ROOT / "examples" / "articles.jsonl"


def newsfeed(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsfeed", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, timeout=120)


def test_topics_create_then_produce_and_consume_the_examples(topics):
    env = topics.env
    created = newsfeed("topics", "create", "--partitions", "2", env=env)
    assert created.returncode == 0, created.stderr.decode()
    rows = [json.loads(line) for line in created.stdout.splitlines()]
    assert [row["created"] for row in rows] == [True, True, True]
    limits = {row["topic"]: row["max_message_bytes"] for row in rows}
    assert limits[env["NEWSFEED_DEAD_LETTER_TOPIC"]] == limits[env["NEWSFEED_INPUT_TOPIC"]] + 16384
    again = newsfeed("topics", "create", env=env)
    assert [json.loads(line)["created"] for line in again.stdout.splitlines()] == [False, False, False]

    topic = env["NEWSFEED_INPUT_TOPIC"]
    produced = newsfeed("produce", "--topic", topic, str(EXAMPLES), env=env)
    assert produced.returncode == 0, produced.stderr.decode()
    lines = [line for line in EXAMPLES.read_bytes().splitlines() if line.strip()]

    consumed = newsfeed("consume", "--topic", topic, env=env)
    assert consumed.returncode == 0, consumed.stderr.decode()
    assert sorted(consumed.stdout.splitlines()) == sorted(lines)  # every line, byte for byte

    envelopes = newsfeed("consume", "--topic", topic, "--envelope", "--max", "3", env=env)
    records = [json.loads(line) for line in envelopes.stdout.splitlines()]
    assert len(records) == 3 and all(r["topic"] == topic for r in records)
    keyed = [r for r in records if r["value"].startswith('{"id": "ex-')]
    assert all(r["key"] == json.loads(r["value"])["id"] for r in keyed)


def test_produce_to_a_missing_topic_is_one_clear_error(topics):
    done = newsfeed("produce", "--topic", topics.env["NEWSFEED_INPUT_TOPIC"], str(EXAMPLES), env=topics.env)
    assert done.returncode == 1
    assert b"do not exist" in done.stderr and b"Traceback" not in done.stderr


def test_the_kafka_tools_run_where_the_worker_settings_are_broken(topics):
    """A worker host's variables that only the worker reads (exactly-once without a slot here, a batch
    size, an HTTP address) do not stop produce and consume, which read the connection and their topic."""
    env = {**topics.env, "NEWSFEED_GUARANTEE": "exactly-once", "NEWSFEED_BATCH_SIZE": "0",
           "NEWSFEED_HTTP_ADDRESS": "nowhere"}
    assert newsfeed("worker", env=env).returncode == 2
    assert newsfeed("topics", "create", env=env).returncode == 0
    topic = env["NEWSFEED_INPUT_TOPIC"]
    produced = newsfeed("produce", "--topic", topic, str(EXAMPLES), env=env)
    assert produced.returncode == 0, produced.stderr.decode()
    consumed = newsfeed("consume", "--topic", topic, "--max", "1", env=env)
    assert consumed.returncode == 0 and len(consumed.stdout.splitlines()) == 1, consumed.stderr.decode()
