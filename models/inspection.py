"""What an artifact holds (`newsfeed model inspect`) and what differs between two (`newsfeed model diff`).

Both read artifacts through the same checks as serving; `inspect` reports a failed check instead of
stopping at it, so a broken artifact can be looked at. `diff` compares thresholds, vocabularies and the
gazetteer's rows, and, given a data directory, the enrichments the two models give a sample of real
articles (the user-visible difference).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Iterator, Sequence

from newsfeed.models.artifact import (
    GAZETTEER_DIR, MANIFEST_FILE, METADATA_FILE, Model, load_model, verified_files,
)
from newsfeed.models.errors import ArtifactError
from newsfeed.models.gazetteer_data import FILES as GAZETTEER_FILES, GazetteerData
from newsfeed.models.schema import Article, article_from_dict

# How many examples of a change a diff shows (the counts are always whole).
EXAMPLES = 10
# The enrichment fields a user reads; the model reference differs between any two artifacts.
_COMPARED = ("status", "topics", "regions", "countries", "topic_scores", "region_scores", "evidence")


def inspect_artifact(directory: str | Path) -> dict[str, Any]:
    """Version, files and sizes, labels, thresholds, gazetteer summary and the result of the checks."""
    directory = Path(directory)
    report: dict[str, Any] = {"path": str(directory)}
    try:
        model = load_model(directory)
    except ArtifactError as exc:
        report["checks"] = f"failed: {exc}"
        report |= _readable_facts(directory)
        return report
    manifest = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
    text_model = model.text_model
    sizes = {name: entry["bytes"] for name, entry in manifest["files"].items()}
    data = _gazetteer_data(directory)
    return report | {
        "checks": "ok: every file matches the manifest and this code serves the artifact",
        "format_version": manifest["format_version"],
        "version": model.version,
        "sha256": model.sha256,
        "text_prep_version": manifest["text_prep_version"],
        "gazetteer_rules_version": manifest["gazetteer_rules_version"],
        "fitted_with": manifest["fitted_with"],
        "bytes": sum(sizes.values()) + (directory / MANIFEST_FILE).stat().st_size,
        "files": sizes,
        "labels": {"topics": list(text_model.topics), "regions": list(text_model.regions)},
        "thresholds": text_model.thresholds(),
        "features": len(text_model.feature_names),
        "aggregate": text_model.aggregate is not None,
        "focus": "learned" if text_model.focus is not None else "rule",
        "masks_names": text_model.masks_names,
        "gazetteer": {"rows": data.row_counts(), "surfaces": len(model.gazetteer.surfaces),
                      "countries": len(model.gazetteer.names),
                      "source": data.files["countries.tsv"].decode("utf-8").split("\n", 1)[0].lstrip("# ")},
    }


def _readable_facts(directory: Path) -> dict[str, Any]:
    """What can be said of an artifact that failed its checks: its metadata's claims, marked unverified."""
    try:
        metadata = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {"unverified": {key: metadata.get(key) for key in ("version", "format_version", "topics", "regions")
                           if key in metadata}}


def diff_artifacts(a_dir: str | Path, b_dir: str | Path, articles: Sequence[Article] = ()) -> dict[str, Any]:
    """What changes from artifact A to B: thresholds, vocabulary, gazetteer rows, and the enrichments of
    `articles` that differ. Both must pass their checks."""
    a, b = load_model(a_dir), load_model(b_dir)
    report: dict[str, Any] = {"a": {"path": str(a_dir), "version": a.version, "sha256": a.sha256},
                              "b": {"path": str(b_dir), "version": b.version, "sha256": b.sha256},
                              "thresholds": _threshold_changes(a, b),
                              "vocabulary": _set_changes(a.text_model.feature_names, b.text_model.feature_names),
                              "gazetteer": _gazetteer_changes(Path(a_dir), Path(b_dir))}
    if articles:
        report["enrichments"] = enrichment_changes(a, b, articles)
    return report


