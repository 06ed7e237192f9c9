"""The focus model: which of the countries an article names are what it is about, learned from reading.

Each country an article names is described by models.gazetteer.FOCUS_FEATURES (how much and how it is
mentioned, against the other countries); its label is whether the reader listed it as a focus
country. A logistic regression over those features, fitted on the read-labelled articles, replaces
the hand-set rule: its output is a probability, so region scores (a region scores as its best
country) are probabilities too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupShuffleSplit

from newsfeed.models.gazetteer import FOCUS_THRESHOLD, FocusModel, Gazetteer, country_evidence, focus_features
from newsfeed.models.text import prepare_article

FOCUS_C = 1.0
HELD_OUT_SHARE = 0.2


def focus_rows(examples: Sequence, gazetteer: Gazetteer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(features, labels, article index) of every country each article names, as serving prepares it."""
    features, labels, groups = [], [], []
    for index, example in enumerate(examples):
        prepared = prepare_article(example.title, example.text, "")
        for code, row in focus_features(country_evidence(prepared.title, prepared.body, gazetteer), prepared.body).items():
            features.append(row)
            labels.append(code in example.countries)
            groups.append(index)
    return np.array(features, dtype=np.float64), np.array(labels, dtype=np.int8), np.array(groups)


def fit_focus_model(examples: Sequence, gazetteer: Gazetteer, seed: int = 0) -> tuple[FocusModel, dict]:
    """The focus model fitted on all `examples` (read labels), and its F1 on a held-out fifth of the
    articles against the rule's F1 on the same fifth, from a fit on the rest."""
    x, y, groups = focus_rows(examples, gazetteer)
    split = GroupShuffleSplit(n_splits=1, test_size=HELD_OUT_SHARE, random_state=seed)
    fit_rows, held_rows = next(split.split(x, y, groups))
    held_out = LogisticRegression(C=FOCUS_C, max_iter=2000).fit(x[fit_rows], y[fit_rows])
    learned = held_out.predict_proba(x[held_rows])[:, 1] >= 0.5
    rule = x[held_rows, -1] >= FOCUS_THRESHOLD  # the hand-set rule, on its strength (the last feature)
    final = LogisticRegression(C=FOCUS_C, max_iter=2000).fit(x, y)
    model = FocusModel([round(float(w), 6) for w in final.coef_[0]], round(float(final.intercept_[0]), 6))
    summary = {"articles": int(len(set(groups))), "countries_named": int(len(y)), "focus": int(y.sum()),
               "held_out_f1": {"learned": _f1(y[held_rows], learned), "rule": _f1(y[held_rows], rule)}}
    return model, summary


def _f1(actual: np.ndarray, predicted: np.ndarray) -> float:
    return round(float(f1_score(actual, predicted, zero_division=0.0)), 3)
