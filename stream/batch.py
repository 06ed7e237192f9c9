"""The step every front door shares: decoded articles in, encoded enriched records or refusals out.

The worker and `newsfeed classify` both call `enrich_batch`, so they decode, classify and encode
the same way. It knows nothing of Kafka: the worker adds keys, topics and headers around it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from models.schema import Article, Enrichment, InvalidArticle, enriched_record
from stream.codec import Limits, decode_article, encode_record, json_lines


class Model(Protocol):
    """What the shell needs to know of a loaded model (`models.artifact.Model` is one)."""

    version: str
    sha256: str


Classify = Callable[[Sequence[Article], Any], list[Enrichment]]


@dataclass(frozen=True)
class Enriched:
    """An article the model judged, and its output record as bytes."""

    article: Article
    enrichment: Enrichment
    value: bytes


@dataclass(frozen=True)
class Refused:
    """An input that is not an article: `reason` is one of DEAD_LETTER_REASONS."""

    reason: str
    message: str


Outcome = Enriched | Refused


def decode_all(
    values: Sequence[bytes | None], limits: Limits, decode: Callable[[Any, Limits], Article] = decode_article
) -> list[Article | Refused]:
    """Decode each value; a value that is not an article becomes a Refused with its reason."""
    decoded: list[Article | Refused] = []
    for value in values:
        try:
            decoded.append(decode(value, limits))
        except InvalidArticle as exc:
            decoded.append(Refused(exc.reason, exc.message))
    return decoded


def enrich_batch(
    items: Sequence[Article | Refused],
    model: Any,
    classify: Classify,
    origins: Sequence[dict[str, Any]] | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> list[Outcome]:
    """Classify all articles among `items` in one call; refusals pass through in place."""
    articles = [item for item in items if isinstance(item, Article)]
    enrichments = classify(articles, model) if articles else []
    if len(enrichments) != len(articles):
        raise ValueError(f"classify returned {len(enrichments)} enrichments for {len(articles)} articles")
    judged = iter(enrichments)
    processed_at = rfc3339(now())
    outcomes: list[Outcome] = []
    for index, item in enumerate(items):
        if isinstance(item, Refused):
            outcomes.append(item)
            continue
        enrichment = next(judged)
        origin = origins[index] if origins is not None else None
        value = encode_record(enriched_record(item, enrichment, processed_at, origin))
        outcomes.append(Enriched(item, enrichment, value))
    return outcomes


def rfc3339(moment: datetime) -> str:
    """A UTC timestamp as RFC 3339 with milliseconds and a Z, e.g. 2024-09-08T06:22:52.000Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def classify_lines(
    lines: Iterable[bytes], model: Any, classify: Classify, limits: Limits, batch_size: int
) -> Iterator[tuple[int, Outcome]]:
    """Each non-blank line of JSON Lines input, judged in batches: (line number, outcome), in order."""
    numbered = json_lines(lines)
    while chunk := list(itertools.islice(numbered, batch_size)):
        numbers = [number for number, _ in chunk]
        outcomes = enrich_batch(decode_all([value for _, value in chunk], limits), model, classify)
        yield from zip(numbers, outcomes, strict=True)
