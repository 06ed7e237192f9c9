"""Model hot reload over a real (tiny) registry: new versions swap in, broken ones are refused."""

import dataclasses
import logging
import time

import pytest
from prometheus_client import CollectorRegistry

from newsfeed.models.artifact import MODEL_CARD_FILE, WEIGHTS_FILE, load_model, save_model
from newsfeed.models.classifier import classify_batch
from newsfeed.models.model_registry import SHIPPED_REGISTRY, add_version, set_current
from newsfeed.stream.metrics import create_metrics
from newsfeed.stream.reload import ModelWatcher, smoke_check, watched_registry


def new_version(source_dir, version, target_parent):
    """The same fitted model saved again under another version (as a retrained artifact would be)."""
    model = load_model(source_dir)
    card = (source_dir / MODEL_CARD_FILE).read_text()
    return save_model(model.text_model, target_parent / version, {**model.metadata, "version": version}, card)


@pytest.fixture
def registry(tmp_path, tiny_model_dir):
    registry = tmp_path / "registry"
    add_version(registry, tiny_model_dir)
    set_current(registry, "tiny-1")
    add_version(registry, new_version(tiny_model_dir, "tiny-2", tmp_path / "staging"))
    return registry


@pytest.fixture
def watching(registry):
    metrics_registry = CollectorRegistry()
    first = load_model(registry / "tiny-1")
    watcher = ModelWatcher(registry, first, load_model, smoke_check(classify_batch), create_metrics(metrics_registry),
                           interval_s=0.05)
    yield watcher, metrics_registry
    watcher.close()


def reloads(metrics_registry, result):
    return metrics_registry.get_sample_value("newsfeed_model_reloads_total", {"result": result})


def test_an_unchanged_pointer_keeps_the_model(watching):
    watcher, metrics_registry = watching
    served = watcher.model()
    assert watcher.check() is False
    assert watcher.model() is served
    assert reloads(metrics_registry, "loaded") == 0 and reloads(metrics_registry, "refused") == 0


def test_a_promoted_version_is_loaded_and_served_then_rolled_back(watching, registry, caplog):
    watcher, metrics_registry = watching
    set_current(registry, "tiny-2")
    with caplog.at_level(logging.INFO):
        assert watcher.check() is True
    assert watcher.model().version == "tiny-2"
    assert [r.version for r in caplog.records if r.message.startswith("model loaded")] == ["tiny-2"]
    assert metrics_registry.get_sample_value("newsfeed_model_load_seconds") > 0

    set_current(registry, "tiny-1")  # rollback is promoting the previous version
    assert watcher.check() is True
    assert watcher.model().version == "tiny-1"
    assert reloads(metrics_registry, "loaded") == 2


def test_a_corrupted_artifact_is_refused_once_and_the_old_model_keeps_serving(watching, registry, tmp_path, caplog):
    watcher, metrics_registry = watching
    broken = add_version(registry, new_version(registry / "tiny-2", "tiny-3", tmp_path / "staging-3"))
    good = (broken / WEIGHTS_FILE).read_bytes()
    data = bytearray(good)
    data[len(data) // 2] ^= 0xFF
    (broken / WEIGHTS_FILE).write_bytes(bytes(data))
    set_current(registry, "tiny-3")

    with caplog.at_level(logging.WARNING):
        assert watcher.check() is False
        assert watcher.check() is False  # the same broken files are not tried (nor counted) again
    assert watcher.model().version == "tiny-1"
    assert reloads(metrics_registry, "refused") == 1
    (refusal,) = [r for r in caplog.records if r.message.startswith("model refused")]
    assert "sha256" in refusal.reason and WEIGHTS_FILE in refusal.reason and refusal.serving == "tiny-1"

    # fixed in place (the right weights file back), it is tried again and served
    (broken / WEIGHTS_FILE).write_bytes(good)
    assert watcher.check() is True
    assert watcher.model().version == "tiny-3"


def test_a_model_that_fails_the_smoke_classification_is_refused(registry, caplog):
    def garbled(articles, model):
        return [dataclasses.replace(enrichment, topic_scores={"weather": 0.5})
                for enrichment in classify_batch(articles, model)]

    metrics_registry = CollectorRegistry()
    watcher = ModelWatcher(registry, load_model(registry / "tiny-1"), load_model, smoke_check(garbled),
                           create_metrics(metrics_registry), interval_s=1)
    set_current(registry, "tiny-2")
    with caplog.at_level(logging.WARNING):
        assert watcher.check() is False
    assert watcher.model().version == "tiny-1"
    (refusal,) = [r for r in caplog.records if r.message.startswith("model refused")]
    assert "SmokeCheckError" in refusal.reason and "weather" in refusal.reason


def test_a_pointer_naming_a_missing_version_is_refused(watching, registry):
    watcher, metrics_registry = watching
    (registry / "current").write_text("no-such-version\n")
    assert watcher.check() is False
    assert watcher.model().version == "tiny-1"
    assert reloads(metrics_registry, "refused") == 1


def test_the_background_thread_picks_up_a_promotion(watching, registry):
    watcher, _ = watching
    watcher.start()
    set_current(registry, "tiny-2")
    deadline = time.monotonic() + 30
    while watcher.model().version != "tiny-2":
        assert time.monotonic() < deadline, "the watcher never swapped the model"
        time.sleep(0.05)
    watcher.close()


def test_which_registry_is_watched(registry, tiny_model_dir):
    assert watched_registry(None) == SHIPPED_REGISTRY
    assert watched_registry(str(registry)) == registry
    assert watched_registry(str(tiny_model_dir)) is None  # one artifact: nothing to follow
