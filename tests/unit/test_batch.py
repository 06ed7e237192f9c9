"""The step shared by the worker and `newsfeed classify`: order kept, refusals in place, one classify call."""

import json
from datetime import UTC, datetime

import pytest

from newsfeed.stream.batch import Enriched, Refused, SlowArticleWatch, classify_lines, decode_all, enrich_batch, rfc3339
from newsfeed.stream.codec import Limits
from stream_fakes import FakeModel, FixedClassifier, article_bytes

LIMITS = Limits(max_input_bytes=10_000, max_json_depth=8)
NOON = datetime(2024, 9, 8, 12, 0, 0, 123456, tzinfo=UTC)


def test_enrich_batch_keeps_order_and_classifies_once():
    items = decode_all([article_bytes("a"), b"oops", article_bytes("b")], LIMITS)
    classify = FixedClassifier()
    outcomes = enrich_batch(items, FakeModel(), classify, now=lambda: NOON)
    assert [type(o) for o in outcomes] == [Enriched, Refused, Enriched]
    assert [[a.id for a in call] for call in classify.calls] == [["a", "b"]]
    record = json.loads(outcomes[0].value)
    assert record["id"] == "a" and record["processed_at"] == "2024-09-08T12:00:00.123Z"
    assert "origin" not in record
    assert outcomes[1] == Refused("invalid_json", "Expecting value (line 1, column 1)")


def test_origins_are_added_when_given():
    items = decode_all([article_bytes("a")], LIMITS)
    origin = {"topic": "articles.raw", "partition": 1, "offset": 9}
    (outcome,) = enrich_batch(items, FakeModel(), FixedClassifier(), origins=[origin])
    assert json.loads(outcome.value)["origin"] == origin


def test_a_classifier_returning_the_wrong_count_is_a_bug_not_silence():
    items = decode_all([article_bytes("a"), article_bytes("b")], LIMITS)
    with pytest.raises(ValueError, match="1 enrichments for 2 articles"):
        enrich_batch(items, FakeModel(), lambda articles, model: FixedClassifier()(articles[:1], model))


def test_classify_lines_numbers_lines_skips_blank_ones_and_batches():
    lines = [article_bytes("a") + b"\n", b"\n", b"{bad\n", b"  \r\n", article_bytes("b") + b"\r\n",
             article_bytes("c")]
    classify = FixedClassifier()
    judged = list(classify_lines(lines, FakeModel(), classify, LIMITS, batch_size=2))
    assert [(n, type(o).__name__) for n, o in judged] == [
        (1, "Enriched"), (3, "Refused"), (5, "Enriched"), (6, "Enriched")]
    assert [len(call) for call in classify.calls] == [1, 2]


def test_rfc3339_is_utc_with_a_z():
    assert rfc3339(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2024-01-02T03:04:05.000Z"


class FailsOn(FixedClassifier):
    """The fixed classifier, but raising on any call that contains one of the given ids."""

    def __init__(self, *bad_ids):
        super().__init__()
        self.bad_ids = set(bad_ids)

    def __call__(self, articles, model, article_seconds=None):
        if self.bad_ids & {article.id for article in articles}:
            self.calls.append(list(articles))
            raise IndexError("index 7 is out of bounds for axis 0 with size 7")
        return super().__call__(articles, model, article_seconds)


def test_an_article_the_model_fails_on_is_refused_and_the_rest_of_its_batch_is_enriched(caplog):
    items = decode_all([article_bytes("a"), article_bytes("odd"), b"oops", article_bytes("b")], LIMITS)
    outcomes = enrich_batch(items, FakeModel(), FailsOn("odd"))
    assert [type(o) for o in outcomes] == [Enriched, Refused, Refused, Enriched]
    assert [json.loads(outcomes[i].value)["id"] for i in (0, 3)] == ["a", "b"]
    assert outcomes[1].reason == "classifier_error"
    assert outcomes[1].message == "the model failed on this article: IndexError: index 7 is out of bounds for axis 0 with size 7"
    assert outcomes[2].reason == "invalid_json"
    assert any(r.levelname == "ERROR" and getattr(r, "id", None) == "odd" for r in caplog.records)


def test_a_lone_article_the_model_fails_on_is_refused():
    (outcome,) = enrich_batch(decode_all([article_bytes("odd")], LIMITS), FakeModel(), FailsOn("odd"))
    assert outcome.reason == "classifier_error"


def test_a_model_that_fails_on_every_article_of_a_batch_stops_the_caller_instead_of_dead_lettering_them():
    items = decode_all([article_bytes("a"), article_bytes("b")], LIMITS)
    with pytest.raises(IndexError):
        enrich_batch(items, FakeModel(), FailsOn("a", "b"))


def test_slow_articles_are_reported_by_their_position_among_the_items():
    items = decode_all([b"oops", article_bytes("quick"), article_bytes("slow")], LIMITS)
    reported = []
    watch = SlowArticleWatch(threshold_seconds=1.0, report=lambda index, seconds: reported.append((index, seconds)))
    outcomes = enrich_batch(items, FakeModel(), FixedClassifier(costs={"slow": 1.5, "quick": 0.2}), slow=watch)
    assert [type(o) for o in outcomes] == [Refused, Enriched, Enriched]
    assert reported == [(2, 1.5)]
