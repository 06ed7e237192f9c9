"""The worker: a consumer-group member that enriches every article it reads, at least once or exactly once.

One batch at a time, as many records as fit in its time budget (`stream.budget`): poll → decode (refusals to the dead-letter topic) → classify the batch in one
call → produce keyed by id → flush and check every send → commit the offsets after the batch (at
least once), or commit the batch's records, dead letters and offsets in one transaction (exactly
once; `stream.transactions`). Nothing is committed that was not written. A failed send is not
retried here: the producer has already retried it for delivery.timeout.ms, so the worker logs the
record's topic[partition]@offset, commits nothing of the batch (aborts its transaction) and exits
non-zero; restarted, it redoes the batch from the last commit.

The model comes from a callable asked once per batch (`model_source`), so a reloading source can
swap models between batches; `classify` is the model layer's `classify_batch`. A shadow model, if any,
is handed each committed batch afterwards (`stream.shadow`) and cannot hold the loop up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from newsfeed.stream.batch import Classify, Enriched, Outcome, Refused, SlowArticleWatch, decode_all, enrich_batch
from newsfeed.stream.budget import BatchBudget
from newsfeed.stream.codec import dead_letter_headers, encode_key
from newsfeed.stream.errors import CommitError, RecordTooLargeError
from newsfeed.stream.health import Health
from newsfeed.stream.kafka_io.connection import Partition
from newsfeed.stream.kafka_io.consumer import Record
from newsfeed.stream.metrics import Metrics
from newsfeed.stream.settings import Settings
from newsfeed.stream.shadow import Judged
from newsfeed.stream.sink import Outgoing, Sink
from newsfeed.stream.transactions import OffsetCommits, Transactions
from newsfeed.training.rates import rates_of

log = logging.getLogger(__name__)


class Source(Protocol):
    def poll(self, timeout_ms: int, max_records: int) -> list[Record]: ...
    def commit(self, offsets: dict[Partition, int]) -> None: ...
    def lags(self) -> dict[Partition, int]: ...


Commits = OffsetCommits | Transactions


class Worker:
    """One consumer-group member's loop over injected seams: source, sink, model source, classifier."""

    def __init__(self, settings: Settings, source: Source, sink: Sink, model_source: Callable[[], Any],
                 classify: Classify, metrics: Metrics, health: Health, commits: Commits | None = None,
                 shadow: Callable[[Judged], None] | None = None):
        self._settings = settings
        self._source, self._sink = source, sink
        self._commits = commits if commits is not None else OffsetCommits(source)
        self._model_source, self._classify_batch = model_source, classify
        self._metrics, self._health = metrics, health
        self._model: Any = None
        self._shadow = shadow  # `stream.shadow.Shadow.offer`: takes a committed batch, never waits
        self._budget = BatchBudget(settings.batch_size, settings.max_poll_interval_ms, metrics.batch_limit.set)

    def run(self, stop: threading.Event) -> None:
        """Process batches until `stop` is set; a batch in hand is always finished and committed first."""
        self._use_model()
        while not stop.is_set():
            records = self._source.poll(self._settings.poll_timeout_ms, self._budget.limit)
            self._health.polled()
            self._metrics.last_poll.set_to_current_time()
            self._metrics.live.polled(records, self._source.lags())
            if records:
                self.process(records)

    def process(self, records: Sequence[Record]) -> None:
        try:
            self._process(records)
        except Exception:
            log.exception("batch not done; nothing of it was committed", extra={"batch": _span(records)})
            raise

    def _process(self, records: Sequence[Record]) -> None:
        started = time.perf_counter()
        model = self._use_model()
        items = decode_all([record.value for record in records], self._settings.limits)
        origins = [{"topic": r.topic, "partition": r.partition, "offset": r.offset} for r in records]
        slow = SlowArticleWatch(self._settings.slow_article_ms / 1000,
                                lambda index, seconds: self._slow(origins[index], seconds))
        outcomes = enrich_batch(items, model, self._classify, origins, slow=slow)
        try:
            with self._commits.batch(_first_offsets(records)) as commit:  # exactly-once: one transaction
                routed = [self._route(record, outcome) for record, outcome in zip(records, outcomes, strict=True)]
                self._sink.send_all(outgoing for _, outgoing in routed)
                self._metrics.observe_end_to_end([record.timestamp_ms for record in records], time.time())
                commit(_next_offsets(records))
            self._metrics.live.processed(records)
            self._metrics.last_commit.set_to_current_time()
        except CommitError as exc:
            # The group refused the offsets (this member was taken out of it meanwhile). At least once:
            # everything was written, and the next owner redoes the batch (duplicates, no loss). Exactly
            # once: the transaction was aborted, so the batch counts as not done here.
            self._metrics.commit_failures.inc()
            log.warning("commit failed; the batch will be redone", extra={"error": str(exc), "batch": _span(records)})
            if self._commits.guarantee == "exactly-once":
                return
        self._count(len(records), [outcome for outcome, _ in routed])
        elapsed = time.perf_counter() - started
        self._metrics.batch_seconds.observe(elapsed)
        self._budget.done(len(records), elapsed)
        if self._shadow is not None:  # after the commit and the timing: the shadow costs the batch nothing
            judged = [(outcome, origin) for (outcome, _), origin in zip(routed, origins, strict=True)
                      if isinstance(outcome, Enriched)]
            self._shadow(Judged([o.article for o, _ in judged], [o.enrichment for o, _ in judged],
                                [origin for _, origin in judged]))

    def _use_model(self) -> Any:
        model = self._model_source()
        if model is not self._model:
            self._model = model
            self._metrics.set_model(model.version, model.sha256, rates_of(getattr(model, "metadata", {})))
            self._health.model_loaded(model.version)
            log.info("model in use", extra={"version": model.version, "sha256": model.sha256})
        return model

    def _classify(self, articles: Sequence[Any], model: Any, **kwargs: Any) -> list[Any]:
        with self._metrics.classification_seconds.time():
            return self._classify_batch(articles, model, **kwargs)

    def _slow(self, origin: dict[str, Any], seconds: float) -> None:
        # Where the article is, never what it says: its text may be anyone's.
        self._metrics.slow_articles.inc()
        log.warning("an article took long to classify", extra={**origin, "seconds": round(seconds, 3)})

    def _route(self, record: Record, outcome: Outcome) -> tuple[Outcome, Outgoing]:
        """Where the record's outcome goes: the enriched record to the output topic, or the input, unchanged,
        to the dead-letter topic (also when the enriched record is too large for the output topic)."""
        if isinstance(outcome, Enriched):
            key = encode_key(outcome.article.id)
            try:
                self._sink.check_size(self._settings.output_topic, key, outcome.value, [])
                return outcome, Outgoing(record.coordinates, self._settings.output_topic, key, outcome.value)
            except RecordTooLargeError as exc:
                outcome = Refused("output_too_large", f"enriched record too large for the output topic: {exc}")
        headers = record.headers + dead_letter_headers(
            outcome.reason, outcome.message, record.topic, record.partition, record.offset)
        # Kafka refuses a record with neither key nor value: a key-less tombstone is kept as an empty value.
        value = b"" if record.key is None and record.value is None else record.value
        return outcome, Outgoing(record.coordinates, self._settings.dead_letter_topic, record.key, value, headers)

    def _count(self, consumed: int, outcomes: Sequence[Outcome]) -> None:
        metrics = self._metrics
        metrics.records_consumed.inc(consumed)
        metrics.batch_size.observe(consumed)
        enriched = [outcome.enrichment for outcome in outcomes if isinstance(outcome, Enriched)]
        metrics.records_produced.inc(len(enriched))
        metrics.count_enrichments(enriched)
        metrics.count_warnings(outcome.article for outcome in outcomes if isinstance(outcome, Enriched))
        for outcome in outcomes:
            if isinstance(outcome, Refused):
                metrics.records_dead_lettered.labels(outcome.reason).inc()
        log.info("batch done", extra={"records": consumed, "enriched": len(enriched),
                                           "dead_lettered": consumed - len(enriched)})


def _next_offsets(records: Sequence[Record]) -> dict[Partition, int]:
    """The offset to read next on each partition of the batch: what is committed after it."""
    offsets: dict[Partition, int] = {}
    for record in records:
        key = (record.topic, record.partition)
        offsets[key] = max(offsets.get(key, 0), record.offset + 1)
    return offsets


def _first_offsets(records: Sequence[Record]) -> dict[Partition, int]:
    """Where the batch began on each partition: where an aborted batch is read again from."""
    offsets: dict[Partition, int] = {}
    for record in records:
        key = (record.topic, record.partition)
        offsets[key] = min(offsets.get(key, record.offset), record.offset)
    return offsets


def _span(records: Sequence[Record]) -> str:
    """Where a batch came from, e.g. "articles.raw[0]@10..59, articles.raw[1]@5..40"."""
    spans: dict[Partition, tuple[int, int]] = {}
    for record in records:
        low, high = spans.get((record.topic, record.partition), (record.offset, record.offset))
        spans[(record.topic, record.partition)] = (min(low, record.offset), max(high, record.offset))
    return ", ".join(f"{t}[{p}]@{low}..{high}" for (t, p), (low, high) in sorted(spans.items()))
