"""`newsfeed dlq inspect|redrive` on the real broker: after a fix, dead letters are re-sent once each."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from broker_helpers import drain
from topic_fixtures import ROOT, send_all
from newsfeed.stream.dlq import REDRIVE_HEADER

pytestmark = pytest.mark.integration

LIMIT = 2000  # the worker's first NEWSFEED_MAX_INPUT_BYTES: too small for the long articles


def long_article(n: int) -> bytes:
    body = "The foreign ministers met in Geneva for talks on a ceasefire and a new treaty. " * 40
    return json.dumps({"id": f"long-{n}", "title": f"Long story {n}", "text": body}).encode()


def short_article(n: int) -> bytes:
    return json.dumps({"id": f"short-{n}", "title": f"Story {n}",
                       "text": "The rocket placed a weather satellite into orbit around the Earth."}).encode()


def dlq(topics, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "newsfeed", "dlq", *args, "--topic", topics.settings.dead_letter_topic],
                          cwd=ROOT, env={**os.environ, **topics.env}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_dead_letters_are_inspected_then_redriven_once_after_the_fix(topics, start_worker):
    topics.create(partitions=2)
    settings = topics.settings
    inputs = [(f"short-{n}".encode(), short_article(n)) for n in range(5)]
    inputs += [(f"long-{n}".encode(), long_article(n)) for n in range(3)]
    inputs += [(b"bad-0", b"{not json"), (b"bad-1", b'{"title": ')]
    send_all(settings, settings.input_topic, inputs)

    strict = start_worker(NEWSFEED_MAX_INPUT_BYTES=str(LIMIT))
    assert len(drain(settings, settings.output_topic, expected=5)) == 5
    assert len(drain(settings, settings.dead_letter_topic, expected=5)) == 5
    assert strict.stop() == 0

    report = dlq(topics, "inspect", "--samples", "1")
    assert report["dead_letters"] == 5 and report["by_reason"] == {"too_large": 3, "invalid_json": 2}
    assert report["samples"]["too_large"][0]["source"].startswith(settings.input_topic)
    assert report["redriven"] == 0

    # the fix: a worker that accepts the long articles; then only their dead letters are re-sent
    worker = start_worker()
    worker.wait_ready()  # in the group with partitions before anything is re-sent
    assert dlq(topics, "redrive", "--reason", "too_large", "--dry-run")["selected"] == 3
    first = dlq(topics, "redrive", "--reason", "too_large")
    assert (first["redriven"], first["skipped_other_reasons"]) == (3, 2)
    enriched = [json.loads(r.value) for r in drain(settings, settings.output_topic, expected=8)]
    assert sorted(r["id"] for r in enriched) == sorted([f"short-{n}" for n in range(5)] + [f"long-{n}" for n in range(3)]), \
        worker.log_path.read_text()[-4000:]

    again = dlq(topics, "redrive", "--reason", "too_large")  # at most once: nothing more to send
    assert (again["redriven"], again["skipped_already_redriven"]) == (0, 3)

    # the unfixable ones go back, fail again, and are never re-sent a second time
    assert dlq(topics, "redrive", "--reason", "invalid_json")["redriven"] == 2
    letters = drain(settings, settings.dead_letter_topic, expected=5 + 5 + 2)  # 5 letters, 5 markers, 2 again
    assert sum(1 for r in letters if any(name == REDRIVE_HEADER for name, _ in r.headers)) == 2
    last = dlq(topics, "redrive")
    assert (last["redriven"], last["skipped_already_redriven"], last["skipped_failed_again"]) == (0, 5, 2)
    report = dlq(topics, "inspect")
    assert (report["dead_letters"], report["redriven"], report["failed_again_after_redrive"]) == (7, 5, 2)

    resent = [r for r in drain(settings, settings.input_topic, expected=15) if r.key in {b"long-0", b"bad-0"}]
    marked = sorted(dict(r.headers).get(REDRIVE_HEADER, b"").decode() for r in resent)
    assert len(marked) == 4 and marked[:2] == ["", ""]  # the two originals, and one redrive of each, marked
    assert all(mark.startswith(settings.dead_letter_topic + "[") for mark in marked[2:])
    assert worker.stop() == 0
