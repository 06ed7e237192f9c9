"""The worker loop over list-backed fakes: what is written where, what is committed, and when it stops."""

import json
import logging
import threading

import pytest
from prometheus_client import CollectorRegistry

from newsfeed.stream.codec import read_dead_letter
from newsfeed.stream.errors import ProduceError
from newsfeed.stream.health import Health
from newsfeed.stream.metrics import create_metrics
from newsfeed.stream.settings import Settings
from newsfeed.stream.worker import Worker
from stream_fakes import FakeModel, FakeSink, FakeSource, FixedClassifier, article_bytes, record

SETTINGS = Settings.from_env({})
OUT, DLQ = SETTINGS.output_topic, SETTINGS.dead_letter_topic


def make_worker(source, sink=None, model_source=None, classify=None):
    registry = CollectorRegistry()
    sink = sink if sink is not None else FakeSink()
    classify = classify if classify is not None else FixedClassifier()
    model = FakeModel()
    health = Health(stall_after_s=60)
    worker = Worker(SETTINGS, source, sink, model_source or (lambda: model), classify,
                    create_metrics(registry), health)
    return worker, sink, classify, registry, health


def value(registry, name, **labels):
    return registry.get_sample_value(name, labels)


def test_a_mixed_batch_is_enriched_dead_lettered_and_committed():
    batch = [
        record(10, article_bytes("a1"), partition=0, key=b"k1"),
        record(11, b"{not json", partition=0, key=b"k2", headers=[("trace", b"t-1")]),
        record(5, article_bytes("a2"), partition=1),
        record(6, b'{"title": ""}', partition=1),
    ]
    source = FakeSource([batch])
    worker, sink, classify, registry, _ = make_worker(source)

    worker.process(batch)

    assert [json.loads(sent.value)["id"] for sent in sink.on(OUT)] == ["a1", "a2"]
    assert [sent.key for sent in sink.on(OUT)] == [b"a1", b"a2"]
    first = json.loads(sink.on(OUT)[0].value)
    assert first["origin"] == {"topic": "articles.raw", "partition": 0, "offset": 10}
    assert first["topics"] == ["space"] and first["model"]["version"] == "fake-1"

    letters = sink.on(DLQ)
    assert [(d.key, d.value) for d in letters] == [(b"k2", b"{not json"), (None, b'{"title": ""}')]
    assert letters[0].headers[0] == ("trace", b"t-1")
    info = read_dead_letter(letters[0].headers)
    assert (info.reason, info.topic, info.partition, info.offset) == ("invalid_json", "articles.raw", 0, 11)
    assert read_dead_letter(letters[1].headers).reason == "no_text"

    assert len(classify.calls) == 1 and [a.id for a in classify.calls[0]] == ["a1", "a2"]
    assert source.commits == [{("articles.raw", 0): 12, ("articles.raw", 1): 7}]
    assert value(registry, "newsfeed_records_consumed_total") == 4
    assert value(registry, "newsfeed_records_produced_total") == 2
    assert value(registry, "newsfeed_records_dead_lettered_total", reason="invalid_json") == 1
    assert value(registry, "newsfeed_records_dead_lettered_total", reason="no_text") == 1
    assert value(registry, "newsfeed_topic_assignments_total", label="space") == 2
    assert value(registry, "newsfeed_region_assignments_total", region="europe") == 2
    assert value(registry, "newsfeed_enrichments_total", status="ok") == 2
    assert value(registry, "newsfeed_batch_size_records_count") == 1
    assert value(registry, "newsfeed_classification_seconds_count") == 1


def test_a_batch_of_only_bad_records_does_not_call_the_classifier():
    batch = [record(0, b"\xff"), record(1, b"[]")]
    worker, sink, classify, _, _ = make_worker(FakeSource([batch]))
    worker.process(batch)
    assert classify.calls == []
    assert [read_dead_letter(d.headers).reason for d in sink.on(DLQ)] == ["invalid_utf8", "not_an_object"]


def test_an_enriched_record_too_large_for_the_output_topic_becomes_a_dead_letter():
    big = article_bytes("big", title="Rocket " * 300)
    batch = [record(0, big, key=b"big"), record(1, article_bytes("small"))]
    worker, sink, _, registry, _ = make_worker(FakeSource([batch]), sink=FakeSink(limits={OUT: 1500}))
    worker.process(batch)
    assert [json.loads(s.value)["id"] for s in sink.on(OUT)] == ["small"]
    (letter,) = sink.on(DLQ)
    assert (letter.key, letter.value) == (b"big", big)
    assert read_dead_letter(letter.headers).reason == "output_too_large"
    assert value(registry, "newsfeed_records_dead_lettered_total", reason="output_too_large") == 1
    assert value(registry, "newsfeed_records_produced_total") == 1


