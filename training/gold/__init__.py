"""The hand-labelled development gold set: labels in the repository, texts read from the data dir.

`training/gold/dev-gold.jsonl` holds one labelled item per line with an id that points into the data
directory (see `training/gold/README.md`); the texts themselves are never committed. Every id in it is
held out of training.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from newsfeed.training.corpora import nasa, whitehouse, wikipedia
from newsfeed.training.corpora.read import text_fingerprint

GOLD_FILE = Path(__file__).with_name("dev-gold.jsonl")
# AG News items read against the same definitions, in the same format: news wire copy, a source and a
# style the model is never trained on (its licence), for `newsfeed evaluate` only, never the gate.
NEWS_CHECK_FILE = Path(__file__).with_name("agnews-read.jsonl")
SEED_ID = "../examples/seed-article.txt"


@dataclass(frozen=True)
class GoldItem:
    id: str
    source: str
    topics: frozenset[str]
    regions: frozenset[str]
    countries: frozenset[str]
    full_length: bool
    text_sha256: str


@dataclass(frozen=True)
class GoldText:
    """A gold item with the text it was labelled on, as the classifier will see it."""

    item: GoldItem
    title: str
    text: str


def load_gold(path: Path = GOLD_FILE) -> list[GoldItem]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            items.append(GoldItem(
                id=row["id"], source=row["source"], topics=frozenset(row["topics"]), regions=frozenset(row["regions"]),
                countries=frozenset(row["countries"]), full_length=bool(row["full_length"]), text_sha256=row["text_sha256"],
            ))
    return items


def gold_ids(path: Path = GOLD_FILE) -> frozenset[str]:
    return frozenset(item.id for item in load_gold(path))


def resolve_texts(data_dir: str | Path, items: list[GoldItem]) -> tuple[list[GoldText], list[str]]:
    """Read each item's text from the data dir. Returns the resolved items and the ids left out: their
    source is absent, or its text no longer matches the fingerprint it was labelled on."""
    data_dir = Path(data_dir)
    wiki_days = {item.id.split("#")[0] for item in items if item.source == "wikipedia"}
    wiki_events = {e.id: e for day in wiki_days if (data_dir / day).is_file()
                   for e in wikipedia.parse_day((data_dir / day).read_text(encoding="utf-8"), Path(day).name)}
    agnews_rows = _agnews_rows(data_dir) if any(item.source == "agnews" for item in items) else {}
    resolved, missing = [], []
    for item in items:
        found = _resolve(data_dir, item, wiki_events, agnews_rows)
        if found is None or text_fingerprint(found[2]) != item.text_sha256:
            missing.append(item.id)
        else:
            resolved.append(GoldText(item, found[0], found[1]))
    return resolved, missing


def _resolve(data_dir: Path, item: GoldItem, wiki_events: dict, agnews_rows: dict) -> tuple[str, str, str] | None:
    """(title, text, the string the fingerprint was taken of) for one item, or None when absent."""
    if item.source == "wikipedia":
        event = wiki_events.get(item.id)
        return ("", event.text, event.text) if event else None
    if item.source == "agnews":
        row = agnews_rows.get(int(item.id.rsplit("#", 1)[1]))
        return (row[0], row[1].replace("\\", " "), f"{row[0]} {row[1]}") if row else None
    path = data_dir / item.id
    if not path.is_file():
        return None
    raw = path.read_text(encoding="utf-8")
    if item.source == "nasa":
        article = nasa.parse_article(raw, item.id)
        return article.title, article.text, raw
    if item.source == "whitehouse":
        document = whitehouse.parse_document(raw, item.id)
        return document.title, document.text, raw
    return "", raw, raw  # the seed article: a raw scraped page, exactly as a feed delivers it


def _agnews_rows(data_dir: Path) -> dict[int, tuple[str, str]]:
    path = data_dir / "agnews-test" / "test.csv"
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8", newline="") as handle:
        return {n: (row["title"], row["description"]) for n, row in enumerate(csv.DictReader(handle), start=1)}
