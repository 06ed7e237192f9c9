"""`newsfeed evaluate`: how good a model is, on every yardstick this project has.

(a) a time split and (b) each source held out in turn retrain the same recipe (training.fit) without
part of the corpus and test on what it did not see (for (b), the held-out source's gold items); (c)
the hand-labelled gold set and (e) the seed article test the given model itself; (d) AG News measures false positives on Sports and Business and the
share of target topics found inside World and Sci/Tech. All predictions go through `classify_batch`,
the worker's own code path.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NamedTuple, Sequence

from newsfeed.models.artifact import Model
from newsfeed.models.classifier import classify_batch
from newsfeed.models.schema import Article, Enrichment, article_from_dict
from newsfeed.models.pipeline import LENGTH_BANDS, length_band
from newsfeed.models.taxonomy import REGIONS, TOPICS
from newsfeed.models.text import prepare_article
from newsfeed.training import scoring
from newsfeed.training.corpora import build_agnews, build_corpus
from newsfeed.training.corpora.read import SPLICED_FROM, document_id
from newsfeed.training.fit import PASSAGE_MARK, FitConfig, fit_text_model
from newsfeed.training.gold import NEWS_CHECK_FILE, SEED_ID, GoldText, load_gold, resolve_texts

log = logging.getLogger(__name__)

BATCH = 256
TIME_SPLIT_TRAIN_END = "2026-03-31"
TIME_SPLIT_TEST = ("2026-04-01", "2026-06-30")
AGNEWS_CLASSES = {1: "World", 2: "Sports", 3: "Business", 4: "Sci/Tech"}
SEED_EXPECTED = {"topics": ["diplomacy", "space", "defence"], "regions": ["europe", "east-asia"], "countries": ["KP", "RU"]}


@dataclass(frozen=True)
class Scored:
    """Truth and prediction for one item, kept together so every breakdown slices the same rows."""

    id: str
    source: str
    truth_topics: frozenset[str]
    truth_regions: frozenset[str]
    truth_countries: frozenset[str]
    enrichment: Enrichment

    @property
    def focus_countries(self) -> frozenset[str]:
        return frozenset(c.code for c in self.enrichment.countries if c.focus)


def predict(model: Model, texts: Sequence[tuple[str, str]]) -> list[Enrichment]:
    """Classify (title, text) pairs in worker-sized batches."""
    articles: list[Article] = [article_from_dict({"id": str(i), "title": t, "text": x}) for i, (t, x) in enumerate(texts)]
    out: list[Enrichment] = []
    for start in range(0, len(articles), BATCH):
        out.extend(classify_batch(articles[start:start + BATCH], model))
    return out


def label_report(rows: Sequence[Scored], with_regions: bool = True) -> dict:
    """Per-label, micro and macro figures for topics (and regions, focus countries), plus calibration."""
    topic_scores = scoring.label_scores([r.truth_topics for r in rows], [r.enrichment.topics for r in rows], TOPICS)
    report = {
        "items": len(rows),
        "topics": {
            "per_label": {s.label: s.as_dict() for s in topic_scores},
            "micro": scoring.micro(topic_scores),
            "macro": scoring.macro(topic_scores),
            "calibration": _calibration(rows),
        },
    }
    if with_regions:
        region_scores = scoring.label_scores([r.truth_regions for r in rows], [r.enrichment.regions for r in rows], REGIONS)
        report["regions"] = {
            "per_label": {s.label: s.as_dict() for s in region_scores},
            "micro": scoring.micro(region_scores),
            "macro": scoring.macro(region_scores),
        }
        report["focus_countries"] = scoring.set_scores([r.truth_countries for r in rows], [r.focus_countries for r in rows])
    return report


def _calibration(rows: Sequence[Scored]) -> dict:
    per_label = {}
    for label in TOPICS:
        bins = scoring.reliability([r.enrichment.topic_scores[label] for r in rows], [label in r.truth_topics for r in rows])
        per_label[label] = {"ece": scoring.expected_calibration_error(bins), "bins": bins}
    return per_label


def evaluate_gold(model: Model, data_dir: str | Path) -> tuple[dict, list[Scored]]:
    """The model on the hand-labelled development gold set: overall, per source, for the full-length
    documents, and per length band of the prepared body."""
    resolved, missing = resolve_texts(data_dir, load_gold())
    rows = _score_gold(model, resolved)
    report = label_report(rows)
    report["missing_ids"] = missing
    report["per_source"] = {
        source: label_report([r for r in rows if r.source == source])
        for source in sorted({r.source for r in rows})
    }
    full_length = {g.item.id for g in resolved if g.item.full_length}
    report["full_length"] = label_report([r for r in rows if r.id in full_length])
    bands = {g.item.id: length_band(prepare_article(g.title, g.text, "").char_count) for g in resolved}
    report["by_length_band"] = {
        name: label_report(in_band) if (in_band := [r for r in rows if bands[r.id] == band]) else {"items": 0}
        for band, name in enumerate(LENGTH_BANDS)
    }
    report["statuses"] = _count(r.enrichment.status for r in rows)
    return report, rows


def _score_gold(model: Model, resolved: Sequence[GoldText]) -> list[Scored]:
    enrichments = predict(model, [(g.title, g.text) for g in resolved])
    return [
        Scored(g.item.id, g.item.source, g.item.topics, g.item.regions, g.item.countries, e)
        for g, e in zip(resolved, enrichments)
    ]


def evaluate_news_check(model: Model, data_dir: str | Path) -> dict:
    """The model on the AG News items read against the definitions (training/gold/NEWS_CHECK_FILE):
    wire copy of 2004-05, title and lead, from a source it is never trained on."""
    if not NEWS_CHECK_FILE.is_file():
        return {"present": False}
    resolved, missing = resolve_texts(data_dir, load_gold(NEWS_CHECK_FILE))
    if not resolved:
        return {"present": False}
    return label_report(_score_gold(model, resolved)) | {"present": True, "missing_ids": missing}


def evaluate_seed(gold_rows: Sequence[Scored]) -> dict:
    """The shipped example article: exactly the expected topics, regions and focus countries?"""
    row = next((r for r in gold_rows if r.id == SEED_ID), None)
    if row is None:
        return {"present": False}
    got = {
        "topics": sorted(row.enrichment.topics, key=TOPICS.index),
        "regions": sorted(row.enrichment.regions, key=REGIONS.index),
        "countries": sorted(row.focus_countries),
    }
    return {"present": True, "expected": SEED_EXPECTED, "got": got, "topic_scores": row.enrichment.topic_scores,
            "passed": got == SEED_EXPECTED}


def evaluate_agnews(model: Model, data_dir: str | Path) -> dict:
    """False-positive rate of each topic on Sports and Business; share tagged inside World and Sci/Tech."""
    examples = build_agnews(data_dir)
    if not examples:
        return {"present": False}
    enrichments = predict(model, [(e.title, e.text) for e in examples])
    by_class: dict[str, list[Enrichment]] = {}
    for example, enrichment in zip(examples, enrichments):
        by_class.setdefault(AGNEWS_CLASSES[int(example.meta["class"])], []).append(enrichment)
    return {
        "present": True,
        "items": len(examples),
        "tagged_share": {
            name: {label: sum(label in e.topics for e in group) / len(group) for label in TOPICS} | {"items": len(group)}
            for name, group in sorted(by_class.items())
        },
    }


def without_source(examples: list, source: str) -> list:
    """The training examples that hold no text of `source`: none of its own, and no splice of one of
    its sentences into another source's document (training.corpora.read.spliced_negatives)."""
    return [e for e in examples if e.source != source and e.meta.get(SPLICED_FROM) != source]


