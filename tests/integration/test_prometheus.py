"""A real Prometheus scrapes a real worker that processes a live feed through the real broker; then
every query of every dashboard panel must return data, and every alerting rule must evaluate cleanly.

The server is Debian's `prometheus` binary (set PROMETHEUS to use another), started on a free loopback
port with a temporary storage directory: never the packaged service.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from topic_fixtures import ROOT
from feed import Feeder
from waiting import wait_until

pytestmark = pytest.mark.integration

DASHBOARD = ROOT / "deploy" / "grafana" / "dashboards" / "newsfeed.json"
RULES = ROOT / "deploy" / "prometheus" / "rules" / "newsfeed.rules.yml"
# What Grafana puts for $__rate_interval: four scrape intervals or more. Scrapes here are 1 s apart.
RATE_INTERVAL = "15s"


class Prometheus:
    """A Prometheus server process scraping one target every second, its rules evaluated every second."""

    def __init__(self, target: str, workdir: Path):
        binary = os.environ.get("PROMETHEUS") or shutil.which("prometheus")
        if not binary:
            pytest.fail("prometheus not found: install Debian's prometheus package (apt-get install -y prometheus)")
        self.address = f"127.0.0.1:{_free_port()}"
        config = {  # JSON is YAML: the same job name and rule file as deploy/prometheus/prometheus.yml
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(RULES)],
            "scrape_configs": [{"job_name": "newsfeed", "static_configs": [{"targets": [target]}]}],
        }
        config_path = workdir / "prometheus.yml"
        config_path.write_text(json.dumps(config))
        self._log = open(workdir / "prometheus.log", "wb")  # noqa: SIM115 (closed in stop)
        self.log_path = workdir / "prometheus.log"
        self.process = subprocess.Popen(
            [binary, f"--config.file={config_path}", f"--storage.tsdb.path={workdir / 'data'}",
             f"--web.listen-address={self.address}", "--storage.tsdb.retention.time=1h"],
            stdout=self._log, stderr=subprocess.STDOUT)
        wait_until(self._ready, timeout_s=60, what="prometheus to be ready")

    def _ready(self) -> bool:
        assert self.process.poll() is None, self.log_path.read_text()[-3000:]
        try:
            with urllib.request.urlopen(f"http://{self.address}/-/ready", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError):
            return False

    def api(self, path: str, **params: str) -> dict:
        url = f"http://{self.address}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.load(response)
        assert body["status"] == "success", body
        return body["data"]

    def values(self, expr: str) -> list[float]:
        """The values of an instant query now: one per series."""
        data = self.api("query", query=expr)
        assert data["resultType"] == "vector", data
        return [float(sample["value"][1]) for sample in data["result"]]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def panel_queries() -> list[tuple[str, str]]:
    """(panel title / legend, PromQL as Grafana would send it) for every target of every panel."""
    dashboard = json.loads(DASHBOARD.read_text())
    return [(f"{panel['title']} / {target['legendFormat']}", target["expr"].replace("$__rate_interval", RATE_INTERVAL))
            for panel in dashboard["panels"] if panel["type"] != "row" for target in panel["targets"]]


@pytest.fixture
def prometheus(tmp_path):
    started: list[Prometheus] = []

    def start(target: str) -> Prometheus:
        server = Prometheus(target, tmp_path)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def rated_model(model_dir, tmp_path):
    """The shipped model written again with expected label rates, as `newsfeed model rates` does for an
    artifact trained before they existed: the drift panel has an expected line to draw only then."""
    target = tmp_path / "rated"
    written = subprocess.run([sys.executable, "-m", "newsfeed", "model", "rates", model_dir, str(target),
                              "--articles", str(ROOT / "examples" / "articles.jsonl")],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert written.returncode == 0, written.stderr
    return json.loads(written.stdout)


def test_every_dashboard_panel_shows_data_from_a_real_worker(topics, start_worker, prometheus, rated_model,
                                                             model_dir):
    topics.create(partitions=2)
    settings = topics.settings
    # The rated copy serves and the shipped model shadows it: the same weights, so they must agree throughout.
    worker = start_worker(NEWSFEED_BATCH_SIZE="50", NEWSFEED_MODEL_DIR=rated_model["written"],
                          NEWSFEED_SHADOW_MODEL_DIR=model_dir)
    worker.wait_ready()
    feeder = Feeder(settings, per_batch=10, pause_s=0.05, malformed_every=20).start()
    try:
        server = prometheus(worker.address)
        wait_until(lambda: server.values('up{job="newsfeed"}') == [1.0], timeout_s=30, what="the worker scraped")

        queries = panel_queries()
        missing: dict[str, str] = {}

        def all_show_data() -> bool:
            missing.clear()
            for name, expr in queries:
                values = server.values(expr)
                if not any(math.isfinite(value) for value in values):
                    missing[name] = f"{expr} -> {values}"
            return not missing

        try:
            wait_until(all_show_data, timeout_s=90, what="every panel query to return data")
        except AssertionError:
            pytest.fail("panel queries without data:\n" + "\n".join(f"  {k}: {v}" for k, v in missing.items()))
        for name, expr in queries:  # shown with -s: what each panel plotted at the end
            print(f"{name}: {[round(value, 4) for value in server.values(expr)]}")
    finally:
        feeder.stop()

    # what the panels show is the truth: records, dead letters, labels, the model serving
    assert server.values("sum(newsfeed_records_consumed_total)")[0] > 0
    assert server.values("sum(newsfeed_records_dead_lettered_total)")[0] > 0
    for label in ("diplomacy", "space", "defence"):
        assert server.values(f'sum(newsfeed_topic_assignments_total{{label="{label}"}})')[0] > 0, label
    assert server.values('sum(newsfeed_enrichments_total{status="too_short"})')[0] > 0
    (version,) = {s["metric"]["version"] for s in server.api("query", query="newsfeed_model_info")["result"]}
    assert version in worker.get("/readyz")[1]
    assert server.values('count(newsfeed_consumer_lag_records)') == [2.0]  # one series per assigned partition
    # drift: the expected rates are the artifact's own; shadow: two models of the same weights agree on all
    expected = {s["metric"]["label"]: float(s["value"][1])
                for s in server.api("query", query="newsfeed_label_expected_rate")["result"]}
    assert expected == rated_model["expected_rates"]["topics"]
    assert server.values("sum(newsfeed_shadow_articles_total)")[0] > 0
    assert server.values("sum(newsfeed_shadow_flips_total)") == [0.0]
    assert server.values('sum(newsfeed_shadow_batches_total{result="failed"})') == [0.0]

    # every alerting rule loaded into the real server and evaluates against the real series
    groups = server.api("rules", type="alert")["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    written = yaml.safe_load(RULES.read_text())["groups"]
    assert sorted(r["name"] for r in rules) == sorted(r["alert"] for g in written for r in g["rules"])
    wait_until(lambda: all(r["health"] == "ok" for g in server.api("rules", type="alert")["groups"]
                           for r in g["rules"]), timeout_s=30, what="every rule evaluated")
    assert worker.stop() == 0
