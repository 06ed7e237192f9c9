"""Reading: the worker's consumer-group member (`KafkaSource`) and the tools' reader outside any group
(`KafkaReader`).

Both poll through `_poll`, so a record leaves kafka-python only as a `Record` and a retriable error is an
empty poll for either. The group's options live here with the reasons they are what they are (static
membership, eager assignment), and so does the metadata fetch that keeps a new member from holding no
partitions for good.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import kafka.errors
from kafka import KafkaConsumer, OffsetAndMetadata, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener

from newsfeed.stream.errors import BrokerError, CommitError, TopicError
from newsfeed.stream.kafka_io.connection import (CLOSE_TIMEOUT_S, Headers, Partition, built, client_options,
                                                 describe_offsets, unreachable)
from newsfeed.stream.settings import KafkaConnection, Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Record:
    """One record read from a topic: bytes as they were written."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Headers
    timestamp_ms: int

    @property
    def coordinates(self) -> str:
        return f"{self.topic}[{self.partition}]@{self.offset}"


def _poll(consumer: KafkaConsumer, timeout_ms: int, max_records: int) -> list[Record]:
    """Records from one poll. A retriable error (the broker restarting, a connection reset) is no records
    this time: the next poll retries, as kafka-python does itself for most of them. Others stop the caller."""
    try:
        polled = consumer.poll(timeout_ms=timeout_ms, max_records=max_records)
    except kafka.errors.FencedInstanceIdError as exc:
        # Static membership: a newer member joined with this one's group.instance.id and took its place.
        raise BrokerError(f"poll failed: another worker joined the group with this worker's group instance id "
                          f"(the same NEWSFEED_WORKER_SLOT): this one stops ({exc})") from exc
    except kafka.errors.KafkaError as exc:
        if exc.retriable:
            log.warning("poll failed; polling again", extra={"error": str(exc)})
            return []
        raise BrokerError(f"poll failed: {exc}") from exc
    return [
        Record(r.topic, r.partition, r.offset, r.key, r.value, list(r.headers or []), r.timestamp)
        for records in polled.values()
        for r in records
    ]


class _AssignmentListener(ConsumerRebalanceListener):
    """Keeps the set of assigned partitions and reports each change; runs on the client's IO thread."""

    def __init__(self, on_change: Callable[[frozenset[Partition]], None]):
        self._assigned: frozenset[Partition] = frozenset()
        self._on_change = on_change

    def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        self._assigned -= {(tp.topic, tp.partition) for tp in revoked}
        self._on_change(self._assigned)

    def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        self._assigned |= {(tp.topic, tp.partition) for tp in assigned}
        self._on_change(self._assigned)


class KafkaSource:
    """A group member reading one topic, committing only the offsets it is told to."""

    def __init__(self, consumer: KafkaConsumer, commit_timeout_ms: int):
        self._consumer = consumer
        self._commit_timeout_ms = commit_timeout_ms

    def poll(self, timeout_ms: int, max_records: int) -> list[Record]:
        return _poll(self._consumer, timeout_ms, max_records)

    def commit(self, offsets: Mapping[Partition, int]) -> None:
        """Commit the next offset to read for each partition; CommitError if the group refuses."""
        to_commit = {TopicPartition(t, p): OffsetAndMetadata(offset, "", -1) for (t, p), offset in offsets.items()}
        try:
            self._consumer.commit(to_commit, timeout_ms=self._commit_timeout_ms)
        except kafka.errors.KafkaError as exc:
            raise CommitError(f"commit of {describe_offsets(offsets)} failed: {exc}") from exc

    def lags(self) -> dict[Partition, int]:
        """Records behind the end of each assigned partition whose end and position are known (no waiting)."""
        lags: dict[Partition, int] = {}
        try:
            for tp in self._consumer.assignment():
                highwater = self._consumer.highwater(tp)  # from the last fetch response: no request
                position = self._consumer.position(tp, timeout_ms=0) if highwater is not None else None
                if position is not None:
                    lags[(tp.topic, tp.partition)] = max(0, highwater - position)
        except kafka.errors.KafkaError as exc:  # e.g. revoked meanwhile: no figure this time, not an outage
            log.debug("consumer lag not read", extra={"error": str(exc)})
        return lags

    def group_metadata(self) -> Any:
        """This member's group, generation and member id, for offsets sent in a transaction (KIP-447).

        CommitError when this consumer is no longer a member (the group took its partitions away, e.g.
        after max.poll.interval.ms without a poll): kafka-python then reports generation -1 and no member
        id, and the broker takes transactional offsets with those without any generation check, so a
        stalled worker's late commit would overwrite the offsets of the member that took over.
        """
        metadata = self._consumer.group_metadata()
        if metadata.generation_id < 0 or not metadata.member_id:
            raise CommitError(f"this worker is no longer a member of group {metadata.group_id} "
                              f"({metadata.state}): its partitions were taken away, so its offsets are not sent")
        return metadata

    def rewind(self, offsets: Mapping[Partition, int]) -> None:
        """Read again from these offsets, on the partitions this member still holds (an aborted batch)."""
        for (topic, partition), offset in offsets.items():
            tp = TopicPartition(topic, partition)
            try:
                if tp in self._consumer.assignment():
                    self._consumer.seek(tp, offset)
            except kafka.errors.KafkaError as exc:
                # revoked meanwhile: its next owner starts from the committed offset anyway
                log.debug("not rewound", extra={"partition": f"{topic}[{partition}]", "error": str(exc)})

    def close(self) -> None:
        """Close, waiting 5 s at most (no auto-commit: every commit was explicit). A dynamic member leaves the
        group, so its partitions move at once; a static one (a worker slot) does not: the group keeps its
        place, and its partitions, for the session timeout, expecting it back (kafka-python sends no
        LeaveGroup for a static member, as the Java client does not)."""
        self._consumer.close(autocommit=False, timeout_ms=CLOSE_TIMEOUT_S * 1000)