def evaluate_splits(data_dir: str | Path, config: FitConfig, progress: Callable[[str], None]) -> dict:
    """Retrain the recipe without part of the data and test on what it did not see.

    - time: trained up to 2026-03, tested on the whole texts of 2026-04 to 06 (their corpus labels:
      read where read, automatic elsewhere);
    - without_<source>: every example of one source left out (read, automatic, passages, splices into
      it and splices of its sentences into other sources' documents), then
      tested on that source's gold items: the best estimate here of a source never seen.
    """
    examples = build_corpus(data_dir, exclude_ids=frozenset(item.id for item in load_gold()), seed=config.seed)
    # Test on whole texts, as the worker sees them: documents and events, never passages or splices.
    documents = [e for e in examples if PASSAGE_MARK not in document_id(e.id)]
    gold, _ = resolve_texts(data_dir, load_gold())
    results = {}
    splits = {"time": (_time_split(examples)[0], [_Tested(e.id, e.source, e.title, e.text, e.topics, e.regions,
                                                          e.countries) for e in _time_split(documents)[1]])}
    for source in sorted({e.source for e in examples}):
        test = [_Tested(g.item.id, source, g.title, g.text, g.item.topics, g.item.regions, g.item.countries)
                for g in gold if g.item.source == source]
        splits[f"without_{source}"] = (without_source(examples, source), test)
    for name, (train, test) in splits.items():
        if not train or not test:
            results[name] = {"skipped": "no examples on one side of the split"}
            continue
        progress(f"split {name}: training on {len(train)}, testing on {len(test)}")
        text_model, _ = fit_text_model(train, config, progress=lambda _msg: None)
        model = Model("split", "unsaved", Path("."), text_model, {}, 0.0)
        enrichments = predict(model, [(t.title, t.text) for t in test])
        rows = [Scored(t.id, t.source, t.topics, t.regions, t.countries, en) for t, en in zip(test, enrichments)]
        results[name] = label_report(rows) | {"train_items": len(train)}
    return results


