"""Scores of predicted label sets against true ones: per label, micro and macro, and calibration.

Pure functions over plain lists, so the evaluation of topics, regions and focus countries all use
the same arithmetic: scikit-learn's (`sklearn.metrics`). Only the calibration bins and their expected
calibration error are computed here: `sklearn.calibration.calibration_curve` gives no bin counts, and
the error weighs each bin by its count.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

import numpy as np
from sklearn import metrics
from sklearn.metrics import multilabel_confusion_matrix, precision_recall_fscore_support


@dataclass(frozen=True)
class LabelScore:
    label: str
    support: int  # true positives + false negatives: how many items really carry the label
    predicted: int
    true_positives: int
    precision: float
    recall: float
    f1: float

    def as_dict(self) -> dict:
        return asdict(self)


def label_scores(truth: Sequence[Iterable[str]], predicted: Sequence[Iterable[str]], labels: Sequence[str]) -> list[LabelScore]:
    if not truth:
        return [LabelScore(label, 0, 0, 0, 0.0, 0.0, 0.0) for label in labels]
    truth_matrix, predicted_matrix = _indicators(truth, labels), _indicators(predicted, labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        truth_matrix, predicted_matrix, average=None, zero_division=0.0)
    confusion = multilabel_confusion_matrix(truth_matrix, predicted_matrix)  # per label [[tn, fp], [fn, tp]]
    return [LabelScore(label, int(support[i]), int(confusion[i, 1, 1] + confusion[i, 0, 1]), int(confusion[i, 1, 1]),
                       float(precision[i]), float(recall[i]), float(f1[i])) for i, label in enumerate(labels)]


def _indicators(sets: Sequence[Iterable[str]], labels: Sequence[str]) -> np.ndarray:
    """Items by labels, True where the item carries the label (labels outside `labels` are ignored)."""
    item_sets = [set(s) for s in sets]
    return np.array([[label in s for label in labels] for s in item_sets], dtype=bool).reshape(len(item_sets), len(labels))


def micro(scores: Sequence[LabelScore]) -> dict[str, float]:
    """Precision, recall and F1 of every (item, label) decision pooled, rebuilt from the per-label counts."""
    true_positives = sum(s.true_positives for s in scores)
    return _pooled(true_positives, sum(s.predicted for s in scores) - true_positives,
                   sum(s.support for s in scores) - true_positives)


def _pooled(true_positives: int, false_positives: int, false_negatives: int) -> dict[str, float]:
    # True negatives change none of the three scores, so these decisions are all that is needed.
    truth = np.repeat([True, False, True], [true_positives, false_positives, false_negatives])
    guess = np.repeat([True, True, False], [true_positives, false_positives, false_negatives])
    if not truth.size:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    precision, recall, f1, _ = precision_recall_fscore_support(truth, guess, average="binary", zero_division=0.0)
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1)}


def macro(scores: Sequence[LabelScore]) -> dict[str, float]:
    """Averages over the labels that occur in the truth (a label absent from a test set has no recall)."""
    present = [s for s in scores if s.support > 0] or list(scores)
    return {key: float(np.mean([getattr(s, key) for s in present])) if present else 0.0 for key in ("precision", "recall", "f1")}


def set_scores(truth: Sequence[Iterable[str]], predicted: Sequence[Iterable[str]]) -> dict[str, float]:
    """Micro precision/recall/F1 over open-ended label sets (e.g. focus country codes)."""
    labels = sorted(set().union(*truth, *predicted))
    if not labels:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    precision, recall, f1, _ = precision_recall_fscore_support(
        _indicators(truth, labels), _indicators(predicted, labels), average="micro", zero_division=0.0)
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1)}


def reliability(probabilities: Sequence[float], outcomes: Sequence[bool], bins: int = 10) -> list[dict[str, float]]:
    """Calibration: per score bin, the mean score and the share of items that truly carry the label."""
    probabilities, outcomes = np.asarray(probabilities, float), np.asarray(outcomes, bool)
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows = []
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (probabilities >= low) & ((probabilities < high) | (high == 1.0))
        if inside.any():
            rows.append({
                "low": float(low), "high": float(high), "count": int(inside.sum()),
                "mean_score": float(probabilities[inside].mean()), "positive_rate": float(outcomes[inside].mean()),
            })
    return rows


def expected_calibration_error(rows: Sequence[dict[str, float]]) -> float:
    total = sum(r["count"] for r in rows)
    return sum(r["count"] * abs(r["mean_score"] - r["positive_rate"]) for r in rows) / total if total else 0.0


def precision_recall_curve(probabilities: Sequence[float], outcomes: Sequence[bool]) -> list[tuple[float, float, float]]:
    """(threshold, precision, recall) at each distinct score, highest first, for the report's picture."""
    outcomes = np.asarray(outcomes, bool)
    if not outcomes.any():
        return []
    precision, recall, thresholds = metrics.precision_recall_curve(outcomes, np.asarray(probabilities, float))
    # scikit-learn lists the thresholds lowest first and ends with the (precision 1, recall 0) corner
    return [(float(t), float(p), float(r)) for t, p, r in zip(thresholds[::-1], precision[-2::-1], recall[-2::-1])]
