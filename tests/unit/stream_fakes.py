"""Tiny, honest stand-ins for the worker's seams: a list-backed source and sink, a fixed classifier."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from newsfeed.models.evidence import LabelEvidence, NgramEvidence
from newsfeed.models.schema import Article, CountryMention, Enrichment, ModelRef
from newsfeed.stream.errors import CommitError, ProduceError, RecordTooLargeError
from newsfeed.stream.kafka_io.consumer import Record
from newsfeed.stream.sink import Sink


@dataclass(frozen=True)
class FakeModel:
    version: str = "fake-1"
    sha256: str = "0" * 64


def fixed_enrichment(model: FakeModel) -> Enrichment:
    return Enrichment(
        topics=["space"],
        topic_scores={"diplomacy": 0.1, "space": 0.9, "defence": 0.2},
        regions=["europe"],
        region_scores={"europe": 0.8},
        countries=[CountryMention("FR", "France", 2, True, ((32, 38),))],
        evidence={"space": LabelEvidence((NgramEvidence("rocket", 0.5, ((9, 15),)),), (7, 49))},
        status="ok",
        language="en",
        model=ModelRef(model.version, model.sha256),
        prepared_text="Fixed\n\nA rocket left the pad in France on Monday.",
    )


class FixedClassifier:
    """Gives every article the same enrichment, and remembers each call's articles. `costs` are the
    seconds it reports for the articles of those ids when asked for each article's cost (else 0)."""

    def __init__(self, costs: dict[str, float] | None = None):
        self.calls: list[list[Article]] = []
        self.costs = costs or {}

    def __call__(self, articles, model, article_seconds=None):
        self.calls.append(list(articles))
        if article_seconds is not None:
            article_seconds[:] = [self.costs.get(article.id, 0.0) for article in articles]
        return [fixed_enrichment(model) for _ in articles]


def record(offset: int, value: bytes | None, partition: int = 0, key: bytes | None = None,
           topic: str = "articles.raw", headers=None) -> Record:
    return Record(topic, partition, offset, key, value, list(headers or []), 1_700_000_000_000 + offset)


def article_bytes(article_id: str, title: str = "Rocket launch", **fields) -> bytes:
    return json.dumps({"id": article_id, "title": title, **fields}).encode()


class FakeSource:
    """Hands out the given batches one per poll (at most max_records of one at a time), then empty polls;
    records every commit."""

    def __init__(self, batches, fail_commits: bool = False, after_poll=None, lag=None):
        self.batches = [list(batch) for batch in batches]
        self.lag = dict(lag or {})
        self.commits: list[dict] = []
        self.polls = 0
        self.max_records: list[int] = []  # the limit each poll was given
        self.fail_commits = fail_commits
        self.after_poll = after_poll

    def poll(self, timeout_ms, max_records):
        self.polls += 1
        self.max_records.append(max_records)
        batch = self.batches.pop(0) if self.batches else []
        if len(batch) > max_records:  # as a consumer does: the rest comes with the next poll
            batch, rest = batch[:max_records], batch[max_records:]
            self.batches.insert(0, rest)
        if self.after_poll is not None:
            self.after_poll(self)
        return batch

    def commit(self, offsets):
        if self.fail_commits:
            raise CommitError("rebalanced meanwhile")
        self.commits.append(dict(offsets))

    def lags(self):
        return dict(self.lag)


@dataclass
class Sent:
    topic: str
    key: bytes | None
    value: bytes | None
    headers: list


class FakeDelivery:
    def __init__(self, error: str | None):
        self.error = error

    def failure(self):
        return ProduceError(self.error) if self.error else None


@dataclass
class FakeSink(Sink):
    """Keeps what is sent; refuses records over a topic's limit; fails deliveries to `failing` topics.
    `send_all` is the real one (stream.sink), over this sink's send and flush."""

    limits: dict = field(default_factory=dict)
    failing: set = field(default_factory=set)
    sent: list = field(default_factory=list)
    flushes: int = 0

    def check_size(self, topic, key, value, headers):
        size = len(key or b"") + len(value or b"")
        if topic in self.limits and size > self.limits[topic]:
            raise RecordTooLargeError(f"{size} bytes, over the max.message.bytes of {topic} ({self.limits[topic]})")

    def send(self, topic, key, value, headers=None):
        self.check_size(topic, key, value, headers)
        if key is None and value is None:
            raise ValueError("Need at least one: key or value")  # as kafka-python does
        self.sent.append(Sent(topic, key, value, list(headers or [])))
        return FakeDelivery("NotLeaderForPartitionError" if topic in self.failing else None)

    def flush(self):
        self.flushes += 1

    def on(self, topic):
        return [sent for sent in self.sent if sent.topic == topic]