class _Tested(NamedTuple):
    """An item a split tests on, with its truth: a corpus example or a gold item."""

    id: str
    source: str
    title: str
    text: str
    topics: frozenset[str]
    regions: frozenset[str]
    countries: frozenset[str]


def _time_split(examples):
    train = [e for e in examples if e.date and e.date <= TIME_SPLIT_TRAIN_END]
    test = [e for e in examples if e.date and TIME_SPLIT_TEST[0] <= e.date <= TIME_SPLIT_TEST[1]]
    return train, test


def _count(values) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def evaluate_all(model: Model, data_dir: str | Path, config: FitConfig | None,
                 progress: Callable[[str], None]) -> tuple[dict, list[Scored]]:
    """Every yardstick for `newsfeed evaluate`; the retrain-and-test splits only when `config` is given."""
    progress(f"gold set, seed article and AG News with model {model.version}")
    gold, rows = evaluate_gold(model, data_dir)
    report = {
        "model": {"version": model.version, "sha256": model.sha256},
        "gold": gold,
        "auto_label_disagreement": auto_label_disagreement(data_dir),
        "seed": evaluate_seed(rows),
        "agnews": evaluate_agnews(model, data_dir),
        "news_check": evaluate_news_check(model, data_dir),
        "footprint": measure_footprint(model),
    }
    if config is not None:
        report["splits"] = evaluate_splits(data_dir, config, progress)
    return report, rows


def auto_label_disagreement(data_dir: str | Path) -> dict:
    """How often the corpus builders' automatic topic labels differ from the hand labels, per label."""
    gold = {item.id: item for item in load_gold()}
    automatic = [e for e in build_corpus(data_dir, seed=0) if e.id in gold]
    per_label = {}
    for label in TOPICS:
        auto_only = sum(1 for e in automatic if label in e.topics and label not in gold[e.id].topics)
        hand_only = sum(1 for e in automatic if label not in e.topics and label in gold[e.id].topics)
        per_label[label] = {"auto_only": auto_only, "hand_only": hand_only,
                            "rate": (auto_only + hand_only) / len(automatic) if automatic else 0.0}
    return {"items": len(automatic), "per_label": per_label}


_FOOTPRINT_PROBE = """
import json, sys, time
from newsfeed.models.classifier import classify
from newsfeed.models.schema import Article

def rss_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024

before = rss_mb()
started = time.perf_counter()
from newsfeed.models.artifact import load_model
model = load_model(sys.argv[1])
loaded = time.perf_counter() - started
classify(Article.from_text("The foreign ministers met for talks on the treaty in Geneva on Monday."), model)
first = time.perf_counter() - started
print(json.dumps({"load_seconds": loaded, "load_and_first_classification_seconds": first,
                  "model_memory_mb": rss_mb() - before, "process_rss_mb": rss_mb()}))
"""


def measure_footprint(model: Model) -> dict:
    """Artifact size, and in a fresh process: load time (with the first classification) and memory."""
    import json
    import subprocess
    import sys

    from newsfeed.models.artifact import artifact_bytes

    probe = subprocess.run([sys.executable, "-c", _FOOTPRINT_PROBE, str(model.path)], capture_output=True,
                           text=True, check=True, cwd=Path(__file__).resolve().parents[1])
    return {"artifact_mb": artifact_bytes(model.path) / 1e6, **json.loads(probe.stdout)}
