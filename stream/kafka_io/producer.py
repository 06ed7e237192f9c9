"""Writing: one producer for the output and dead-letter topics (`KafkaSink`), transactional for exactly
once (`TransactionalSink`).

A record over its topic's max.message.bytes is refused here before it is sent, by kafka-python's own
estimate of its size (`DefaultRecordBatchBuilder`), so the worker can dead-letter it instead of failing a
whole batch; and every transactional call that kafka-python would let wait forever is bounded here, so
an outage stops the worker instead of hanging it. The producer options (batch size and linger, kept
under the topics' limits) are measured ones: see PRODUCER_BATCH_BYTES.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import kafka.errors
from kafka import KafkaProducer, OffsetAndMetadata, TopicPartition
from kafka.record.default_records import DefaultRecordBatchBuilder

from newsfeed.stream.errors import (CommitError, FencedError, ProduceError, RecordTooLargeError, TransactionError,
                                    TransactionTimeoutError)
from newsfeed.stream.kafka_io.connection import (CLOSE_TIMEOUT_S, Headers, OnThread, Partition, built, client_options,
                                                 describe_offsets, unreachable)
from newsfeed.stream.settings import ProducerSettings, Settings
from newsfeed.stream.sink import Sink

log = logging.getLogger(__name__)

T = TypeVar("T")


class Delivery:
    """The pending result of one send."""

    def __init__(self, future):
        self._future = future

    def failure(self) -> ProduceError | None:
        """None once the broker acknowledged the record; else why it is not (yet) written."""
        if not self._future.is_done:
            return ProduceError("not acknowledged (still in flight after flush)")
        if self._future.failed():
            error = ProduceError(str(self._future.exception))
            error.__cause__ = self._future.exception
            return error
        return None


class KafkaSink(Sink):
    """Sends records, refusing up front any record larger than its topic's max.message.bytes."""

    def __init__(self, producer: KafkaProducer, limits: Mapping[str, int], flush_timeout_s: float):
        self._producer = producer
        self._limits = dict(limits)
        self._flush_timeout_s = flush_timeout_s

    def check_size(self, topic: str, key: bytes | None, value: bytes | None, headers: Headers) -> None:
        size = DefaultRecordBatchBuilder.estimate_size_in_bytes(key, value, headers)
        limit = self._limits.get(topic)
        if limit is not None and size > limit:
            raise RecordTooLargeError(f"{size} bytes, over the max.message.bytes of {topic} ({limit})")

    def send(self, topic: str, key: bytes | None, value: bytes | None, headers: Headers | None = None) -> Delivery:
        headers = headers or []
        self.check_size(topic, key, value, headers)
        try:
            return Delivery(self._producer.send(topic, value=value, key=key, headers=headers))
        except kafka.errors.MessageSizeTooLargeError as exc:
            raise RecordTooLargeError(str(exc)) from exc
        except kafka.errors.KafkaError as exc:
            raise ProduceError(f"send to {topic} failed: {exc}") from exc

    def flush(self) -> None:
        """Wait until every record sent so far is acknowledged or has failed."""
        try:
            self._producer.flush(timeout=self._flush_timeout_s)
        except kafka.errors.KafkaError as exc:
            raise ProduceError(f"flush failed: {exc}") from exc

    def close(self) -> None:
        """Close, waiting 5 s at most: every batch was flushed and checked, so nothing is left to wait for
        unless the cluster is gone, and then waiting longer does not help."""
        try:
            self._producer.close(timeout=CLOSE_TIMEOUT_S)
        except kafka.errors.KafkaError as exc:
            # kafka-python's close flushes first and raises when that times out. The process is on its way
            # out; what is unsent stays unsent (exactly once: inside a transaction that will be aborted).
            log.warning("producer closed with records unsent", extra={"error": str(exc)})


