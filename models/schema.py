"""The record contract: what an article is when it comes in, and what an enrichment is when it goes out.

`article_from_dict` is the one validator of incoming articles, shared by the worker, the one-shot
CLI and the evaluation, so that every front door accepts and refuses exactly the same input.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.errors import NewsfeedError

# Why an incoming record was refused. A small fixed set: these strings are Kafka header values and
# Prometheus label values, so adding one is a contract change.
DEAD_LETTER_REASONS: tuple[str, ...] = (
    "invalid_utf8",
    "invalid_json",
    "not_an_object",
    "no_text",
    "too_large",
    "invalid_field",
    "too_deep",
    "output_too_large",
    "classifier_error",
)

STATUSES: tuple[str, ...] = ("ok", "too_short", "unsupported_language")

_TEXT_FIELDS = ("title", "text", "html")
_OPTIONAL_STRING_FIELDS = ("id", "url", "title", "text", "html", "published_at", "source", "language")


class InvalidArticle(NewsfeedError):
    """An incoming record that cannot be an article; `reason` is one of DEAD_LETTER_REASONS."""

    def __init__(self, reason: str, message: str):
        assert reason in DEAD_LETTER_REASONS, reason
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Article:
    """A raw article, validated. `fields` is the original object, kept whole so unknown fields pass through."""

    id: str
    title: str = ""
    text: str = ""
    html: str = ""
    url: str | None = None
    language_hint: str | None = None
    fields: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_text(cls, text: str, title: str = "") -> Article:
        """An article made of plain text only, as `newsfeed classify --text` reads it."""
        return article_from_dict({"title": title, "text": text})


def article_from_dict(obj: Any) -> Article:
    """Validate a decoded JSON value as an article, or raise InvalidArticle with the reason."""
    if not isinstance(obj, dict):
        raise InvalidArticle("not_an_object", f"expected a JSON object, got {_json_type(obj)}")
    for name in _OPTIONAL_STRING_FIELDS:
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidArticle("invalid_field", f"field {name!r} must be a string or null, got {_json_type(value)}")
    if not any((obj.get(name) or "").strip() for name in _TEXT_FIELDS):
        raise InvalidArticle("no_text", "at least one of 'title', 'text', 'html' must be non-empty")
    published_at = obj.get("published_at")
    if published_at:
        try:
            datetime.fromisoformat(published_at)
        except ValueError:
            raise InvalidArticle("invalid_field", f"field 'published_at' is not ISO 8601: {published_at[:40]!r}") from None
    return Article(
        id=obj.get("id") or derive_id(obj),
        title=obj.get("title") or "",
        text=obj.get("text") or "",
        html=obj.get("html") or "",
        url=obj.get("url") or None,
        language_hint=obj.get("language") or None,
        fields=obj,
    )


def derive_id(obj: dict[str, Any]) -> str:
    """A stable id for an article that came without one: sha256 of its url, else of its content."""
    basis = obj.get("url") or "\n".join(obj.get(name) or "" for name in _TEXT_FIELDS)
    # surrogatepass: a lone surrogate (valid JSON escape, invalid UTF-8) must not crash id derivation
    return hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


@dataclass(frozen=True)
class CountryMention:
    code: str
    name: str
    mentions: int
    focus: bool

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "mentions": self.mentions, "focus": self.focus}


@dataclass(frozen=True)
class ModelRef:
    version: str
    sha256: str


@dataclass(frozen=True)
class Enrichment:
    """What the classifier says about one article. Scores are in [0, 1]; lists are best first."""

    topics: list[str]
    topic_scores: dict[str, float]
    regions: list[str]
    region_scores: dict[str, float]
    countries: list[CountryMention]
    evidence: dict[str, list[str]]
    status: str
    language: str | None
    model: ModelRef

    def as_dict(self) -> dict[str, Any]:
        return {
            "topics": list(self.topics),
            "topic_scores": dict(self.topic_scores),
            "regions": list(self.regions),
            "region_scores": dict(self.region_scores),
            "countries": [c.as_dict() for c in self.countries],
            "evidence": {label: list(grams) for label, grams in self.evidence.items()},
            "status": self.status,
            "language": self.language,
            "model": {"version": self.model.version, "sha256": self.model.sha256},
        }


def enriched_record(
    article: Article, enrichment: Enrichment, processed_at: str, origin: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The output record: the article's own fields (unknown ones too), its id, then the enrichment."""
    record = dict(article.fields)
    record["id"] = article.id
    record.update(enrichment.as_dict())
    record["processed_at"] = processed_at
    if origin is not None:
        record["origin"] = origin
    return record
