"""`newsfeed worker --processes 2`: one command, two group members over a four-partition topic, each
article enriched once, one endpoint for both (what a pod's scrape and probes see), and one SIGTERM to
the command stops both children cleanly."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from broker_helpers import drain
from topic_fixtures import send_all
from waiting import wait_until
from test_worker_flow import article


def _get(address: str, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://{address}{path}", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _metric(address: str, name: str) -> dict[str, float]:
    """Each process's value of a sample, by its `process` label."""
    from prometheus_client.parser import text_string_to_metric_families

    return {sample.labels["process"]: sample.value for family in text_string_to_metric_families(_get(address, "/metrics")[1])
            for sample in family.samples if sample.name == name}


def test_two_processes_from_one_command_share_the_partitions(topics, start_worker):
    settings = topics.settings
    topics.create(partitions=4)
    worker = start_worker(NEWSFEED_PROCESSES="2")

    def endpoint() -> str | None:
        found = [e["address"] for e in worker.logs() if e.get("message") == "http endpoint listening" and "serves" in e]
        return found[0] if found else None

    wait_until(endpoint, timeout_s=60)
    address = endpoint()
    # The first child to join may hold all four partitions until the second one's join rebalances them.
    wait_until(lambda: _get(address, "/readyz")[0] == 200 and _get(address, "/livez")[0] == 200, timeout_s=60)

    def shared() -> bool:
        held = _metric(address, "newsfeed_assigned_partitions")
        return len(held) == 2 and all(held.values()) and sum(held.values()) == 4

    wait_until(shared, timeout_s=60)

    valid = [article(n) for n in range(400)]
    send_all(settings, settings.input_topic, [(article_id.encode(), value) for article_id, value in valid])
    enriched = drain(settings, settings.output_topic, expected=400)
    assert sorted(json.loads(r.value)["id"] for r in enriched) == sorted(article_id for article_id, _ in valid)
    consumed = _metric(address, "newsfeed_records_consumed_total")  # one scrape: both processes
    assert sorted(consumed) == ["0", "1"] and all(count > 0 for count in consumed.values()), consumed
    assert sum(consumed.values()) == 400, consumed

    assert worker.stop() == 0
    messages = [e.get("message") for e in worker.logs()]
    assert messages.count("worker stopped") == 2
    assert "worker processes stopped" in messages
