"""Recalibrate a model for a user's own sources, from articles of them that a person labelled.

Why this exists: on a kind of writing it never saw, the model's topic scores move, while their order
mostly holds. Measured on validation data: a model trained without Wikipedia ranks Wikipedia's
defence events well (AUC 0.875), but scores them a median 0.07, far under any threshold, so it finds
a quarter of them; a threshold chosen on that source would find most. A few hundred labelled articles
of the new source are enough to re-fit the scale.

What changes, per topic, and nothing else:
- the whole-article probability gets a logistic re-fit on the labelled articles (two numbers, a
  slope and a shift of its log-odds, folded into the aggregate's coefficients, so the artifact stays
  one model with no code in it) so that its scores mean on these sources what they say;
- the thresholds are chosen again on the re-fitted scores, per length band as training chooses them
  (training.fit.band_thresholds).
A topic with fewer than MIN_EACH_CLASS labelled positives or negatives keeps its scale and thresholds.
The heads, vocabulary, gazetteer, regions and countries are the source model's, byte for byte.

The figures it reports are cross-fitted: each labelled article is judged by a calibration fitted on
the other folds, never on itself, beside the source model's judgement of the same article.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from newsfeed.models.artifact import MODEL_CARD_FILE, Model, load_model, save_model
from newsfeed.models.errors import NewsfeedError
from newsfeed.models.gazetteer_data import GazetteerData
from newsfeed.models.pipeline import LENGTH_BANDS, ArticleAggregate, length_band
from newsfeed.models.taxonomy import TOPICS
from newsfeed.models.text import prepare_article
from newsfeed.training import scoring
from newsfeed.training.fit import FitConfig, band_thresholds, binary_f1
from newsfeed.training.rates import METADATA_KEY, card_section, card_without_rates

# A topic is re-fitted only when the labels hold at least this many articles with it and without it:
# below that, a slope, a shift and a threshold would follow a handful of articles.
MIN_EACH_CLASS = 10
FOLDS = 5
LABELS_FIELD = "topics"
CARD_SECTION = "## Calibrated for other sources"
# Scores in records are rounded to 4 decimals; the re-fit reads them on the aggregate's own clip.
_CLIP = 1e-4


class CalibrationError(NewsfeedError):
    """The labelled articles cannot calibrate this model (malformed labels, too few, wrong model)."""


@dataclass(frozen=True)
class LabelledScore:
    """One labelled article as the source model judged it."""

    truth: frozenset[str]
    scores: dict[str, float]
    assigned: frozenset[str]
    body_chars: int


@dataclass(frozen=True)
class TopicCalibration:
    """A topic's re-fit: probability' = sigmoid(slope * logit(probability) + shift), then `thresholds`
    per length band. The identity (1, 0, the source's thresholds) for a topic that is kept."""

    slope: float
    shift: float
    thresholds: np.ndarray

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.slope * _logit(scores) + self.shift)))

    def assigned(self, scores: np.ndarray, bands: np.ndarray) -> np.ndarray:
        return self.probabilities(scores) >= self.thresholds[bands]


