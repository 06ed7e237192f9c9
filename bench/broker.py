"""The benchmark's side of the broker: unique topics, a fast pre-load, a paced load, reading the output.

The worker under test uses the project's own clients (`stream.kafka_io`); the tools here are the
bench's instruments, so they are built for low overhead instead: the pre-load producer batches
hard, and the readers skip the CRC check (kafka-python's pure-Python CRC-32C would otherwise
compete with the worker for the same two cores).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from newsfeed.stream import kafka_io  # noqa: F401 (imports kafka-python with its import-time warnings filtered)
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

from newsfeed.stream.kafka_io.admin import connect_admin
from newsfeed.stream.settings import Settings
from newsfeed.stream.topics import ensure_topics

# The output topics stamp each record with the broker's clock when it is appended: "arrival".
ARRIVAL_TIME = {"message.timestamp.type": "LogAppendTime"}


@dataclass
class Run:
    """The topic and group names of one measured run, and the worker settings that name them."""

    bootstrap: str
    input_topic: str
    name: str
    partitions: int = 4

    @classmethod
    def new(cls, bootstrap: str, input_topic: str, label: str) -> Run:
        return cls(bootstrap, input_topic, f"{input_topic}.{label}")

    @property
    def output_topic(self) -> str:
        return f"{self.name}.enriched"

    @property
    def dead_letter_topic(self) -> str:
        return f"{self.name}.dlq"

    @property
    def group(self) -> str:
        return f"{self.name}-group"

    @property
    def env(self) -> dict[str, str]:
        return {
            "NEWSFEED_BOOTSTRAP_SERVERS": self.bootstrap,
            "NEWSFEED_INPUT_TOPIC": self.input_topic,
            "NEWSFEED_OUTPUT_TOPIC": self.output_topic,
            "NEWSFEED_DEAD_LETTER_TOPIC": self.dead_letter_topic,
            "NEWSFEED_GROUP_ID": self.group,
            "NEWSFEED_PARTITIONS": str(self.partitions),
        }

    @property
    def topics(self) -> list[str]:
        return [self.output_topic, self.dead_letter_topic]


def unique_prefix() -> str:
    return f"bench-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"


def create_topics(run: Run) -> None:
    """The input topic (if new), an arrival-stamped output topic and the dead-letter topic, as the worker checks them."""
    settings = Settings.from_env(run.env)
    admin = connect_admin(settings)
    try:
        admin.create_topic(run.output_topic, run.partitions, ARRIVAL_TIME)
        ensure_topics(admin, settings)
    finally:
        admin.close()


def delete_topics(bootstrap: str, topics: Sequence[str], groups: Sequence[str]) -> None:
    """Remove what the runs made; a failure here is reported, never fatal."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="newsfeed-bench")
    try:
        existing = set(admin.list_topics())
        doomed = [t for t in topics if t in existing]
        if doomed:
            admin.delete_topics(doomed)
        if groups:
            admin.delete_groups(list(groups))
    finally:
        admin.close()


def preload(bootstrap: str, topic: str, values: Sequence[bytes]) -> float:
    """Write `values` keyed by position as fast as the client goes; seconds taken."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, client_id="newsfeed-bench", acks=1, linger_ms=50,
                             batch_size=1 << 20, max_request_size=4 << 20)
    started = time.perf_counter()
    try:
        for n, value in enumerate(values):
            producer.send(topic, key=str(n).encode(), value=value)
        producer.flush()
    finally:
        producer.close()
    return time.perf_counter() - started


class PacedLoad:
    """Sends values at a steady rate, each on its own (no linger); remembers each record's timestamp."""

    def __init__(self, bootstrap: str, topic: str):
        self._producer = KafkaProducer(bootstrap_servers=bootstrap, client_id="newsfeed-bench-load", acks=1,
                                       linger_ms=0)
        self._topic = topic
        self._futures: list = []

    def run(self, values: Sequence[bytes], rate: float, seconds: float) -> int:
        count = int(rate * seconds)
        # The topic's metadata first: else the first records wait in the client for it, stamped early.
        self._producer.partitions_for(self._topic)
        start = time.monotonic()
        for n in range(count):
            delay = start + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._futures.append(self._producer.send(self._topic, key=str(n).encode(), value=values[n % len(values)]))
        self._producer.flush()
        return count

    def sent_at(self) -> dict[tuple[int, int], int]:
        """(partition, offset) -> the record's timestamp in ms, as the broker stored it."""
        sent = {}
        for future in self._futures:
            metadata = future.get(timeout=30)
            sent[(metadata.partition, metadata.offset)] = metadata.timestamp
        return sent

    def close(self) -> None:
        self._producer.close()


class TopicWatch:
    """Reads a topic's size and records from outside any group."""

    def __init__(self, bootstrap: str, topic: str):
        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id="newsfeed-bench-watch", group_id=None,
                                       enable_auto_commit=False, check_crcs=False, fetch_max_bytes=64 << 20,
                                       max_partition_fetch_bytes=16 << 20)
        partitions = self._consumer.partitions_for_topic(topic) or set()
        self._partitions = [TopicPartition(topic, p) for p in sorted(partitions)]
        self._consumer.assign(self._partitions)

    def count(self) -> int:
        return sum(self._consumer.end_offsets(self._partitions).values())

    def wait_for(self, expected: int, timeout_s: float, alive=lambda: True) -> int:
        """Poll the topic's size until it holds `expected` records, the timeout passes or `alive()` fails."""
        deadline = time.monotonic() + timeout_s
        while (count := self.count()) < expected and time.monotonic() < deadline and alive():
            time.sleep(0.05)
        return count

    def last_timestamp_ms(self) -> int:
        """The latest record timestamp over all partitions (the last arrival, on an arrival-stamped topic)."""
        ends = self._consumer.end_offsets(self._partitions)
        latest = 0
        for tp in self._partitions:
            if ends[tp] == 0:
                continue
            self._consumer.seek(tp, ends[tp] - 1)
            for record in self._read_until({tp: ends[tp]}):
                latest = max(latest, record.timestamp)
        return latest

    def records(self) -> list:
        """Every record of the topic, from the beginning."""
        ends = self._consumer.end_offsets(self._partitions)
        self._consumer.seek_to_beginning(*self._partitions)
        return list(self._read_until(ends))

    def _read_until(self, ends: dict) -> list:
        out, deadline = [], time.monotonic() + 120
        while any(self._consumer.position(tp) < end for tp, end in ends.items()) and time.monotonic() < deadline:
            for batch in self._consumer.poll(timeout_ms=500).values():
                out.extend(batch)
        return out

    def close(self) -> None:
        self._consumer.close(autocommit=False)
