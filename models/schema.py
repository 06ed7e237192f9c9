"""The record contract: what an article is when it comes in, and what an enrichment is when it goes out.

`article_from_dict` is the one validator of incoming articles, shared by the worker, the one-shot
CLI and the evaluation, so that every front door accepts and refuses exactly the same input.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newsfeed.models.errors import NewsfeedError
from newsfeed.models.evidence import LabelEvidence
from newsfeed.models.standard_codes import region_codes, topic_codes

# Why an incoming record was refused. A small fixed set: these strings are Kafka header values and
# Prometheus label values, so adding one is a contract change. `invalid_field` is no longer given
# (schema 2.0: a malformed optional field is a warning, not a refusal); it stays so that dead letters
# refused for it before can still be inspected and redriven (`newsfeed dlq redrive --reason invalid_field`).
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

# The version of the record contract (models/schemas/*.schema.json), written into every enriched
# record. What a compatible (minor) change is: models/schemas/README.md.
SCHEMA_VERSION = "2.0"

# What can be wrong with an optional field without stopping classification. Like the dead-letter
# reasons these are Prometheus label values, so the set is fixed; each (field, kind) pair that can
# occur is listed so its series exists from the start.
WARNING_KINDS: tuple[str, ...] = ("not_a_string", "not_a_timestamp")
WARNINGS: tuple[tuple[str, str], ...] = (
    *((name, "not_a_string") for name in _OPTIONAL_STRING_FIELDS),
    ("published_at", "not_a_timestamp"),
)

# An ISO 8601 date or date-time (RFC 3339 and its common relaxations: a space for the T, no seconds,
# a comma, an offset without colon). The same pattern is in the input schema; the calendar check
# (no month 13) is datetime's. Python's fromisoformat alone would also take week dates and the basic
# format, which other readers of the record would not.
TIMESTAMP_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$"
)
_TIMESTAMP = re.compile(TIMESTAMP_PATTERN, re.ASCII)
# How much of a bad value a warning quotes: enough to recognise it (a numeric id whole), never a page.
_QUOTED_CHARS = 60
# What ignoring a field changes, where it is more than nothing.
_CONSEQUENCE = {"id": ", the record's id is derived from the url or the content"}


class InvalidArticle(NewsfeedError):
    """An incoming record that cannot be an article; `reason` is one of DEAD_LETTER_REASONS."""

    def __init__(self, reason: str, message: str):
        assert reason in DEAD_LETTER_REASONS, reason
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class FieldWarning:
    """An optional field the enrichment ignored, and why; the field itself stays in the record as it came."""

    field: str
    kind: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class Article:
    """A raw article, validated. `fields` is the original object, kept whole so unknown fields pass through;
    `warnings` names the optional fields that were ignored because they were malformed."""

    id: str
    title: str = ""
    text: str = ""
    html: str = ""
    url: str | None = None
    language_hint: str | None = None
    fields: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    warnings: tuple[FieldWarning, ...] = ()

    @classmethod
    def from_text(cls, text: str, title: str = "") -> Article:
        """An article made of plain text only, as `newsfeed classify --text` reads it."""
        return article_from_dict({"title": title, "text": text})


def article_from_dict(obj: Any) -> Article:
    """Validate a decoded JSON value as an article, or raise InvalidArticle with the reason.

    Strict with content, lenient with metadata: only what stops classification is refused (not an
    object, no text in any of title, text, html). A malformed optional field is left out of the
    interpretation and reported as a FieldWarning; the record still carries it verbatim."""
    if not isinstance(obj, dict):
        raise InvalidArticle("not_an_object", f"expected a JSON object, got {_json_type(obj)}")
    usable: dict[str, str] = {}
    warnings: list[FieldWarning] = []
    for name in _OPTIONAL_STRING_FIELDS:
        value = obj.get(name)
        if value is None:
            continue
        if isinstance(value, str):
            usable[name] = value
        else:
            warnings.append(FieldWarning(name, "not_a_string", f"field {name!r} must be a string or null, got "
                                         f"{_json_type(value)} {_quoted(value)}; ignored{_CONSEQUENCE.get(name, '')}"))
    if not any(usable.get(name, "").strip() for name in _TEXT_FIELDS):
        ignored = [w.field for w in warnings if w.field in _TEXT_FIELDS]
        raise InvalidArticle("no_text", "at least one of 'title', 'text', 'html' must be a non-empty string"
                             + (f" ({', '.join(ignored)} not a string)" if ignored else ""))
    published_at = usable.get("published_at")
    if published_at and not _is_timestamp(published_at):
        warnings.append(FieldWarning("published_at", "not_a_timestamp",
                                     f"field 'published_at' is not an ISO 8601 date or date-time: "
                                     f"{_quoted(published_at)}; ignored"))
    return Article(
        id=usable.get("id") or derive_id(usable),
        title=usable.get("title", ""),
        text=usable.get("text", ""),
        html=usable.get("html", ""),
        url=usable.get("url") or None,
        language_hint=usable.get("language") or None,
        fields=obj,
        warnings=tuple(warnings),
    )


def _is_timestamp(value: str) -> bool:
    if not _TIMESTAMP.fullmatch(value):  # fullmatch: `$` alone lets a final newline through
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:  # shaped right, but no such day or hour
        return False
    return True


def _quoted(value: Any) -> str:
    """A bad value as compact JSON, cut to a recognisable length."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= _QUOTED_CHARS else text[:_QUOTED_CHARS] + "…"


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
    """A country of the article; `spans` are its first mentions in the enrichment's `prepared_text`."""

    code: str
    name: str
    mentions: int
    focus: bool
    spans: tuple[tuple[int, int], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "mentions": self.mentions, "focus": self.focus,
                "spans": [list(span) for span in self.spans]}


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
    evidence: dict[str, LabelEvidence]
    status: str
    language: str | None
    model: ModelRef
    # The text the model read, which every span indexes (models/evidence.py says why this text).
    prepared_text: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "topics": list(self.topics),
            "topic_scores": dict(self.topic_scores),
            "regions": list(self.regions),
            "region_scores": dict(self.region_scores),
            "countries": [c.as_dict() for c in self.countries],
            "evidence": {label: evidence.as_dict() for label, evidence in self.evidence.items()},
            "prepared_text": self.prepared_text,
            "status": self.status,
            "language": self.language,
            "model": {"version": self.model.version, "sha256": self.model.sha256},
        }


def enriched_record(
    article: Article, enrichment: Enrichment, processed_at: str, origin: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The output record: the article's own fields (unknown ones too, malformed ones as they came), its id,
    then the enrichment, the warnings about ignored fields, and the contract's version."""
    record = dict(article.fields)
    record["id"] = article.id
    record.update(enrichment.as_dict())
    # Standard codes next to the project's own slugs, for newsroom systems that speak IPTC and M49.
    record["topic_codes"] = topic_codes(enrichment.topics)
    record["region_codes"] = region_codes(enrichment.regions)
    record["processed_at"] = processed_at
    if origin is not None:
        record["origin"] = origin
    record["warnings"] = [warning.as_dict() for warning in article.warnings]
    record["schema_version"] = SCHEMA_VERSION
    return record