def read_labels(lines: Iterable[bytes], source: str) -> dict[int, frozenset[str]]:
    """Per line number (1-based, blank lines skipped) the topics a person gave the article on that line,
    from its `topics` field (a list, possibly empty). A line without one is refused, naming the line."""
    labels: dict[int, frozenset[str]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CalibrationError(f"{source}:{number}: not a JSON object: {exc}") from exc
        topics = record.get(LABELS_FIELD) if isinstance(record, dict) else None
        if not isinstance(topics, list) or not all(isinstance(topic, str) for topic in topics):
            raise CalibrationError(f"{source}:{number}: needs a '{LABELS_FIELD}' list of the topics a person gave "
                                   f"it (empty for none), e.g. \"{LABELS_FIELD}\": [\"defence\"]")
        unknown = sorted(set(topics) - set(TOPICS))
        if unknown:
            raise CalibrationError(f"{source}:{number}: unknown topic {unknown[0]!r}; the topics are {', '.join(TOPICS)}")
        labels[number] = frozenset(topics)
    return labels


def labelled_scores(labels: dict[int, frozenset[str]], judged: Iterable[tuple[int, Any, Any]]) -> list[LabelledScore]:
    """Join the labels with the source model's judgements (line number, Article, Enrichment); articles it
    could not judge (status other than ok) carry no score to calibrate and are left out."""
    rows = []
    for number, article, enrichment in judged:
        if enrichment.status != "ok" or number not in labels:
            continue
        # The length band is the whole prepared body's, as the classifier measures it (the record's
        # prepared_text holds only what the model read of it).
        body_chars = len(prepare_article(article.title, article.text, article.html).body)
        rows.append(LabelledScore(labels[number], dict(enrichment.topic_scores), frozenset(enrichment.topics),
                                  body_chars))
    return rows


def fit_calibration(scores: np.ndarray, truth: np.ndarray, bands: np.ndarray, kept: np.ndarray,
                    config: FitConfig = FitConfig()) -> TopicCalibration | None:
    """One topic's re-fit on labelled scores; None when the labels cannot carry one (too few of either
    class, or scores that fall as the label rises: a source where the topic means something else)."""
    positives = int(truth.sum())
    if min(positives, len(truth) - positives) < MIN_EACH_CLASS:
        return None
    fit = LogisticRegression(C=1e4, max_iter=1000).fit(_logit(scores)[:, None], truth)
    slope, shift = float(fit.coef_[0, 0]), float(fit.intercept_[0])
    if slope <= 0:
        return None
    calibration = TopicCalibration(slope, shift, kept)
    return TopicCalibration(slope, shift, band_thresholds(calibration.probabilities(scores), truth, bands, config))


def calibrate(model: Model, rows: Sequence[LabelledScore]) -> tuple[list[TopicCalibration | None], dict[str, Any]]:
    """Per topic of `model`, its re-fit on all `rows` (None: kept), and the cross-fitted figures."""
    aggregate = model.text_model.aggregate
    if aggregate is None:
        raise CalibrationError(f"model {model.version} has no whole-article aggregate (trained before issue 10): "
                               "its scores are not probabilities to re-fit; calibrate a newer model")
    labels = list(model.text_model.topics)
    bands = np.array([length_band(row.body_chars) for row in rows], dtype=int)
    folds = list(KFold(min(FOLDS, len(rows)), shuffle=True, random_state=0).split(rows)) if len(rows) >= 2 else []
    fits: list[TopicCalibration | None] = []
    summary: dict[str, Any] = {"articles": len(rows), "topics": {}}
    for k, label in enumerate(labels):
        scores = np.array([row.scores[label] for row in rows])
        truth = np.array([label in row.truth for row in rows], dtype=int)
        before = np.array([label in row.assigned for row in rows])
        final = fit_calibration(scores, truth, bands, aggregate.thresholds[k])
        fits.append(final)
        figures: dict[str, Any] = {"positives": int(truth.sum()), "calibrated": final is not None,
                                   "f1_before": _f1(before, truth), "ece_before": _ece(scores, truth)}
        if final is None:
            figures["why_kept"] = (f"fewer than {MIN_EACH_CLASS} labelled articles with it or without it"
                                   if min(truth.sum(), len(truth) - truth.sum()) < MIN_EACH_CLASS
                                   else "its scores fall as the label rises on these articles")
        else:
            after, probabilities = _cross_fitted(scores, truth, bands, aggregate.thresholds[k], folds)
            figures |= {"f1_after": _f1(after, truth), "ece_after": _ece(probabilities, truth),
                        "slope": round(final.slope, 4), "shift": round(final.shift, 4),
                        "thresholds": {band: round(float(t), 3) for band, t in zip(LENGTH_BANDS, final.thresholds)}}
        summary["topics"][label] = figures
    return fits, summary


def calibrated_aggregate(aggregate: ArticleAggregate, fits: Sequence[TopicCalibration | None]) -> ArticleAggregate:
    """The aggregate with each fit folded in: sigmoid(s * (x.w + b) + t) = sigmoid(x.(s w) + (s b + t))."""
    coef, intercept, thresholds = aggregate.coef.copy(), aggregate.intercept.copy(), aggregate.thresholds.copy()
    for k, fit in enumerate(fits):
        if fit is not None:
            coef[k] = fit.slope * aggregate.coef[k]
            intercept[k] = fit.slope * aggregate.intercept[k] + fit.shift
            thresholds[k] = fit.thresholds
    return ArticleAggregate(coef, intercept, thresholds)


def write_calibrated(source: Path, out_dir: Path, model: Model, rows: Sequence[LabelledScore],
                     described_as: str) -> tuple[Model, dict[str, Any]]:
    """Calibrate `model` (loaded from `source`) on `rows`, write it as a new version under `out_dir`, and
    return it loaded, with the figures of `calibrate`."""
    fits, summary = calibrate(model, rows)
    if all(fit is None for fit in fits):
        raise CalibrationError("no topic could be re-fitted: " + "; ".join(
            f"{label}: {figures['why_kept']}" for label, figures in summary["topics"].items()))
    text_model = copy.copy(model.text_model)
    text_model.aggregate = calibrated_aggregate(model.text_model.aggregate, fits)
    now = datetime.now(timezone.utc)
    version = now.strftime("%Y%m%d.%H%M%S")
    rates = _expected_rates(model, fits, rows, described_as)
    metadata = {**model.metadata, "version": version, "created_at": now.isoformat(),
                "calibration": {"from": {"version": model.version, "sha256": model.sha256},
                                "labels": described_as, **summary},
                METADATA_KEY: rates}
    heading, _, rest = card_without_rates((source / MODEL_CARD_FILE).read_text(encoding="utf-8")).partition("\n")
    heading = heading.replace(model.version, version)
    card = f"{heading}\n\n{_card_section(model, summary, described_as)}\n{rest.lstrip(chr(10))}\n\n{card_section(metadata)}"
    save_model(text_model, out_dir / version, metadata, card, GazetteerData.from_directory(source / "gazetteer"))
    return load_model(out_dir / version), summary


def _expected_rates(model: Model, fits: Sequence[TopicCalibration | None], rows: Sequence[LabelledScore],
                    described_as: str) -> dict[str, Any]:
    """The drift alarm's expected rates: the calibrated model's share of the labelled articles per topic
    (the source model's rates describe its own validation articles, not these sources)."""
    bands = np.array([length_band(row.body_chars) for row in rows], dtype=int)
    topics = {}
    for k, label in enumerate(model.text_model.topics):
        scores = np.array([row.scores[label] for row in rows])
        assigned = (fits[k].assigned(scores, bands) if fits[k] is not None
                    else np.array([label in row.assigned for row in rows]))
        topics[label] = round(float(assigned.mean()), 4) if len(rows) else 0.0
    return {"topics": topics, "articles": len(rows), "from": f"the labelled articles of {described_as}"}


def _card_section(model: Model, summary: dict[str, Any], described_as: str) -> str:
    rows = []
    for label, figures in summary["topics"].items():
        if figures["calibrated"]:
            rows.append(f"| {label} | {figures['positives']} | {figures['f1_before']:.3f} | {figures['f1_after']:.3f} | "
                        f"{figures['ece_before']:.3f} | {figures['ece_after']:.3f} |")
        else:
            rows.append(f"| {label} | {figures['positives']} | {figures['f1_before']:.3f} | kept: {figures['why_kept']} | "
                        f"{figures['ece_before']:.3f} | |")
    return (f"{CARD_SECTION}\n\nThis is model {model.version} (sha256 `{model.sha256[:16]}...`) with its topic scores "
            f"re-fitted and its thresholds chosen again on {summary['articles']} labelled articles of {described_as} "
            "(`newsfeed model calibrate`). Its heads, vocabulary, gazetteer, regions and countries are that model's. "
            "F1 and expected calibration error on those articles, each judged by a calibration fitted on the other "
            f"{FOLDS - 1} fifths:\n\n| topic | labelled positives | F1 before | F1 after | ECE before | ECE after |\n"
            "|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\nThe figures below are the source model's, on the "
            "project's gold set, before this calibration.\n")


def _cross_fitted(scores: np.ndarray, truth: np.ndarray, bands: np.ndarray, kept: np.ndarray,
                  folds: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Each article's label and probability from a calibration fitted without it (kept where its
    fold's other articles cannot carry one)."""
    assigned, probabilities = np.zeros(len(scores), dtype=bool), scores.copy()
    for fit_rows, test_rows in folds:
        fit = fit_calibration(scores[fit_rows], truth[fit_rows], bands[fit_rows], kept)
        if fit is None:
            assigned[test_rows] = scores[test_rows] >= kept[bands[test_rows]]
        else:
            assigned[test_rows] = fit.assigned(scores[test_rows], bands[test_rows])
            probabilities[test_rows] = fit.probabilities(scores[test_rows])
    return assigned, probabilities


def _logit(scores: np.ndarray) -> np.ndarray:
    clipped = np.clip(np.asarray(scores, dtype=np.float64), _CLIP, 1 - _CLIP)
    return np.log(clipped / (1 - clipped))


def _f1(assigned: np.ndarray, truth: np.ndarray) -> float:
    return round(binary_f1(np.asarray(assigned, bool), np.asarray(truth, bool)), 3)


def _ece(probabilities: np.ndarray, truth: np.ndarray) -> float:
    return round(scoring.expected_calibration_error(scoring.reliability(list(map(float, probabilities)),
                                                                        list(map(bool, truth)))), 3)