class TransactionalSink(KafkaSink):
    """A KafkaSink whose sends belong to transactions; every call that waits on the cluster is bounded.

    kafka-python's send_offsets_to_transaction, commit_transaction and abort_transaction wait without a
    timeout: a long outage would hang the worker silently. Here each waits at most `timeout_s`, then
    raises TransactionTimeoutError (the call is left running on its own thread, and the worker exits).
    """

    def __init__(self, producer: KafkaProducer, limits: Mapping[str, int], flush_timeout_s: float,
                 transactional_id: str, timeout_s: float):
        super().__init__(producer, limits, flush_timeout_s)
        self.transactional_id = transactional_id
        self._timeout_s = timeout_s

    def begin_transaction(self) -> None:
        try:
            self._producer.begin_transaction()  # local state only: no request, no wait
        except kafka.errors.KafkaError as exc:
            raise self._failed("begin", exc) from exc

    def commit_transaction(self, offsets: Mapping[Partition, int], group_metadata: Any) -> None:
        """Put the consumed offsets in the open transaction and commit it.

        CommitError if the group refused the offsets (this member's generation is stale: it was taken
        out of the group meanwhile); the transaction can then be aborted and the batch redone.
        """
        to_commit = {TopicPartition(t, p): OffsetAndMetadata(offset, "", -1) for (t, p), offset in offsets.items()}
        try:
            self._bounded("send_offsets_to_transaction",
                          lambda: self._producer.send_offsets_to_transaction(to_commit, group_metadata))
        except (kafka.errors.CommitFailedError, kafka.errors.FencedInstanceIdError,
                kafka.errors.IllegalGenerationError, kafka.errors.UnknownMemberIdError) as exc:
            raise CommitError(f"the group refused the offsets {describe_offsets(offsets)}: {exc}") from exc
        except kafka.errors.KafkaError as exc:
            raise self._failed("send_offsets_to_transaction", exc) from exc
        try:
            self._bounded("commit_transaction", self._producer.commit_transaction)
        except kafka.errors.KafkaError as exc:
            raise self._failed("commit_transaction", exc) from exc

    def abort_transaction(self) -> None:
        """Abort the open transaction: its records and offsets are discarded for read_committed readers."""
        try:
            self._bounded("abort_transaction", self._producer.abort_transaction)
        except kafka.errors.KafkaError as exc:
            raise self._failed("abort_transaction", exc) from exc

    def _bounded(self, name: str, call: Callable[[], T]) -> T:
        """`call()` on a thread of its own, waited for `timeout_s` at most."""
        pending = OnThread(f"kafka-{name}", call)
        pending.done.wait(self._timeout_s)
        if not pending.finished:
            raise TransactionTimeoutError(
                f"{name} did not return within {self._timeout_s:g} s (transactional id {self.transactional_id}): "
                "the cluster is unreachable or stuck; the worker stops, and its restart aborts the transaction")
        return pending.result()

    def _failed(self, call: str, exc: Exception) -> TransactionError:
        if isinstance(exc, (kafka.errors.ProducerFencedError, kafka.errors.InvalidProducerEpochError)) or \
                "ProducerFenced" in str(exc):
            return FencedError(f"{call}: a newer producer with transactional id {self.transactional_id} has started "
                               "(another worker runs with this NEWSFEED_WORKER_SLOT): this one is fenced and stops")
        return TransactionError(f"{call} failed (transactional id {self.transactional_id}): {exc}")


# The worker sends a whole batch (~500 enriched records of ~2-5 KB) and then flushes. kafka-python's
# 16 KB default batches make that dozens of produce requests per partition, each a trip through its
# pure-Python sender; 256 KB batches with a 5 ms linger cut them to a few and measured about 9% more
# articles/s end to end (bench). flush() sends at once regardless of the linger, so latency is unhurt.
PRODUCER_BATCH_BYTES = 262_144
PRODUCER_LINGER_MS = 5


def _producer_options(settings: ProducerSettings, limits: Mapping[str, int]) -> dict[str, Any]:
    # A record batch larger than a topic's max.message.bytes would be refused and split again: keep under it.
    sizes = {"max_request_size": max(limits.values()),
             "batch_size": min(PRODUCER_BATCH_BYTES, *limits.values())} if limits else {}
    return {**client_options(settings), "acks": "all", "enable_idempotence": True,
            "delivery_timeout_ms": settings.delivery_timeout_ms, "allow_auto_create_topics": False,
            "linger_ms": PRODUCER_LINGER_MS, **sizes}


def connect_sink(settings: ProducerSettings, limits: Mapping[str, int]) -> KafkaSink:
    """An idempotent acks=all producer for topics with the given max.message.bytes limits.

    One producer writes both the output and the dead-letter topic (so that exactly-once puts both in
    one transaction); its own request cap is the largest limit among them, and `KafkaSink.send` holds
    each record to its own topic's limit.
    """
    try:
        producer = built(settings, lambda: KafkaProducer(**_producer_options(settings, limits)))
    except kafka.errors.KafkaError as exc:
        raise unreachable(settings, exc) from exc
    return KafkaSink(producer, limits, flush_timeout_s=settings.delivery_timeout_ms / 1000 + 5)


def transactional_id(settings: Settings) -> str:
    """GROUP.SLOT: the same for a worker slot across restarts, so a restarted worker fences its zombie."""
    return f"{settings.group_id}.{settings.worker_slot}"


def connect_transactional_sink(settings: Settings, limits: Mapping[str, int]) -> TransactionalSink:
    """A transactional producer, initialised: any transaction an earlier instance of this slot left open is
    aborted (or completed) by the cluster first, and that instance, if still alive, is fenced."""
    timeout_ms = settings.transaction_timeout_ms
    tid = transactional_id(settings)
    try:
        producer = built(settings, lambda: KafkaProducer(
            **_producer_options(settings, limits), transactional_id=tid, transaction_timeout_ms=timeout_ms,
            max_block_ms=timeout_ms))
    except kafka.errors.KafkaError as exc:
        raise unreachable(settings, exc) from exc
    try:
        producer.init_transactions()  # waits max_block_ms at most
    except kafka.errors.KafkaError as exc:
        producer.close(timeout=0)
        if isinstance(exc, kafka.errors.SaslAuthenticationFailedError):
            raise unreachable(settings, exc) from exc
        raise TransactionError(f"cannot initialise transactions for transactional id {tid}: {exc}") from exc
    # A flush waits no longer than a transaction may stay open: past that the broker aborts it anyway.
    flush_timeout_s = min(settings.delivery_timeout_ms / 1000 + 5, timeout_ms / 1000)
    return TransactionalSink(producer, limits, flush_timeout_s, tid, timeout_ms / 1000)
