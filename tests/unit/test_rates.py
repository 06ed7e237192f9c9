"""Expected label rates: measured on validation articles, carried by the artifact (`newsfeed model rates`),
and served by a worker as newsfeed_label_expected_rate for the drift alert, or not at all without them."""

import json

import pytest
from prometheus_client import CollectorRegistry

from newsfeed import cli
from newsfeed.models.artifact import load_model
from newsfeed.stream.health import Health
from newsfeed.stream.metrics import create_metrics
from newsfeed.stream.settings import Settings
from newsfeed.stream.worker import Worker
from stream_fakes import FakeModel, FakeSink, FakeSource, FixedClassifier, article_bytes, record
from topic_fixtures import ROOT
from newsfeed.training.rates import expected_rates

EXAMPLES = str(ROOT / "examples" / "articles.jsonl")


pytestmark = pytest.mark.usefixtures("restore_logging")  # the CLI takes over the root logger


class Judged:
    def __init__(self, topics, status="ok"):
        self.topics, self.status = topics, status


def test_a_rate_is_the_share_of_judged_articles_assigned_the_label():
    enrichments = [Judged(["space"]), Judged(["space", "defence"]), Judged([]), Judged([]),
                   Judged([], status="too_short")]  # not judged: not counted either way
    entry = expected_rates(enrichments, "four articles")
    assert entry == {"topics": {"diplomacy": 0.0, "space": 0.5, "defence": 0.25}, "articles": 4,
                     "from": "four articles"}


def test_model_rates_writes_a_copy_that_carries_them_and_judges_as_the_original(tiny_model_dir, tmp_path, capsys):
    target = tmp_path / "rated"
    code = cli.main(["model", "rates", str(tiny_model_dir), str(target), "--articles", EXAMPLES,
                          "--described-as", "the shipped examples"])
    written = json.loads(capsys.readouterr().out)
    assert code == 0 and written["written"] == str(target)

    original, rated = load_model(tiny_model_dir), load_model(target)
    assert rated.version == original.version and rated.sha256 != original.sha256
    entry = rated.metadata["expected_rates"]
    assert entry["from"] == "the shipped examples" and entry["articles"] > 0
    assert set(entry["topics"]) == {"diplomacy", "space", "defence"}
    assert "expected_rates" not in original.metadata  # the source artifact is left as it was
    card = (target / "MODEL_CARD.md").read_text()
    assert "## Expected label rates" in card and card.index("## Expected label rates") < card.index("## Gazetteer")

    from newsfeed.models.classifier import classify_batch
    from newsfeed.models.schema import Article
    from newsfeed.stream.batch import decode_all
    with open(EXAMPLES, "rb") as lines:  # the examples hold malformed lines on purpose: the articles only
        decoded = decode_all([line for line in lines if line.strip()], Settings.from_env({}).limits)
    articles = [item for item in decoded if isinstance(item, Article)]
    same = [(e.topics, e.topic_scores, e.regions) for e in classify_batch(articles, original)]
    assert [(e.topics, e.topic_scores, e.regions) for e in classify_batch(articles, rated)] == same


def serve(model):
    registry = CollectorRegistry()
    worker = Worker(Settings.from_env({}), FakeSource([]), FakeSink(), lambda: model, FixedClassifier(),
                    create_metrics(registry), Health(stall_after_s=60))
    worker.process([record(0, article_bytes("a1"))])
    return registry


class RatedModel(FakeModel):
    metadata = {"expected_rates": {"topics": {"diplomacy": 0.2, "space": 0.1, "defence": 0.15}, "articles": 700}}


def test_a_worker_exports_the_serving_models_expected_rates():
    registry = serve(RatedModel())
    assert registry.get_sample_value("newsfeed_label_expected_rate", {"label": "space"}) == 0.1
    assert registry.get_sample_value("newsfeed_label_expected_rate", {"label": "defence"}) == 0.15


def test_a_model_without_rates_serves_with_no_expected_rate_series():
    registry = serve(FakeModel())
    assert registry.get_sample_value("newsfeed_records_produced_total") == 1
    names = {metric.name for metric in registry.collect()}
    assert "newsfeed_label_expected_rate" in names  # the family is declared...
    assert not [s for m in registry.collect() if m.name == "newsfeed_label_expected_rate" for s in m.samples]


def test_a_trained_models_card_shows_its_expected_rates_with_the_alert_band():
    from newsfeed.training.card import render_model_card

    entry = {"topics": {"diplomacy": 0.2, "space": 0.1, "defence": 0.15}, "articles": 700,
             "from": "the development gold set"}
    card = render_model_card({"version": "v1", "expected_rates": entry})
    assert "measured on 700 articles of the development gold set" in card
    assert "| space | 0.1000 | 0.0500 to 0.2000 |" in card
    assert "Expected label rates" not in render_model_card({"version": "v0"})  # a model without: no section
