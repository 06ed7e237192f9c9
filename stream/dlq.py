"""Dead letters you can act on: count them by reason with samples, and re-send them after a fix.

A redrive re-sends a dead letter's original key, value and headers to the input topic, with one more
header, `newsfeed.redrive`, naming the dead letter it came from. It happens at most once per record:

- before re-sending, the redrive appends a marker to the dead-letter topic (an empty value with a
  `newsfeed.redriven` header naming the dead letter), flushed and acknowledged; a dead letter with a
  marker is never re-sent again. A crash between marker and re-send can only lose the redrive of
  that batch (the dead letter stays, `inspect` counts it as redriven), never send a record twice;
- a redriven record that fails again comes back as a new dead letter that still carries the
  `newsfeed.redrive` header: it had its one redrive, and is only counted.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsfeed.stream.codec import (
    MESSAGE_HEADER,
    REASON_HEADER,
    SCHEMA_VERSION_HEADER,
    SOURCE_OFFSET_HEADER,
    SOURCE_PARTITION_HEADER,
    SOURCE_TOPIC_HEADER,
    read_dead_letter,
)
from newsfeed.stream.errors import ProduceError
from newsfeed.stream.kafka_io.connection import Headers
from newsfeed.stream.kafka_io.consumer import Record
from newsfeed.stream.settings import KafkaConnection, ProducerSettings
from newsfeed.stream.sink import Outgoing, Sink
from newsfeed.stream.topics import producing_to, read_records, read_topic

REDRIVE_HEADER = "newsfeed.redrive"  # on a re-sent record: the dead letter it was re-sent from
REDRIVEN_HEADER = "newsfeed.redriven"  # on a marker in the dead-letter topic: the dead letter re-sent
PREVIEW_CHARS = 200
_DEAD_LETTER_HEADERS = frozenset({REASON_HEADER, MESSAGE_HEADER, SOURCE_TOPIC_HEADER, SOURCE_PARTITION_HEADER,
                                  SOURCE_OFFSET_HEADER, SCHEMA_VERSION_HEADER})


@dataclass
class DeadLetters:
    """A dead-letter topic read whole: its dead letters, and which of them were re-sent already."""

    letters: list[Record] = field(default_factory=list)
    redriven: set[str] = field(default_factory=set)
    unreadable: int = 0  # records that are neither dead letters nor markers (no newsfeed headers)

    @classmethod
    def read(cls, records: Iterable[Record]) -> DeadLetters:
        found = cls()
        for record in records:
            names = {name: value for name, value in record.headers}
            if REDRIVEN_HEADER in names:
                found.redriven.add(names[REDRIVEN_HEADER].decode("utf-8", "replace"))
            elif REASON_HEADER in names:
                found.letters.append(record)
            else:
                found.unreadable += 1
        return found

    def reason(self, record: Record) -> str:
        return read_dead_letter(record.headers).reason

    def was_redriven(self, record: Record) -> bool:
        return record.coordinates in self.redriven

    @staticmethod
    def is_a_redrive(record: Record) -> bool:
        """A dead letter of a record that was itself re-sent: it had its one redrive."""
        return any(name == REDRIVE_HEADER for name, _ in record.headers)


def inspect(found: DeadLetters, samples_per_reason: int) -> dict[str, Any]:
    """Counts by reason, how many were re-sent, and the first few samples of each reason."""
    by_reason = Counter(found.reason(record) for record in found.letters)
    samples: dict[str, list[dict[str, Any]]] = {}
    for record in found.letters:
        reason = found.reason(record)
        if len(samples.setdefault(reason, [])) < samples_per_reason:
            samples[reason].append(_sample(found, record))
    return {
        "dead_letters": len(found.letters),
        "by_reason": dict(by_reason.most_common()),
        "redriven": sum(1 for record in found.letters if found.was_redriven(record)),
        "failed_again_after_redrive": sum(1 for record in found.letters if found.is_a_redrive(record)),
        "not_dead_letters": found.unreadable,
        "samples": samples,
    }


def _sample(found: DeadLetters, record: Record) -> dict[str, Any]:
    info = read_dead_letter(record.headers)
    return {
        "dead_letter": record.coordinates,
        "source": f"{info.topic}[{info.partition}]@{info.offset}",
        "message": info.message,
        "redriven": found.was_redriven(record),
        "key": _preview(record.key),
        "value": _preview(record.value),
    }


def _preview(data: bytes | None) -> str | None:
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(data[:PREVIEW_CHARS]).decode("ascii")
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"


@dataclass(frozen=True)
class RedrivePlan:
    to_send: list[Record]
    already_redriven: int
    failed_again: int
    other_reasons: int


def plan_redrive(found: DeadLetters, reason: str | None) -> RedrivePlan:
    """The dead letters to re-send: of `reason` (all when None), never re-sent, not a failed redrive."""
    to_send, already, again, other = [], 0, 0, 0
    for record in found.letters:
        if reason is not None and found.reason(record) != reason:
            other += 1
        elif found.was_redriven(record):
            already += 1
        elif found.is_a_redrive(record):
            again += 1
        else:
            to_send.append(record)
    return RedrivePlan(to_send, already, again, other)


def redrive(sink: Sink, dead_letter_topic: str, input_topic: str, records: Sequence[Record],
            batch_size: int = 500) -> int:
    """Re-send dead letters to the input topic, batch by batch, each marked before it is sent."""
    sent = 0
    for start in range(0, len(records), batch_size):
        batch = records[start:start + batch_size]
        _send_checked(sink, [Outgoing(f"marker of {r.coordinates}", dead_letter_topic, None, b"",
                                      [(REDRIVEN_HEADER, r.coordinates.encode())]) for r in batch])
        _send_checked(sink, [Outgoing(r.coordinates, input_topic, r.key, r.value if r.value is not None else b"",
                                      _redrive_headers(r)) for r in batch])
        sent += len(batch)
    return sent


def _redrive_headers(record: Record) -> Headers:
    """The headers the record had before it was refused, and the redrive mark."""
    original = [(name, value) for name, value in record.headers if name not in _DEAD_LETTER_HEADERS]
    return original + [(REDRIVE_HEADER, record.coordinates.encode())]


def _send_checked(sink: Sink, records: list[Outgoing]) -> None:
    try:
        sink.send_all(records)
    except ProduceError as exc:
        raise ProduceError(f"{exc} during the redrive; run it again: what was marked is not re-sent twice") from exc


def read_dead_letters(connection: KafkaConnection, topic: str) -> DeadLetters:
    """The dead-letter topic read whole, from its beginning to where it ended when the read began."""
    with read_topic(connection, topic) as reader:
        return DeadLetters.read(read_records(reader))


def redrive_to(settings: ProducerSettings, dead_letter_topic: str, input_topic: str, records: Sequence[Record]) -> int:
    """`newsfeed dlq redrive`: `redrive` with a producer sized to both topics; how many were re-sent."""
    if not records:
        return 0
    with producing_to(settings, [input_topic, dead_letter_topic]) as sink:
        return redrive(sink, dead_letter_topic, input_topic, records)
