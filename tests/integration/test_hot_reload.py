"""A new model goes live while records flow, without a restart; a corrupted one is refused."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import defaultdict

import pytest

from broker_helpers import drain
from topic_fixtures import ROOT, send_all
from feed import Feeder, articles
from waiting import wait_until
from newsfeed.models.artifact import MODEL_CARD_FILE, WEIGHTS_FILE, load_model, save_model
from newsfeed.models.model_registry import add_version, set_current

pytestmark = pytest.mark.integration


@pytest.fixture
def registry(tmp_path, model_dir):
    """A registry holding the shipped model (current) and the same model saved as a second version."""
    registry = tmp_path / "registry"
    shipped = load_model(model_dir)
    add_version(registry, model_dir)
    set_current(registry, shipped.version)
    second = f"{shipped.version}.next"
    card = (shipped.path / MODEL_CARD_FILE).read_text(encoding="utf-8")
    save_model(shipped.text_model, tmp_path / "staging" / second, {**shipped.metadata, "version": second}, card)
    add_version(registry, tmp_path / "staging" / second)
    return registry, shipped.version, second


def promote_to(registry, version: str) -> None:
    """Roll the registry to a version it holds, as an operator would."""
    done = subprocess.run([sys.executable, "-m", "newsfeed", "promote", "--registry", str(registry), "--to", version],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_a_promoted_model_serves_without_restart_and_a_corrupted_one_is_refused(topics, start_worker, registry):
    registry, old, new = registry
    topics.create(partitions=2)
    settings = topics.settings
    worker = start_worker(NEWSFEED_MODEL_DIR=str(registry), NEWSFEED_MODEL_POLL_INTERVAL_MS="200",
                          NEWSFEED_BATCH_SIZE="20")
    worker.wait_ready()

    feeder = Feeder(settings).start()
    wait_until(lambda: worker.metric("newsfeed_records_produced_total") >= 150, timeout_s=60)
    promote_to(registry, new)
    wait_until(lambda: any(e["message"].startswith("model loaded") for e in worker.logs()), timeout_s=60)
    swapped_at = worker.metric("newsfeed_records_produced_total")
    wait_until(lambda: worker.metric("newsfeed_records_produced_total") >= swapped_at + 150, timeout_s=60)
    total = feeder.stop()

    enriched = [json.loads(r.value) for r in drain(settings, settings.output_topic, expected=total)]
    ids = [record["id"] for record in enriched]
    assert len(ids) == total and set(ids) == {f"hr-{n:04d}" for n in range(total)}  # none lost, none twice
    by_partition = defaultdict(list)
    for record in enriched:
        by_partition[record["origin"]["partition"]].append((record["origin"]["offset"], record["model"]["version"]))
    assert {record["model"]["version"] for record in enriched} == {old, new}, "the records flowed across the swap"
    for partition, seen in by_partition.items():  # in each partition's order: the old version, then the new
        order = [version for _, version in sorted(seen)]
        assert order == sorted(order, key=lambda v: v == new), f"partition {partition} went back to {old}"
    assert worker.metric("newsfeed_model_reloads_total", result="loaded") == 1
    assert any(e["message"] == "model in use" and e["version"] == new for e in worker.logs())

    # a corrupted artifact is promoted: refused, and the model that served goes on serving
    broken = f"{new}.broken"
    shutil.copytree(registry / new, registry / broken)
    metadata = json.loads((registry / broken / "metadata.json").read_text())
    (registry / broken / "metadata.json").write_text(json.dumps({**metadata, "version": broken}))
    pipeline = bytearray((registry / broken / WEIGHTS_FILE).read_bytes())
    pipeline[len(pipeline) // 2] ^= 0xFF
    (registry / broken / WEIGHTS_FILE).write_bytes(bytes(pipeline))
    promote_to(registry, broken)
    wait_until(lambda: worker.metric("newsfeed_model_reloads_total", result="refused") == 1, timeout_s=60)
    (refusal,) = [e for e in worker.logs() if e["message"].startswith("model refused")]
    assert "sha256" in refusal["reason"] and refusal["serving"] == new

    send_all(settings, settings.input_topic, articles(total, 40))
    after = [json.loads(r.value) for r in drain(settings, settings.output_topic, expected=total + 40)]
    assert len(after) == total + 40
    assert {r["model"]["version"] for r in after if int(r["id"][3:]) >= total} == {new}
    assert worker.get("/readyz")[0] == 200
    assert worker.stop() == 0

