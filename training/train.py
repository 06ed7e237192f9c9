"""`newsfeed train`: build the corpus, fit the recipe, evaluate on the gold set, write a versioned artifact."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import sklearn

from newsfeed.models.artifact import Model, save_model
from newsfeed.models.errors import TrainingDataError
from newsfeed.models.gazetteer import Gazetteer
from newsfeed.models.taxonomy import REGIONS, TOPICS
from newsfeed.training.card import render_model_card
from newsfeed.training.corpora import build_corpus
from newsfeed.training.evaluate import evaluate_gold, evaluate_seed
from newsfeed.training.fit import FitConfig, fit_text_model, is_read
from newsfeed.training.focus import fit_focus_model
from newsfeed.training.gold import gold_ids
from newsfeed.training.rates import METADATA_KEY, expected_rates


def train(data_dir: str | Path, out_dir: str | Path, config: FitConfig, progress: Callable[[str], None]) -> Path:
    """Train from `data_dir` into `out_dir/<version>/` and return that directory."""
    started = time.perf_counter()
    progress(f"building the corpus from {data_dir} (gold-set items held out)")
    reading: dict = {}
    examples = build_corpus(data_dir, exclude_ids=gold_ids(), seed=config.seed, summary=reading)
    if not examples:
        raise TrainingDataError(f"{data_dir}: no training examples found (is it the shared data directory?)")
    summary = corpus_summary(examples) | reading
    progress(f"{summary['examples']} examples: " + ", ".join(f"{k} {v}" for k, v in summary["per_source"].items()))
    text_model, validation = fit_text_model(examples, config, progress)
    read = [e for e in examples if is_read(e)]
    if read:
        progress(f"fitting the focus model on the countries of {len(read)} read examples")
        text_model.focus, validation["focus"] = fit_focus_model(read, Gazetteer.load(), config.seed)

    version = datetime.now(timezone.utc).strftime("%Y%m%d.%H%M%S")
    progress(f"evaluating {version} on the development gold set")
    in_memory = Model(version, "unsaved", Path(out_dir), text_model, {}, 0.0)
    gold, rows = evaluate_gold(in_memory, data_dir)
    metadata = {
        "version": version,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "fit_config": config.as_dict(),
        "sklearn_version": sklearn.__version__,
        "data": summary,
        "validation": validation,
        "metrics": {"gold": {k: gold[k] for k in ("items", "topics", "regions", "focus_countries", "full_length",
                                                  "by_length_band", "per_source")},
                    "seed": evaluate_seed(rows)},
        "train_seconds": round(time.perf_counter() - started, 1),
        METADATA_KEY: expected_rates([row.enrichment for row in rows], "the development gold set"),
    }
    directory = save_model(text_model, Path(out_dir) / version, metadata, render_model_card(metadata))
    progress(f"wrote {directory} in {metadata['train_seconds']} s; gold topic macro F1 "
             f"{gold['topics']['macro']['f1']:.3f}, region micro F1 {gold['regions']['micro']['f1']:.3f}")
    return directory


def corpus_summary(examples) -> dict:
    per_source = Counter(e.source for e in examples)
    weight = Counter()
    for e in examples:
        weight[e.source] += e.weight
    labels = Counter(label for e in examples for label in e.topics)
    read = sum(1 for e in examples if is_read(e))
    spliced = sum(1 for e in examples if "spliced" in e.meta)
    regions = Counter(slug for e in examples for slug in e.regions)
    return {
        "examples": len(examples),
        "per_source": dict(sorted(per_source.items())),
        "weight_per_source": {k: round(v, 1) for k, v in sorted(weight.items())},
        "labels": {label: labels.get(label, 0) for label in TOPICS},
        "regions": {slug: regions.get(slug, 0) for slug in REGIONS},
        "none_of_the_topics": sum(1 for e in examples if not e.topics),
        "read_examples": read,
        "spliced_negatives": spliced,
    }
