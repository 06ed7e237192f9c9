"""Shadow scoring seen from outside: what the metrics and the shadow topic say about two models that
disagree, and that a shadow which raises or hangs changes nothing of what the champion writes and commits."""

import json
import logging
import threading
import time

from prometheus_client import CollectorRegistry

from newsfeed.models.evidence import LabelEvidence, NgramEvidence
from newsfeed.models.schema import Enrichment, ModelRef
from newsfeed.stream.health import Health
from newsfeed.stream.metrics import create_metrics
from newsfeed.stream.settings import Settings
from newsfeed.stream.shadow import Shadow, create_shadow_metrics
from newsfeed.stream.worker import Worker
from stream_fakes import FakeModel, FakeSink, FakeSource, FixedClassifier, article_bytes, record

SETTINGS = Settings.from_env({})
OUT = SETTINGS.output_topic
CANDIDATE = FakeModel("candidate-2", "1" * 64)


class DiplomacyClassifier:
    """A candidate that sees diplomacy where the champion (FixedClassifier) sees space."""

    def __call__(self, articles, model, article_seconds=None):
        return [Enrichment(topics=["diplomacy"], topic_scores={"diplomacy": 0.7, "space": 0.4, "defence": 0.2},
                           regions=[], region_scores={}, countries=[],
                           evidence={"diplomacy": LabelEvidence((NgramEvidence("summit", 0.6, ((0, 6),)),), None)},
                           status="ok", language="en", model=ModelRef(model.version, model.sha256))
                for _ in articles]


def run_with_shadow(batches, shadow_classify, publish=None, queue_batches=10):
    """Process `batches` with a champion (FixedClassifier) and a shadow; returns what was written and counted."""
    registry = CollectorRegistry()
    source, sink = FakeSource(batches), FakeSink()
    # A queue longer than the test's batches unless said otherwise, so that none is skipped by chance.
    shadow = Shadow(CANDIDATE, shadow_classify, create_shadow_metrics(registry), publish, queue_batches)
    champion = FakeModel()
    worker = Worker(SETTINGS, source, sink, lambda: champion, FixedClassifier(), create_metrics(registry),
                    Health(stall_after_s=60), shadow=shadow.offer)
    shadow.start()
    timings = []
    for batch in batches:
        started = time.perf_counter()
        worker.process(batch)
        timings.append(time.perf_counter() - started)
    return registry, source, sink, shadow, timings


def value(registry, name, **labels):
    return registry.get_sample_value(name, labels)


def batches_of(count, size=3):
    return [[record(b * size + i, article_bytes(f"a{b}-{i}")) for i in range(size)] for b in range(count)]


def test_flips_agreement_and_score_shift_per_label_and_the_output_stays_the_champions():
    differing = []
    registry, source, sink, shadow, _ = run_with_shadow(
        batches_of(2), DiplomacyClassifier(), publish=lambda key, value: differing.append((key, json.loads(value))))
    shadow.close()

    # the output topic holds the champion's judgement only
    assert {tuple(json.loads(sent.value)["topics"]) for sent in sink.on(OUT)} == {("space",)}
    assert {sent.topic for sent in sink.sent} == {OUT}
    assert len(source.commits) == 2

    assert value(registry, "newsfeed_shadow_batches_total", result="scored") == 2
    assert value(registry, "newsfeed_shadow_articles_total") == 6
    assert value(registry, "newsfeed_shadow_flips_total", label="space", direction="champion_only") == 6
    assert value(registry, "newsfeed_shadow_flips_total", label="diplomacy", direction="shadow_only") == 6
    assert value(registry, "newsfeed_shadow_flips_total", label="space", direction="shadow_only") == 0
    assert value(registry, "newsfeed_shadow_agreements_total", label="defence") == 6
    assert value(registry, "newsfeed_shadow_agreements_total", label="space") == 0
    # space 0.9 -> 0.4: six shifts of 0.5 down; diplomacy 0.1 -> 0.7: six of 0.6 up; defence 0.2 -> 0.2: none
    assert value(registry, "newsfeed_shadow_score_shift_bucket", label="space", direction="down", le="0.5") == 6
    assert value(registry, "newsfeed_shadow_score_shift_count", label="space", direction="up") == 0
    assert value(registry, "newsfeed_shadow_score_shift_bucket", label="diplomacy", direction="up", le="0.5") == 0
    assert value(registry, "newsfeed_shadow_score_shift_bucket", label="diplomacy", direction="up", le="1.0") == 6
    assert value(registry, "newsfeed_shadow_score_shift_bucket", label="defence", direction="up", le="0.01") == 6
    assert value(registry, "newsfeed_shadow_model_info", version="candidate-2", sha256="1" * 64) == 1

    # the shadow topic: one record per differing article, keyed by id, with both models' evidence
    assert sorted(key for key, _ in differing) == sorted(f"a{b}-{i}".encode() for b in range(2) for i in range(3))
    _, first = differing[0]
    assert first["flips"] == {"champion_only": ["space"], "shadow_only": ["diplomacy"]}
    assert first["champion"]["evidence"] == {"space": ["rocket"]}
    assert first["shadow"]["evidence"] == {"diplomacy": ["summit"]}
    assert first["shadow"]["model"]["version"] == "candidate-2"
    assert first["origin"]["topic"] == "articles.raw" and first["title"] == "Rocket launch"


