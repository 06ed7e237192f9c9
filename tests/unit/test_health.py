"""The HTTP endpoint (/metrics, /livez, /readyz) and the metrics it shows."""

import urllib.error
import urllib.request

import pytest
from prometheus_client import CollectorRegistry

from newsfeed.stream.errors import ConfigError
from newsfeed.stream.health import Health, HttpServer
from newsfeed.stream.metrics import create_metrics
from stream_fakes import FakeModel, fixed_enrichment


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def get(server, path):
    try:
        with urllib.request.urlopen(f"http://{server.address}{path}", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def served():
    registry = CollectorRegistry()
    metrics = create_metrics(registry)
    clock = Clock()
    health = Health(stall_after_s=30, clock=clock)
    server = HttpServer("127.0.0.1:0", registry, health)
    yield server, health, metrics, clock
    server.close()


def test_readyz_needs_a_model_and_partitions(served):
    server, health, _, _ = served
    assert get(server, "/readyz") == (503, "no model loaded\n")
    health.model_loaded("v1")
    assert get(server, "/readyz") == (503, "model v1 loaded; no partitions assigned\n")
    health.assigned(frozenset({("articles.raw", 1), ("articles.raw", 0)}))
    assert get(server, "/readyz") == (200, "model v1; partitions articles.raw[0], articles.raw[1]\n")


def test_livez_fails_once_the_poll_loop_stalls(served):
    server, health, _, clock = served
    assert get(server, "/livez")[0] == 200
    clock.now += 31
    status, body = get(server, "/livez")
    assert status == 503 and "no poll for 31 s" in body
    health.polled()
    assert get(server, "/livez")[0] == 200


def test_metrics_show_every_fixed_label_from_the_start_and_count_enrichments(served):
    server, _, metrics, _ = served
    metrics.set_model("v1", "ab" * 32)
    metrics.count_enrichments([fixed_enrichment(FakeModel())] * 3)
    status, body = get(server, "/metrics")
    assert status == 200
    assert 'newsfeed_records_dead_lettered_total{reason="output_too_large"} 0.0' in body
    assert 'newsfeed_topic_assignments_total{label="space"} 3.0' in body
    assert 'newsfeed_topic_assignments_total{label="defence"} 0.0' in body
    assert 'newsfeed_region_assignments_total{region="oceania"} 0.0' in body
    assert 'newsfeed_enrichments_total{status="ok"} 3.0' in body
    assert f'newsfeed_model_info{{sha256="{"ab" * 32}",version="v1"}} 1.0' in body


def test_metrics_negotiate_openmetrics_gzip_and_name_filters_as_prometheus_client_does(served):
    """What a Prometheus server asks of an exporter: the OpenMetrics format when it offers it, a gzipped
    body when it accepts one, and only the families named by name[] when it says so."""
    import gzip

    server, _, metrics, _ = served
    metrics.set_model("v1", "ab" * 32)
    request = urllib.request.Request(f"http://{server.address}/metrics?name[]=newsfeed_model_info", headers={
        "Accept": "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5",
        "Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.headers["Content-Type"].startswith("application/openmetrics-text")
        assert response.headers["Content-Encoding"] == "gzip"
        body = gzip.decompress(response.read()).decode()
    assert body.splitlines() == [
        "# HELP newsfeed_model The model serving: its version and sha256.",
        "# TYPE newsfeed_model info",
        f'newsfeed_model_info{{sha256="{"ab" * 32}",version="v1"}} 1.0',
        "# EOF"]
    status, plain = get(server, "/metrics")  # a plain client gets the classic text format, whole
    assert status == 200 and "newsfeed_records_consumed_total 0.0" in plain and "# EOF" not in plain


def test_an_unknown_path_is_404(served):
    assert get(served[0], "/")[0] == 404


def test_a_busy_address_is_a_config_error(served):
    with pytest.raises(ConfigError, match="cannot serve HTTP on"):
        HttpServer(served[0].address, CollectorRegistry(), Health(stall_after_s=1))
