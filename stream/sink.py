"""Writing records so that none is lost silently: send them all, flush, and check every delivery.

`Sink.send_all` is the one place where a batch of records becomes either all written or a
ProduceError: the worker's batches, `newsfeed produce` and `newsfeed dlq redrive` all go through it,
so "sent" never gets mistaken for "acknowledged" in one of them. A subclass says how one record is
sent and how the sends are flushed (`stream.kafka_io.producer.KafkaSink` with kafka-python; the unit
tests' list-backed sink), and which records are too large for their topic.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from newsfeed.stream.errors import ProduceError

log = logging.getLogger(__name__)

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True)
class Outgoing:
    """One record to write, with the label a failure names it by (its source's coordinates, an input line)."""

    label: str
    topic: str
    key: bytes | None
    value: bytes | None
    headers: Headers = field(default_factory=list)


class Delivery(Protocol):
    def failure(self) -> ProduceError | None: ...


class Sink(ABC):
    @abstractmethod
    def check_size(self, topic: str, key: bytes | None, value: bytes | None, headers: Headers) -> None:
        """RecordTooLargeError if the record is larger than `topic` accepts (so a caller can route it elsewhere
        before anything is sent)."""

    @abstractmethod
    def send(self, topic: str, key: bytes | None, value: bytes | None, headers: Headers | None = None) -> Delivery:
        """Start sending one record (RecordTooLargeError if it is too large for its topic)."""

    @abstractmethod
    def flush(self) -> None:
        """Wait until every record sent so far is acknowledged or has failed."""

    def send_all(self, records: Iterable[Outgoing]) -> int:
        """Send the records, flush, and check that each one was acknowledged; how many were written.

        A record refused at send (too large) raises at once, its label in front of the reason. Deliveries
        that failed are logged one by one ("record not written", with the label as `source`), then one
        ProduceError counts them and names the first: the caller must not commit anything after it.
        """
        pending: list[tuple[str, Delivery]] = []
        for record in records:
            try:
                pending.append((record.label, self.send(record.topic, record.key, record.value, record.headers)))
            except ProduceError as exc:
                raise type(exc)(f"{record.label}: {exc}") from exc
        self.flush()
        failures = [(label, failure) for label, delivery in pending if (failure := delivery.failure()) is not None]
        for label, failure in failures:
            log.error("record not written", extra={"source": label, "error": str(failure)})
        if failures:
            label, failure = failures[0]
            raise ProduceError(f"{len(failures)} of {len(pending)} records not written "
                               f"(first: {label}: {failure})") from failure
        return len(pending)
