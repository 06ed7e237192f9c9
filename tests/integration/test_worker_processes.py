"""`newsfeed worker --processes 2`: one command, two group members over a four-partition topic, each
article enriched once, and one SIGTERM to the command stops both children cleanly."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from broker_helpers import drain
from topic_fixtures import send_all
from test_worker_flow import article


def _get(address: str, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://{address}{path}", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _metric(address: str, name: str) -> float:
    for line in _get(address, "/metrics")[1].splitlines():
        sample, _, value = line.rpartition(" ")
        if sample == name:
            return float(value)
    return 0.0


def _wait_until(condition, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_two_processes_from_one_command_share_the_partitions(topics, start_worker):
    settings = topics.settings
    topics.create(partitions=4)
    worker = start_worker(NEWSFEED_PROCESSES="2")

    def endpoints() -> list[str]:
        return [e["address"] for e in worker.logs() if e.get("message") == "http endpoint listening"]

    _wait_until(lambda: len(endpoints()) == 2, timeout_s=60)
    children = endpoints()
    assert len(set(children)) == 2
    # The first child to join may hold all four partitions until the second one's join rebalances them.
    _wait_until(lambda: all(_get(a, "/readyz")[0] == 200 for a in children), timeout_s=60)
    assert sum(_metric(a, "newsfeed_assigned_partitions") for a in children) == 4

    valid = [article(n) for n in range(400)]
    send_all(settings, settings.input_topic, [(article_id.encode(), value) for article_id, value in valid])
    enriched = drain(settings, settings.output_topic, expected=400)
    assert sorted(json.loads(r.value)["id"] for r in enriched) == sorted(article_id for article_id, _ in valid)
    consumed = [_metric(a, "newsfeed_records_consumed_total") for a in children]
    assert all(count > 0 for count in consumed) and sum(consumed) == 400, consumed

    assert worker.stop() == 0
    messages = [e.get("message") for e in worker.logs()]
    assert messages.count("worker stopped") == 2
    assert "worker processes stopped" in messages
