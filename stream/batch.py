"""The step every front door shares: decoded articles in, encoded enriched records or refusals out.

The worker and `newsfeed classify` both call `enrich_batch`, so they decode, classify and encode
the same way. It knows nothing of Kafka: the worker adds keys, topics and headers around it.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from newsfeed.models.schema import Article, Enrichment, InvalidArticle, enriched_record
from newsfeed.stream.codec import Limits, decode_article, encode_record, json_lines

log = logging.getLogger(__name__)


class Model(Protocol):
    """What the shell needs to know of a loaded model (`models.artifact.Model` is one)."""

    version: str
    sha256: str


class Classify(Protocol):
    """The model layer's `classify_batch`: enrichments in the articles' order. When the caller passes
    `article_seconds`, it fills it with each article's own cost in seconds, in the same order."""

    def __call__(self, articles: Sequence[Article], model: Any, /,
                 article_seconds: list[float] | None = ...) -> list[Enrichment]: ...


@dataclass(frozen=True)
class SlowArticleWatch:
    """Report each article whose own classification cost exceeds `threshold_seconds`: `report` gets its
    position among the batch's items and its cost. The article is still enriched as usual."""

    threshold_seconds: float
    report: Callable[[int, float], None]


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
    slow: SlowArticleWatch | None = None,
) -> list[Outcome]:
    """Classify all articles among `items` in one call; refusals pass through in place.

    An article the model fails on is refused as `classifier_error` and the others are judged (see
    `_judge`): one odd article must not stop a stream, nor be retried for ever."""
    positions = [index for index, item in enumerate(items) if isinstance(item, Article)]
    articles = [items[index] for index in positions]
    seconds: list[float] | None = [] if slow is not None else None
    judged = iter(_judge(articles, model, classify, seconds))
    if slow is not None and seconds:
        for index, cost in zip(positions, seconds):
            if cost > slow.threshold_seconds:
                slow.report(index, cost)
    processed_at = rfc3339(now())
    outcomes: list[Outcome] = []
    for index, item in enumerate(items):
        if isinstance(item, Refused):
            outcomes.append(item)
            continue
        enrichment = next(judged)
        if isinstance(enrichment, Refused):
            outcomes.append(enrichment)
            continue
        origin = origins[index] if origins is not None else None
        value = encode_record(enriched_record(item, enrichment, processed_at, origin))
        outcomes.append(Enriched(item, enrichment, value))
    return outcomes


def _judge(articles: Sequence[Article], model: Any, classify: Classify,
           article_seconds: list[float] | None = None) -> list[Enrichment | Refused]:
    """The enrichments of `articles` from one classify call; if that call raises, each article is
    classified alone, and those that still raise are refused as `classifier_error`. The costs of a
    batch that failed are not reported.

    When every article of a batch of several fails alone, the fault is the model's or the machine's,
    not the input's: the first error is raised, so the worker stops without committing (a broken model
    dead-letters nothing). A lone article that fails cannot tell the two apart; it is dead-lettered,
    and `newsfeed dlq redrive` sends it back once the cause is fixed.
    """
    if not articles:
        return []
    try:
        if article_seconds is None:
            enrichments = classify(articles, model)
        else:
            enrichments = classify(articles, model, article_seconds=article_seconds)
    except Exception as error:
        if article_seconds is not None:
            article_seconds.clear()
        if len(articles) == 1:
            return [_classifier_error(articles[0], error)]
        log.warning("classifying the batch failed; classifying its articles one by one", exc_info=True)
        alone = [_classify_alone(article, model, classify) for article in articles]
        failures = [outcome for outcome in alone if isinstance(outcome, Exception)]
        if len(failures) == len(articles):
            raise failures[0] from None
        return [_classifier_error(article, outcome) if isinstance(outcome, Exception) else outcome
                for article, outcome in zip(articles, alone, strict=True)]
    if len(enrichments) != len(articles):
        raise ValueError(f"classify returned {len(enrichments)} enrichments for {len(articles)} articles")
    return enrichments


def _classify_alone(article: Article, model: Any, classify: Classify) -> Enrichment | Exception:
    try:
        (enrichment,) = classify([article], model)
        return enrichment
    except Exception as exc:  # whatever the model raises on this one article is its outcome
        return exc


def _classifier_error(article: Article, error: Exception) -> Refused:
    reason = f"{type(error).__name__}: {error}"
    log.error("the model failed on an article; it goes to the dead-letter topic",
              extra={"id": article.id, "error": reason})
    return Refused("classifier_error", f"the model failed on this article: {reason}"[:1000])


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
