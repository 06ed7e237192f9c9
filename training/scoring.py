"""Scores of predicted label sets against true ones: per label, micro and macro, and calibration.

Pure functions over plain lists, so the evaluation of topics, regions and focus countries all use
the same arithmetic.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

import numpy as np


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
    truth_sets, predicted_sets = [set(t) for t in truth], [set(p) for p in predicted]
    return [_score(label, truth_sets, predicted_sets) for label in labels]


def _score(label: str, truth: list[set[str]], predicted: list[set[str]]) -> LabelScore:
    tp = sum(1 for t, p in zip(truth, predicted) if label in t and label in p)
    support = sum(1 for t in truth if label in t)
    n_predicted = sum(1 for p in predicted if label in p)
    return LabelScore(label, support, n_predicted, tp, *_prf(tp, n_predicted, support))


def _prf(tp: int, n_predicted: int, support: int) -> tuple[float, float, float]:
    precision = tp / n_predicted if n_predicted else 0.0
    recall = tp / support if support else 0.0
    f1 = 2 * tp / (n_predicted + support) if (n_predicted + support) else 0.0
    return precision, recall, f1


def micro(scores: Sequence[LabelScore]) -> dict[str, float]:
    tp = sum(s.true_positives for s in scores)
    precision, recall, f1 = _prf(tp, sum(s.predicted for s in scores), sum(s.support for s in scores))
    return {"precision": precision, "recall": recall, "f1": f1}


def macro(scores: Sequence[LabelScore]) -> dict[str, float]:
    """Averages over the labels that occur in the truth (a label absent from a test set has no recall)."""
    present = [s for s in scores if s.support > 0] or list(scores)
    return {key: float(np.mean([getattr(s, key) for s in present])) if present else 0.0 for key in ("precision", "recall", "f1")}


def set_scores(truth: Sequence[Iterable[str]], predicted: Sequence[Iterable[str]]) -> dict[str, float]:
    """Micro precision/recall/F1 over open-ended label sets (e.g. focus country codes)."""
    truth_sets, predicted_sets = [set(t) for t in truth], [set(p) for p in predicted]
    tp = sum(len(t & p) for t, p in zip(truth_sets, predicted_sets))
    precision, recall, f1 = _prf(tp, sum(map(len, predicted_sets)), sum(map(len, truth_sets)))
    return {"precision": precision, "recall": recall, "f1": f1}


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
    """(threshold, precision, recall) at each distinct score, for the report's picture."""
    probabilities, outcomes = np.asarray(probabilities, float), np.asarray(outcomes, bool)
    positives = int(outcomes.sum())
    if positives == 0:
        return []
    order = np.argsort(-probabilities)
    tp = np.cumsum(outcomes[order])
    ranks = np.arange(1, len(order) + 1)
    return [(float(probabilities[order][i]), float(tp[i] / ranks[i]), float(tp[i] / positives)) for i in range(len(order))]
