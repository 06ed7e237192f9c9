"""The one endpoint of a `--processes N` worker: the parent's /metrics holds every child's series once,
each labelled with its process; its probes answer for the children. Real HTTP servers on loopback
stand in for the children (each with the worker's own metrics), so no fork is needed here."""

from __future__ import annotations

import queue
import urllib.error
import urllib.request

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from newsfeed.stream.children import Children
from newsfeed.stream.health import Health, HttpServer
from newsfeed.stream.metrics import create_metrics


def get(address, path, headers=None):
    request = urllib.request.Request(f"http://{address}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def pod():
    """Two children with their own metrics and probes, and the parent's endpoint over them."""
    children, servers, states = Children(2, queue.Queue()), [], []
    for index in range(2):
        registry = CollectorRegistry()
        metrics, health = create_metrics(registry), Health(stall_after_s=30)
        server = HttpServer("127.0.0.1:0", registry, health)
        children.report(index, server.address)
        servers.append(server)
        states.append((metrics, health))
    parent = HttpServer("127.0.0.1:0", children, children)
    yield parent, states
    for server in [parent, *servers]:
        server.close()


def test_one_scrape_holds_every_child_once_each_series_labelled_with_its_process(pod):
    parent, states = pod
    for index, (metrics, _) in enumerate(states):
        metrics.records_consumed.inc(10 * (index + 1))
        metrics.set_model("v1", "ab" * 32)
        metrics.live.polled([], {("articles.raw", index): 5 + index})
    status, text = get(parent.address, "/metrics")
    assert status == 200
    families = {family.name: family for family in text_string_to_metric_families(text)}
    consumed = {s.labels["process"]: s.value for s in families["newsfeed_records_consumed"].samples
                if s.name == "newsfeed_records_consumed_total"}
    assert consumed == {"0": 10.0, "1": 20.0}
    lag = {(s.labels["process"], s.labels["partition"]): s.value for s in families["newsfeed_consumer_lag_records"].samples}
    assert lag == {("0", "0"): 5.0, ("1", "1"): 6.0}
    models = [s.labels for s in families["newsfeed_model_info"].samples]
    assert sorted(m["process"] for m in models) == ["0", "1"] and {m["version"] for m in models} == {"v1"}
    assert text.count("# TYPE newsfeed_records_consumed_total counter") == 1  # one family, not one per child


def test_the_parent_honours_openmetrics_and_name_filters_too(pod):
    parent, states = pod
    states[0][0].set_model("v2", "cd" * 32)
    status, text = get(parent.address, "/metrics?name[]=newsfeed_model_info",
                       {"Accept": "application/openmetrics-text;version=1.0.0"})
    assert status == 200
    assert text.splitlines() == [
        "# HELP newsfeed_model The model serving: its version and sha256.",
        "# TYPE newsfeed_model info",
        f'newsfeed_model_info{{process="0",sha256="{"cd" * 32}",version="v2"}} 1.0',
        "# EOF"]


def test_the_pod_is_ready_while_any_child_holds_partitions_and_live_while_every_child_is(pod):
    parent, states = pod
    for metrics, health in states:
        health.model_loaded("v1")
    assert get(parent.address, "/readyz")[0] == 503  # no child holds a partition yet
    states[1][1].assigned(frozenset({("articles.raw", 0)}))
    status, detail = get(parent.address, "/readyz")
    assert status == 200 and "process 1: model v1; partitions articles.raw[0]" in detail
    assert get(parent.address, "/livez")[0] == 200


def test_a_child_not_serving_yet_fails_the_pods_liveness():
    children = Children(2, queue.Queue())
    registry = CollectorRegistry()
    create_metrics(registry)
    child = HttpServer("127.0.0.1:0", registry, Health(stall_after_s=30))
    children.report(0, child.address)
    try:
        ok, detail = children.live()
        assert not ok and "process 1: not serving yet" in detail
    finally:
        child.close()


def test_a_childs_shadow_series_reach_the_pods_endpoint():
    """The parent parses each child's OpenMetrics: a shadow's histograms must be what a parser accepts."""
    from newsfeed.stream.shadow import create_shadow_metrics

    children = Children(1, queue.Queue())
    registry = CollectorRegistry()
    create_metrics(registry)
    shadow = create_shadow_metrics(registry)
    shadow.score_shift.labels("space", "down").observe(0.5)
    shadow.flips.labels("space", "champion_only").inc()
    child = HttpServer("127.0.0.1:0", registry, Health(stall_after_s=30))
    children.report(0, child.address)
    parent = HttpServer("127.0.0.1:0", children, children)
    try:
        status, text = get(parent.address, "/metrics")
    finally:
        parent.close()
        child.close()
    assert status == 200
    assert 'newsfeed_shadow_flips_total{direction="champion_only",label="space",process="0"} 1.0' in text
    assert 'newsfeed_shadow_score_shift_sum{direction="down",label="space",process="0"} 0.5' in text
