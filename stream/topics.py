"""The topics the worker uses, and the small tools that fill and read topics (CLI, demo, tests).

The tools here connect, do their one job and close: `create_topics` (`newsfeed topics create`),
`produce_file` (`newsfeed produce`), `read_topic` (`newsfeed consume`, `dlq`) and `producing_to`, the
producer of any tool that writes, sized to the topics it writes to.

The dead-letter topic keeps every refused input whole, so it must accept any record the input topic
accepts plus the dead-letter headers: it is created with `DEAD_LETTER_HEADROOM_BYTES` more than the
input topic's max.message.bytes, and the worker refuses to start on topics where that does not hold.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from newsfeed.models.schema import InvalidArticle
from newsfeed.stream.codec import Limits, decode_article, encode_key, json_lines
from newsfeed.stream.errors import TopicError
from newsfeed.stream.kafka_io.admin import Admin, connect_admin
from newsfeed.stream.kafka_io.consumer import KafkaReader, Record, connect_reader
from newsfeed.stream.kafka_io.producer import KafkaSink, connect_sink
from newsfeed.stream.settings import KafkaConnection, ProducerSettings, TopicSettings
from newsfeed.stream.sink import Outgoing

log = logging.getLogger(__name__)

DEAD_LETTER_HEADROOM_BYTES = 16384


def ensure_topics(admin: Admin, settings: TopicSettings) -> list[str]:
    """Create whichever of the input, output and dead-letter topics is missing; the names created."""
    created = [name for name in (settings.input_topic, settings.output_topic)
               if admin.create_topic(name, settings.partitions, {})]
    input_limit = admin.max_message_bytes([settings.input_topic])[settings.input_topic]
    dead_letter_config = {"max.message.bytes": str(input_limit + DEAD_LETTER_HEADROOM_BYTES)}
    if admin.create_topic(settings.dead_letter_topic, settings.partitions, dead_letter_config):
        created.append(settings.dead_letter_topic)
    for name in created:
        log.info("topic created", extra={"topic": name, "partitions": settings.partitions})
    return created


def topic_limits(admin: Admin, settings: TopicSettings) -> dict[str, int]:
    """max.message.bytes of the output and dead-letter topics, once the dead-letter one is checked."""
    limits = admin.max_message_bytes([settings.input_topic, settings.output_topic, settings.dead_letter_topic])
    needed = limits[settings.input_topic] + DEAD_LETTER_HEADROOM_BYTES
    if limits[settings.dead_letter_topic] < needed:
        raise TopicError(
            f"dead-letter topic {settings.dead_letter_topic} accepts {limits[settings.dead_letter_topic]} bytes, "
            f"too few to keep every record of {settings.input_topic} ({limits[settings.input_topic]} bytes) whole "
            f"with its headers: set its max.message.bytes to at least {needed}"
        )
    return {name: limits[name] for name in (settings.output_topic, settings.dead_letter_topic)}


def create_topics(connection: KafkaConnection, topics: TopicSettings) -> list[dict[str, Any]]:
    """Create whichever of the worker's three topics is missing, then check them as the worker would
    (same refusal, same message); each topic with whether it was created and its max.message.bytes."""
    admin = connect_admin(connection)
    try:
        created = ensure_topics(admin, topics)
        topic_limits(admin, topics)
        names = [topics.input_topic, topics.output_topic, topics.dead_letter_topic]
        limits = admin.max_message_bytes(names)
    finally:
        admin.close()
    return [{"topic": name, "created": name in created, "max_message_bytes": limits[name]} for name in names]


@contextmanager
def producing_to(settings: ProducerSettings, topics: Collection[str]) -> Iterator[KafkaSink]:
    """A producer for a tool that writes to these (existing) topics, refusing up front any record over a
    topic's max.message.bytes; closed on the way out."""
    admin = connect_admin(settings)
    try:
        limits = admin.max_message_bytes(topics)
    finally:
        admin.close()
    sink = connect_sink(settings, limits)
    try:
        yield sink
    finally:
        sink.close()


@contextmanager
def read_topic(connection: KafkaConnection, topic: str) -> Iterator[KafkaReader]:
    """A reader of every partition of `topic` from its beginning (outside any group); closed on the way out."""
    reader = connect_reader(connection, topic)
    try:
        yield reader
    finally:
        reader.close()


def produce(sink: KafkaSink, topic: str, records: Iterable[tuple[str, bytes | None, bytes | None]]) -> int:
    """Send (label, key, value) records, flush, and check every one; a ProduceError names the label."""
    return sink.send_all(Outgoing(label, topic, key, value) for label, key, value in records)


def produce_file(settings: ProducerSettings, topic: str, lines: Iterable[bytes], limits: Limits) -> int:
    """`newsfeed produce`: every non-blank line into `topic`, each acknowledged; the count written."""
    with producing_to(settings, [topic]) as sink:
        return produce_lines(sink, topic, lines, limits)


def produce_lines(sink: KafkaSink, topic: str, lines: Iterable[bytes], limits: Limits) -> int:
    """Write each non-blank line as one record, unchanged; an article's id is its key. The count written."""
    return produce(sink, topic, ((f"line {n}", _key_of(value, limits), value) for n, value in json_lines(lines)))


def _key_of(value: bytes, limits: Limits) -> bytes | None:
    """The article's id, so records of one article share a partition; None for input that is no article."""
    try:
        return encode_key(decode_article(value, limits).id)
    except InvalidArticle:
        return None


def read_records(reader: KafkaReader, max_records: int | None = None, follow: bool = False,
                 idle_timeout_s: float | None = None) -> Iterator[Record]:
    """Records from the beginning of a topic: until it is read to its end (or forever with `follow`),
    at most `max_records`, stopping early after `idle_timeout_s` without a record."""
    count, last_record = 0, time.monotonic()
    while max_records is None or count < max_records:
        if not follow and reader.caught_up():
            return
        if idle_timeout_s is not None and time.monotonic() - last_record > idle_timeout_s:
            return
        wanted = 500 if max_records is None else min(500, max_records - count)
        records = reader.poll(timeout_ms=200, max_records=wanted)
        if records:
            last_record = time.monotonic()
        for record in records:
            yield record
            count += 1


def record_envelope(record: Record) -> dict[str, Any]:
    """A record as a JSON-ready object: coordinates, key, headers and value (base64 if not UTF-8)."""
    envelope: dict[str, Any] = {"topic": record.topic, "partition": record.partition, "offset": record.offset,
                                "timestamp_ms": record.timestamp_ms}
    envelope.update(_text_or_base64("key", record.key))
    envelope["headers"] = [{"name": name, **_text_or_base64("value", value)} for name, value in record.headers]
    envelope.update(_text_or_base64("value", record.value))
    return envelope


def _text_or_base64(name: str, data: bytes | None) -> dict[str, Any]:
    if data is None:
        return {name: None}
    try:
        return {name: data.decode("utf-8")}
    except UnicodeDecodeError:
        return {f"{name}_base64": base64.b64encode(data).decode("ascii")}
