"""Realistic articles for the benchmark: full-length stories from the shared data, 3-5 KB of text each.

NASA news articles (a title line, then the story) and White House documents (YAML front matter with
the title, then Markdown) are read as they are, the way a scraper would hand them over: plain text
with its links and list marks. Nothing of this data is committed; only the figures are.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

MIN_TEXT_BYTES = 3000
MAX_TEXT_BYTES = 5000


@dataclass(frozen=True)
class Corpus:
    """Article objects (as a feed would send them) and the same objects encoded as record values."""

    articles: list[dict]
    values: list[bytes]

    @property
    def mean_bytes(self) -> float:
        return sum(map(len, self.values)) / len(self.values)

    def cycle(self, count: int) -> list[bytes]:
        """`count` record values, repeating the corpus with a fresh id each round so keys differ."""
        out = []
        for n in range(count):
            article = dict(self.articles[n % len(self.articles)])
            article["id"] = f"{article['id']}-{n // len(self.articles)}"
            out.append(json.dumps(article, ensure_ascii=False).encode("utf-8"))
        return out


def load_corpus(data_dir: str | Path, seed: int = 0) -> Corpus:
    """Every NASA and White House article whose text is 3-5 KB, in a seeded shuffle."""
    data_dir = Path(data_dir)
    articles = [a for a in _nasa(data_dir) + _whitehouse(data_dir)
                if MIN_TEXT_BYTES <= len(a["text"].encode("utf-8")) <= MAX_TEXT_BYTES]
    if not articles:
        raise SystemExit(f"bench: no 3-5 KB articles found under {data_dir} (nasa-news-2024/, whitehouse-briefing-room/)")
    random.Random(seed).shuffle(articles)
    values = [json.dumps(a, ensure_ascii=False).encode("utf-8") for a in articles]
    return Corpus(articles, values)


def _article(source: str, path: Path, title: str, text: str, published_at: str | None = None) -> dict:
    article = {"id": hashlib.sha256(str(path).encode()).hexdigest()[:16], "title": title.strip(),
               "text": text.strip(), "source": source}
    if published_at:
        article["published_at"] = published_at
    return article


def _nasa(data_dir: Path) -> list[dict]:
    articles = []
    for path in sorted((data_dir / "nasa-news-2024" / "articles").glob("*.md")):
        title, _, text = path.read_text(encoding="utf-8").partition("\n")
        articles.append(_article("nasa", path, title, text))
    return articles


def _whitehouse(data_dir: Path) -> list[dict]:
    articles = []
    for path in sorted((data_dir / "whitehouse-briefing-room").glob("*/*/*.md")):
        raw = path.read_text(encoding="utf-8")
        if not raw.startswith("---\n"):
            continue
        front, _, text = raw[4:].partition("\n---\n")
        fields = _front_matter(front)
        articles.append(_article("whitehouse", path, fields.get("title", ""), text, fields.get("date") or None))
    return articles


def _front_matter(front: str) -> dict[str, str]:
    """The flat `key: value` pairs of YAML front matter; indented lines continue the value above."""
    fields: dict[str, str] = {}
    key = None
    for line in front.splitlines():
        if line[:1].isspace() and key is not None:
            fields[key] += " " + line.strip()
        elif ": " in line:
            key, value = line.split(": ", 1)
            fields[key] = value.strip()
    return {k: v.strip("'\"").replace("\\ ", " ") for k, v in fields.items()}