def test_a_tombstone_without_key_is_kept_as_an_empty_dead_letter():
    batch = [record(3, None)]
    worker, sink, _, _, _ = make_worker(FakeSource([batch]))
    worker.process(batch)
    (letter,) = sink.on(DLQ)
    assert (letter.key, letter.value) == (None, b"")
    assert read_dead_letter(letter.headers).reason == "not_an_object"


def test_a_failed_send_stops_the_worker_before_any_commit(caplog):
    batch = [record(7, article_bytes("a1"), partition=2), record(8, article_bytes("a2"), partition=2)]
    source = FakeSource([batch])
    worker, _, _, registry, _ = make_worker(source, sink=FakeSink(failing={OUT}))
    with caplog.at_level(logging.ERROR), pytest.raises(ProduceError, match=r"2 of 2 .*articles.raw\[2\]@7"):
        worker.process(batch)
    assert source.commits == []
    assert [r.source for r in caplog.records if r.message == "record not written"] == [
        "articles.raw[2]@7", "articles.raw[2]@8"]
    assert [r.batch for r in caplog.records if r.message.startswith("batch not done")] == ["articles.raw[2]@7..8"]
    assert value(registry, "newsfeed_records_produced_total") == 0


def test_a_classifier_bug_crashes_with_the_batch_coordinates_in_the_log(caplog):
    def broken(articles, model):
        raise RuntimeError("bug")

    batch = [record(4, article_bytes("a1"), partition=1), record(9, article_bytes("a2"), partition=0),
             record(5, article_bytes("a3"), partition=1)]
    source = FakeSource([batch])
    worker, sink, _, _, _ = make_worker(source, classify=broken)
    with caplog.at_level(logging.ERROR), pytest.raises(RuntimeError, match="bug"):
        worker.process(batch)
    assert source.commits == [] and sink.sent == []
    (logged,) = [r for r in caplog.records if r.message.startswith("batch not done")]
    assert logged.batch == "articles.raw[0]@9..9, articles.raw[1]@4..5"


def test_a_refused_commit_is_counted_and_the_worker_goes_on():
    batches = [[record(0, article_bytes("a1"))], [record(1, article_bytes("a2"))]]
    source = FakeSource(batches, fail_commits=True)
    worker, sink, _, registry, _ = make_worker(source)
    for batch in batches:
        worker.process(batch)
    assert len(sink.on(OUT)) == 2
    assert value(registry, "newsfeed_commit_failures_total") == 2


def test_stop_finishes_the_batch_in_hand_and_polls_no_more():
    stop = threading.Event()
    batches = [[record(0, article_bytes("a1")), record(1, article_bytes("a2"))], [record(2, article_bytes("a3"))]]
    source = FakeSource(batches, after_poll=lambda _: stop.set())  # the signal arrives during the first batch
    worker, sink, _, _, health = make_worker(source)
    worker.run(stop)
    assert source.polls == 1
    assert [json.loads(s.value)["id"] for s in sink.on(OUT)] == ["a1", "a2"]
    assert source.commits == [{("articles.raw", 0): 2}]


def test_the_model_is_asked_for_each_batch_so_a_new_one_serves_the_next_batch():
    models = iter([FakeModel("v1", "a" * 64), FakeModel("v1", "a" * 64), FakeModel("v2", "b" * 64)])
    current = {"model": next(models)}
    worker, sink, _, registry, _ = make_worker(FakeSource([]), model_source=lambda: current["model"])
    worker.process([record(0, article_bytes("a1"))])
    current["model"] = next(models)
    worker.process([record(1, article_bytes("a2"))])
    current["model"] = next(models)
    worker.process([record(2, article_bytes("a3"))])
    assert [json.loads(s.value)["model"]["version"] for s in sink.on(OUT)] == ["v1", "v1", "v2"]
    assert value(registry, "newsfeed_model_info", version="v2", sha256="b" * 64) == 1
    assert value(registry, "newsfeed_model_info", version="v1", sha256="a" * 64) is None


def test_run_reports_the_model_and_each_poll_to_health():
    stop = threading.Event()
    source = FakeSource([[]], after_poll=lambda _: stop.set())
    worker, _, _, registry, health = make_worker(source)
    worker.run(stop)
    assert health.ready() == (False, "model fake-1 loaded; no partitions assigned")
    health.assigned(frozenset({("articles.raw", 0)}))
    assert health.ready()[0] is True
    assert value(registry, "newsfeed_last_poll_timestamp_seconds") > 0