def test_a_shadow_that_raises_changes_nothing_the_champion_writes_or_commits(caplog):
    def broken(articles, model, article_seconds=None):
        raise RuntimeError("candidate cannot read its vocabulary")

    with caplog.at_level(logging.WARNING):  # whatever level an earlier test left the root logger at
        with_shadow, source, sink, shadow, _ = run_with_shadow(batches_of(3), broken)
        shadow.close()
    _, plain_source, plain_sink, plain_shadow, _ = run_with_shadow(batches_of(3), FixedClassifier())
    plain_shadow.close()

    def written(sink_):
        return [(sent.key, {k: v for k, v in json.loads(sent.value).items() if k != "processed_at"})
                for sent in sink_.on(OUT)]

    assert written(sink) == written(plain_sink) and len(written(sink)) == 9
    assert source.commits == plain_source.commits and len(source.commits) == 3
    assert value(with_shadow, "newsfeed_shadow_batches_total", result="failed") == 3
    assert value(with_shadow, "newsfeed_shadow_batches_total", result="scored") == 0
    assert any("shadow model failed" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


def test_a_shadow_that_hangs_delays_no_commit_and_its_batches_are_counted_skipped():
    release = threading.Event()

    def hanging(articles, model, article_seconds=None):
        release.wait(30)
        return FixedClassifier()(articles, model)

    registry, source, sink, shadow, timings = run_with_shadow(batches_of(10), hanging, queue_batches=2)
    try:
        # every batch committed while the shadow is stuck on the first, each as fast as without a shadow
        assert len(source.commits) == 10 and len(sink.on(OUT)) == 30
        assert max(timings) < 0.5, timings
        # one batch in the shadow's hands and two waiting at most: the others skipped, none waited for
        assert value(registry, "newsfeed_shadow_batches_total", result="skipped") >= 7
    finally:
        release.set()
        shadow.close()
    counted = sum(value(registry, "newsfeed_shadow_batches_total", result=r) for r in ("scored", "skipped"))
    assert counted == 10 and value(registry, "newsfeed_shadow_batches_total", result="scored") >= 1


def test_the_shadow_report_counts_flips_per_label_with_samples_and_skips_what_is_not_a_difference():
    from newsfeed.stream.kafka_io.consumer import Record
    from newsfeed.stream.shadow_report import report

    differing = []
    _, _, _, shadow, _ = run_with_shadow(batches_of(1), DiplomacyClassifier(),
                                         publish=lambda key, value: differing.append(value))
    shadow.close()
    records = [Record("shadow", 0, offset, None, value, [], 0)
               for offset, value in enumerate([*differing, b"{not json", b'{"id": "x"}'])]

    summary = report(records, samples_per_flip=2)

    assert (summary["differing_articles"], summary["unreadable_records"]) == (3, 2)
    assert summary["models"] == {"champion": {"fake-1": 3}, "shadow": {"candidate-2": 3}}
    space, diplomacy = summary["labels"]["space"], summary["labels"]["diplomacy"]
    assert space["champion_only"]["articles"] == 3 and space["shadow_only"]["articles"] == 0
    assert diplomacy["shadow_only"]["articles"] == 3
    (first, second) = space["champion_only"]["samples"]
    assert first["id"] == "a0-0" and first["shadow_topic_offset"] == "shadow[0]@0"
    assert first["champion"] == {"score": 0.9, "evidence": ["rocket"], "topics": ["space"]}
    assert first["shadow"] == {"score": 0.4, "evidence": [], "topics": ["diplomacy"]}
