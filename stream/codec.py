"""Bytes to articles and records to bytes: the one decoder and encoder of every front door.

`decode_article` turns a record value into an `Article` or raises `InvalidArticle` with a reason
from `models.schema.DEAD_LETTER_REASONS`; the schema checks themselves are `article_from_dict`'s.
Dead-letter headers are written and read here so the worker and the tools agree on their names.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from newsfeed.models.schema import SCHEMA_VERSION, Article, InvalidArticle, article_from_dict

# Header names of a dead letter. The value and key of a dead letter are the original bytes; any
# headers the original record had come first, these are appended after them.
REASON_HEADER = "newsfeed.reason"
MESSAGE_HEADER = "newsfeed.message"
SOURCE_TOPIC_HEADER = "newsfeed.source.topic"
SOURCE_PARTITION_HEADER = "newsfeed.source.partition"
SOURCE_OFFSET_HEADER = "newsfeed.source.offset"
SCHEMA_VERSION_HEADER = "newsfeed.schema_version"  # the contract version, as in enriched records

MAX_MESSAGE_CHARS = 300


@dataclass(frozen=True)
class Limits:
    """What the decoder refuses before it reaches the schema (oversize values, deep nesting), and how much
    of an article's title, text and html the classifier is given (`max_text_chars` each: the rest is
    cut off before classification; the article's fields, and so the output record, stay whole)."""

    max_input_bytes: int
    max_json_depth: int
    max_text_chars: int = 100_000


def decode_article(value: bytes | None, limits: Limits) -> Article:
    """A record value as an article, or InvalidArticle saying why it is not one."""
    text = _decode_text(value, limits)
    try:
        obj = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise InvalidArticle("too_deep", "JSON nested too deeply to parse") from None
    except json.JSONDecodeError as exc:
        raise InvalidArticle("invalid_json", f"{exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except ValueError as exc:  # a refused constant or float, or an integer of over 4300 digits
        raise InvalidArticle("invalid_json", str(exc)) from None
    if _deeper_than(obj, limits.max_json_depth):
        raise InvalidArticle("too_deep", f"JSON nesting deeper than {limits.max_json_depth} levels")
    if _SURROGATE_ESCAPE.search(text):
        obj = _without_lone_surrogates(obj)
    return _clipped(article_from_dict(obj), limits.max_text_chars)


def json_lines(lines: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """The non-blank lines of JSON Lines input with their 1-based line numbers, line endings removed."""
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield number, line.rstrip(b"\r\n")


def decode_text(value: bytes, limits: Limits) -> Article:
    """The whole of `value` as the plain text of one article (`newsfeed classify --text`)."""
    return _clipped(Article.from_text(_decode_text(value, limits)), limits.max_text_chars)


def _clipped(article: Article, max_chars: int) -> Article:
    """The article with title, text and html cut to `max_chars` characters each, for the classifier."""
    if max(len(article.title), len(article.text), len(article.html)) <= max_chars:
        return article
    return dataclasses.replace(article, title=article.title[:max_chars], text=article.text[:max_chars],
                               html=article.html[:max_chars])


def _decode_text(value: bytes | None, limits: Limits) -> str:
    if value is None:
        raise InvalidArticle("not_an_object", "the record has no value (a tombstone)")
    if len(value) > limits.max_input_bytes:
        raise InvalidArticle("too_large", f"{len(value)} bytes, over the limit of {limits.max_input_bytes}")
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidArticle("invalid_utf8", f"not UTF-8 at byte {exc.start}: {exc.reason}") from None
    # A UTF-8 byte-order mark is no part of the content: RFC 8259 lets a parser ignore one, and
    # Windows tools write it. Only the first is removed; a second would be a real U+FEFF character.
    return text[1:] if text.startswith(_BOM) else text


_BOM = "\ufeff"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise ValueError(f"number {literal[:40]} is out of range")
    return value


# JSON may escape a lone UTF-16 surrogate ("\\ud800"), which is no Unicode text and cannot be written
# as UTF-8. Like Go's encoding/json, the decoder turns each into U+FFFD; valid pairs are already
# joined by the parser. The search is only a cheap filter: most input has no such escape at all.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(key): _without_lone_surrogates(item) for key, item in value.items()}
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether containers nest more than `limit` levels (the top-level object is level 1)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def encode_record(record: dict[str, Any]) -> bytes:
    """A record as compact UTF-8 JSON (NaN or infinite numbers are a bug and raise ValueError)."""
    return json.dumps(record, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def encode_key(article_id: str) -> bytes:
    return article_id.encode("utf-8")


def dead_letter_headers(
    reason: str, message: str, topic: str, partition: int, offset: int
) -> list[tuple[str, bytes]]:
    """The headers that say why a record was refused and where it came from."""
    return [
        (REASON_HEADER, reason.encode()),
        (MESSAGE_HEADER, message[:MAX_MESSAGE_CHARS].encode("utf-8", "replace")),
        (SOURCE_TOPIC_HEADER, topic.encode()),
        (SOURCE_PARTITION_HEADER, str(partition).encode()),
        (SOURCE_OFFSET_HEADER, str(offset).encode()),
        (SCHEMA_VERSION_HEADER, SCHEMA_VERSION.encode()),
    ]


@dataclass(frozen=True)
class DeadLetter:
    """What a dead letter's headers say: why it was refused and where it was read."""

    reason: str
    message: str
    topic: str
    partition: int
    offset: int


def read_dead_letter(headers: list[tuple[str, bytes]]) -> DeadLetter:
    """The newsfeed headers of a dead letter (the last of each name wins); KeyError if one is missing."""
    found = {name: value.decode("utf-8", "replace") for name, value in headers}
    return DeadLetter(
        reason=found[REASON_HEADER],
        message=found[MESSAGE_HEADER],
        topic=found[SOURCE_TOPIC_HEADER],
        partition=int(found[SOURCE_PARTITION_HEADER]),
        offset=int(found[SOURCE_OFFSET_HEADER]),
    )