def _threshold_changes(a: Model, b: Model) -> dict[str, Any]:
    """Per label set and label, [A, B] where the threshold differs."""
    changes: dict[str, Any] = {}
    a_thresholds, b_thresholds = a.text_model.thresholds(), b.text_model.thresholds()
    for kind in ("topics", "regions"):
        for label, value in b_thresholds[kind].items():
            if a_thresholds[kind].get(label) != value:
                changes.setdefault(kind, {})[label] = [a_thresholds[kind].get(label), value]
    return changes


def _set_changes(a: Sequence[str], b: Sequence[str]) -> dict[str, Any]:
    a_set, b_set = set(map(str, a)), set(map(str, b))
    removed, added = a_set - b_set, b_set - a_set
    return {"a": len(a_set), "b": len(b_set), "removed": len(removed), "added": len(added),
            "removed_examples": sorted(removed)[:EXAMPLES], "added_examples": sorted(added)[:EXAMPLES]}


def _gazetteer_changes(a_dir: Path, b_dir: Path) -> dict[str, Any]:
    """Per gazetteer file, the rows (tab-joined) only A has and only B has; files without change are left out."""
    a_data, b_data = _gazetteer_data(a_dir), _gazetteer_data(b_dir)
    changes = {}
    for name in GAZETTEER_FILES:
        rows = _set_changes(["\t".join(r) for r in a_data.rows(name)], ["\t".join(r) for r in b_data.rows(name)])
        if rows["removed"] or rows["added"]:
            changes[name] = rows
    return changes


def _gazetteer_data(directory: Path) -> GazetteerData:
    _, files = verified_files(directory)
    return GazetteerData({name: files[f"{GAZETTEER_DIR}/{name}"] for name in GAZETTEER_FILES})


def enrichment_changes(a: Model, b: Model, articles: Sequence[Article], batch_size: int = 500) -> dict[str, Any]:
    """How many of `articles` get a different enrichment from B than from A, by field, with examples."""
    from newsfeed.models.classifier import classify_batch

    changed, by_field, examples = 0, dict.fromkeys(_COMPARED, 0), []
    for start in range(0, len(articles), batch_size):
        batch = articles[start:start + batch_size]
        for article, x, y in zip(batch, classify_batch(batch, a), classify_batch(batch, b)):
            x_fields, y_fields = x.as_dict(), y.as_dict()
            fields = [f for f in _COMPARED if x_fields.get(f) != y_fields.get(f)]
            if not fields:
                continue
            changed += 1
            for field in fields:
                by_field[field] += 1
            if len(examples) < EXAMPLES:
                shown = [f for f in fields if f in ("status", "topics", "regions", "countries")] or fields[:1]
                examples.append({"id": article.id, "title": article.title[:80],
                                 **{f: [x_fields.get(f), y_fields.get(f)] for f in shown}})
    return {"articles": len(articles), "changed": changed, "by_field": by_field, "examples": examples}


def sample_articles(data_dir: str | Path, count: int) -> list[Article]:
    """Up to `count` real articles of a data directory (../shared/data), the same ones every run: NASA
    articles and AG News items, taken in turn."""
    data_dir = Path(data_dir)
    if not (data_dir / "nasa-news-2024").is_dir() and not (data_dir / "agnews-test").is_dir():
        raise ArtifactError(f"{data_dir}: no nasa-news-2024/ or agnews-test/ to sample articles from")
    sources = [_nasa(data_dir), _agnews(data_dir)]
    articles: list[Article] = []
    while len(articles) < count and sources:
        for source in list(sources):
            article = next(source, None)
            if article is None:
                sources.remove(source)
            elif len(articles) < count:
                articles.append(article)
    return articles


def _nasa(data_dir: Path) -> Iterator[Article]:
    for path in sorted((data_dir / "nasa-news-2024" / "articles").glob("*.md")):
        title, _, text = path.read_text(encoding="utf-8").partition("\n")
        yield article_from_dict({"id": f"nasa/{path.stem}", "title": title.strip(), "text": text.strip()})


def _agnews(data_dir: Path) -> Iterator[Article]:
    path = data_dir / "agnews-test" / "test.csv"
    if not path.is_file():
        return
    with open(path, encoding="utf-8", newline="") as handle:
        for n, row in enumerate(csv.reader(handle)):
            if len(row) >= 3:
                yield article_from_dict({"id": f"agnews-{n}", "title": row[1], "text": row[2]})