def test_the_real_classifier_enriches_through_the_worker(tiny_model):
    from newsfeed.models.classifier import classify_batch

    text = "The rocket launched a communications satellite into orbit from the cosmodrome on Tuesday"
    batch = [record(0, article_bytes("s1", title="Launch", text=text)), record(1, b"nope")]
    worker, sink, _, _, _ = make_worker(FakeSource([]), model_source=lambda: tiny_model, classify=classify_batch)
    worker.process(batch)
    (enriched,) = [json.loads(s.value) for s in sink.on(OUT)]
    assert enriched["id"] == "s1" and enriched["model"]["version"] == "tiny-1"
    assert set(enriched["topic_scores"]) == {"diplomacy", "space", "defence"}
    assert enriched["processed_at"].endswith("Z")


def test_an_article_the_real_model_fails_on_is_dead_lettered_and_its_batch_committed(tiny_model, monkeypatch):
    """A model bug triggered by one article must not crash-loop the worker on that batch for ever."""
    import newsfeed.models.classifier
    from newsfeed.models.classifier import classify_batch

    real_prepare = newsfeed.models.classifier.prepare_article

    def prepare_failing_on_odd(title, text, html):
        if title == "Odd":
            raise RecursionError("maximum recursion depth exceeded")
        return real_prepare(title, text, html)

    monkeypatch.setattr(newsfeed.models.classifier, "prepare_article", prepare_failing_on_odd)
    text = "The rocket launched a communications satellite into orbit from the cosmodrome on Tuesday"
    batch = [record(0, article_bytes("s1", title="Launch", text=text)), record(1, article_bytes("odd", title="Odd", text=text)),
             record(2, article_bytes("s2", title="Launch", text=text))]
    source = FakeSource([batch])
    worker, sink, _, registry, _ = make_worker(source, model_source=lambda: tiny_model, classify=classify_batch)
    worker.process(batch)
    assert [json.loads(s.value)["id"] for s in sink.on(OUT)] == ["s1", "s2"]
    (letter,) = sink.on(DLQ)
    assert read_dead_letter(letter.headers).reason == "classifier_error"
    assert value(registry, "newsfeed_records_dead_lettered_total", reason="classifier_error") == 1
    assert source.commits == [{("articles.raw", 0): 3}]


def test_a_slow_article_is_logged_by_position_and_counted_and_still_enriched(caplog):
    secret = "A confidential paragraph nobody should find in the logs."
    batch = [record(7, article_bytes("fast", text=secret), partition=2),
             record(8, article_bytes("slow", text=secret), partition=2)]
    classify = FixedClassifier(costs={"slow": SETTINGS.slow_article_ms / 1000 + 0.5})
    worker, sink, _, registry, _ = make_worker(FakeSource([batch]), classify=classify)

    with caplog.at_level(logging.WARNING):
        worker.process(batch)

    assert [json.loads(sent.value)["id"] for sent in sink.on(OUT)] == ["fast", "slow"]
    assert value(registry, "newsfeed_slow_articles_total") == 1
    (warning,) = [r for r in caplog.records if r.getMessage() == "an article took long to classify"]
    assert (warning.topic, warning.partition, warning.offset) == ("articles.raw", 2, 8)
    assert warning.seconds == pytest.approx(SETTINGS.slow_article_ms / 1000 + 0.5)
    assert not any(secret in r.getMessage() or secret in str(vars(r)) for r in caplog.records)


def test_each_poll_asks_for_what_the_time_budget_allows_and_the_limit_is_a_metric():
    """The first polls start small and grow after each full batch that fitted; the limit is exported."""
    batches = [[record(offset, article_bytes(f"b{offset}")) for offset in range(start, start + 64)]
               for start in range(0, 640, 64)]
    source = FakeSource(batches)
    registry = CollectorRegistry()
    settings = Settings.from_env({"NEWSFEED_BATCH_SIZE": "64"})
    model = FakeModel()
    worker = Worker(settings, source, FakeSink(), lambda: model, FixedClassifier(), create_metrics(registry),
                    Health(stall_after_s=60))
    stop = threading.Event()
    source.after_poll = lambda s: stop.set() if s.polls == 4 else None
    worker.run(stop)
    assert source.max_records == [16, 32, 64, 64]
    assert registry.get_sample_value("newsfeed_batch_limit_records") == 64