def group_instance_id(settings: Settings) -> str | None:
    """The static group member id (KIP-345): the worker slot, when there is one.

    A restarted worker that rejoins with the same id within the session timeout takes back its own
    partitions without a rebalance, so the other workers never stop. The id only has to be unique within
    the group, and the slot already is (it names the transactional id GROUP.SLOT too). Without a slot
    (at-least-once), the worker is a dynamic member, as before.
    """
    return settings.worker_slot


def group_options(settings: Settings) -> dict[str, Any]:
    """How the consumer takes part in its group: membership, timeouts, assignment strategy.

    The assignment stays eager (kafka-python's default range and round-robin assignors), not
    cooperative: kafka-python 3.0.12 has a CooperativeStickyAssignor, but its consumer returns no records
    at all while a JoinGroup is in flight (KafkaConsumer._poll_once returns early until
    coordinator.poll() is done), so the partitions that do not move stop anyway, and each move takes
    two rebalance rounds instead of one. Static membership removes the rebalance of a restart, which is
    the common case; a member that leaves for good costs one eager rebalance after the session timeout.
    """
    return {
        "group_id": settings.group_id,
        "group_instance_id": group_instance_id(settings),
        "session_timeout_ms": settings.session_timeout_ms,
        "heartbeat_interval_ms": settings.heartbeat_interval_ms,
        "max_poll_interval_ms": settings.max_poll_interval_ms,
    }


def connect_source(settings: Settings, on_assignment: Callable[[frozenset[Partition]], None]) -> KafkaSource:
    """A consumer-group member subscribed to the input topic, with manual commits.

    It reads with read_committed in either mode: records an upstream producer aborted are never
    classified, and (exactly-once) the offsets it resumes from are never those of an open transaction.
    """
    try:
        consumer = built(settings, lambda: KafkaConsumer(
            **client_options(settings),
            **group_options(settings),
            isolation_level="read_committed",
            enable_auto_commit=False,
            auto_offset_reset=settings.auto_offset_reset,
            max_poll_records=settings.batch_size,
            allow_auto_create_topics=False,
        ))
        consumer.subscribe([settings.input_topic], listener=_AssignmentListener(on_assignment))
        # Fetch metadata once subscribed, so the consumer knows the topic's partitions before it first joins.
        # Otherwise the group's first assignment is made from empty metadata, the next metadata update makes
        # the member rejoin at once, and kafka-python 3.0.12 can drop that rejoin's result: when the SyncGroup
        # answer comes after the poll that sent it has timed out, need_rejoin() is already False and the
        # assignment is never applied, so the member holds no partitions for good (seen under load).
        consumer.topics()
    except kafka.errors.KafkaError as exc:
        raise unreachable(settings, exc) from exc
    return KafkaSource(consumer, commit_timeout_ms=settings.session_timeout_ms)


class KafkaReader:
    """Reads every partition of one topic from its beginning, outside any consumer group; read_committed
    by default, so records of aborted transactions are skipped and open ones are waited for."""

    def __init__(self, consumer: KafkaConsumer, ends: Mapping[TopicPartition, int]):
        self._consumer = consumer
        self._ends = dict(ends)

    def poll(self, timeout_ms: int, max_records: int) -> list[Record]:
        return _poll(self._consumer, timeout_ms, max_records)

    def caught_up(self) -> bool:
        """Whether every partition has been read up to where it ended when the reader started."""
        try:
            return all(self._consumer.position(tp) >= end for tp, end in self._ends.items())
        except kafka.errors.KafkaError as exc:
            raise BrokerError(f"cannot read positions: {exc}") from exc

    def close(self) -> None:
        self._consumer.close(autocommit=False)


def connect_reader(settings: KafkaConnection, topic: str, isolation_level: str = "read_committed") -> KafkaReader:
    try:
        consumer = built(settings, lambda: KafkaConsumer(
            **client_options(settings), group_id=None, enable_auto_commit=False, allow_auto_create_topics=False,
            isolation_level=isolation_level))
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        if not partitions:
            consumer.close()
            raise TopicError(f"topic {topic} does not exist")
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
    except kafka.errors.KafkaError as exc:
        raise unreachable(settings, exc) from exc
    return KafkaReader(consumer, ends)
