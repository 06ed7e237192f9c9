"""Shadow scoring through the real broker: a worker serves the shipped model and shadows a candidate that
assigns labels far more readily. The output topic holds the champion's judgement only; the metrics and the
shadow topic hold the disagreements, and `newsfeed shadow report` reads them back as a person would."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from broker_helpers import drain
from feed import articles
from topic_fixtures import ROOT, send_all
from waiting import wait_until

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def eager_candidate(tmp_path_factory, model_dir):
    """The shipped model with every topic threshold at 0.05: a candidate that flips many articles to more
    labels (shadow_only), so that disagreements are certain."""
    from newsfeed.models.artifact import MODEL_CARD_FILE, load_model, save_model
    from newsfeed.models.gazetteer_data import GazetteerData
    from pathlib import Path

    model = load_model(model_dir)
    text_model = model.text_model
    text_model.topic_heads.threshold[:] = 0.05
    if text_model.aggregate is not None:
        text_model.aggregate.thresholds[:] = 0.05
    target = tmp_path_factory.mktemp("candidate") / "eager-1"
    card = (Path(model_dir) / MODEL_CARD_FILE).read_text().split("\n## Gazetteer\n")[0]
    save_model(text_model, target, {**model.metadata, "version": "eager-1"}, card,
               GazetteerData.from_directory(Path(model_dir) / "gazetteer"))
    return str(target)


# Exactly once too: the shadow topic's producer stays outside the champion's transactions.
GUARANTEES = {"at-least-once": {}, "exactly-once": {"NEWSFEED_GUARANTEE": "exactly-once", "NEWSFEED_WORKER_SLOT": "w0"}}


@pytest.mark.parametrize("guarantee", GUARANTEES)
def test_the_shadow_scores_every_batch_and_its_disagreements_never_reach_the_output(
        topics, start_worker, eager_candidate, model_dir, guarantee):
    topics.create(partitions=2)
    settings = topics.settings
    shadow_topic = f"{topics.prefix}.shadow"
    worker = start_worker(NEWSFEED_SHADOW_MODEL_DIR=eager_candidate, NEWSFEED_SHADOW_TOPIC=shadow_topic,
                          NEWSFEED_CREATE_TOPICS="true", NEWSFEED_BATCH_SIZE="20", **GUARANTEES[guarantee])
    worker.wait_ready()
    sent = articles(0, 100)
    send_all(settings, settings.input_topic, sent)

    output = drain(settings, settings.output_topic, expected=100)  # every fifth too short: enriched, no label
    assert len(output) == 100
    from newsfeed.models.artifact import load_model
    champion = load_model(model_dir)
    models = {(r["model"]["version"], r["model"]["sha256"]) for r in (json.loads(o.value) for o in output)}
    assert models == {(champion.version, champion.sha256)}  # not one judgement of the candidate's

    def shadow_state():
        return [worker.metric("newsfeed_shadow_articles_total"),
                *(worker.metric("newsfeed_shadow_batches_total", result=r) for r in ("scored", "skipped", "failed"))]

    # the shadow works after the commits: wait until it has caught up (or given up batches) and stands still
    readings = [shadow_state()]
    wait_until(lambda: readings.append(shadow_state()) or (readings[-1] == readings[-2] and
                                                           (readings[-1][0] == 100 or readings[-1][2] > 0)),
               timeout_s=60, what="the shadow to finish")
    compared = worker.metric("newsfeed_shadow_articles_total")
    scored = worker.metric("newsfeed_shadow_batches_total", result="scored")
    skipped = worker.metric("newsfeed_shadow_batches_total", result="skipped")
    assert worker.metric("newsfeed_shadow_batches_total", result="failed") == 0
    assert compared > 0 and scored > 0
    if skipped == 0:
        assert compared == 100  # the shadow kept up: it judged every article the champion did
    shadow_only = sum(worker.metric("newsfeed_shadow_flips_total", label=label, direction="shadow_only")
                      for label in ("diplomacy", "space", "defence"))
    assert shadow_only > 0
    assert worker.metric("newsfeed_shadow_model_info", version="eager-1", sha256=load_model(eager_candidate).sha256) == 1
    counted = {(label, direction): worker.metric("newsfeed_shadow_flips_total", label=label, direction=direction)
               for label in ("diplomacy", "space", "defence") for direction in ("champion_only", "shadow_only")}
    assert worker.stop() == 0  # the shadow thread let the worker stop cleanly

    shown = subprocess.run([sys.executable, "-m", "newsfeed", "shadow", "report", "--topic", shadow_topic,
                            "--samples", "2", "--bootstrap-servers", settings.bootstrap_servers],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    summary = json.loads(shown.stdout)
    assert summary["models"] == {"champion": {champion.version: summary["differing_articles"]},
                                 "shadow": {"eager-1": summary["differing_articles"]}}
    # the report counts what the metrics counted, per label and direction, with samples a person can check
    for (label, direction), count in counted.items():
        flips = summary["labels"][label][direction]
        assert flips["articles"] == count, (label, direction)
        assert len(flips["samples"]) == min(2, count)
        for sample in flips["samples"]:
            mine, theirs = ("champion", "shadow") if direction == "champion_only" else ("shadow", "champion")
            assert sample["id"].startswith("hr-") and isinstance(sample[mine]["score"], float)
            assert label in sample[mine]["topics"] and label not in sample[theirs]["topics"]
            assert sample[mine]["evidence"], "the evidence of the model that assigned the label"


def test_a_candidate_that_does_not_load_leaves_the_champion_serving(topics, start_worker, tmp_path):
    topics.create(partitions=1)
    settings = topics.settings
    broken = tmp_path / "not-a-model"
    broken.mkdir()
    (broken / "manifest.json").write_text("{")  # a half-copied artifact
    worker = start_worker(NEWSFEED_SHADOW_MODEL_DIR=str(broken))
    worker.wait_ready()
    send_all(settings, settings.input_topic, articles(0, 10))

    assert len(drain(settings, settings.output_topic, expected=10)) == 10
    refused = [e for e in worker.logs() if e.get("message") == "shadow model refused; the worker runs without a shadow"]
    assert refused and refused[0]["shadow_model"] == str(broken)
    assert "newsfeed_shadow_batches_total" not in worker.get("/metrics")[1]  # no shadow series to mislead
    assert worker.stop() == 0
