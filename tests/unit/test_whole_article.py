"""Whole-article judgement: passage signals, the fitted aggregate, and thresholds per length band."""

import numpy as np
import pytest

from newsfeed.models.pipeline import LENGTH_BANDS, ArticleAggregate, length_band, passage_signals
from newsfeed.training.fit import FitConfig, fit_aggregate


def test_passage_signals_measure_how_much_of_an_article_is_on_the_topic():
    whole = np.array([[0.3], [0.7]])
    passages = np.array([[0.9], [0.1], [0.2], [0.6]])  # article 0 has four passages; article 1 is short
    signals = passage_signals(whole, passages, [(0, 4)])
    lead, best, theme, share = signals[0, 0]
    assert (lead, best, theme, share) == (0.9, 0.9, 0.6, 0.5)
    assert list(signals[1, 0]) == [0.7, 0.7, 0.7, 1.0]  # a short article is its own passage


def test_length_bands_follow_the_reported_bands():
    assert [length_band(n) for n in (0, 299, 300, 1999, 2000, 7999, 8000, 10**6)] == [0, 0, 1, 1, 2, 2, 3, 3]
    assert LENGTH_BANDS == ("<300", "300-2000", "2000-8000", ">8000")


def test_the_fitted_aggregate_learns_that_one_passage_is_not_a_subject_and_is_calibrated():
    rng = np.random.default_rng(0)
    n = 3000
    share = rng.uniform(0, 1, n)
    best = np.clip(share + rng.uniform(0, 0.6, n), 0, 0.99)  # one strong passage happens at any share
    truth = (rng.uniform(0, 1, n) < share).astype(np.int8)  # on topic as often as the share says
    whole = np.clip(share * 0.8 + 0.1, 0.01, 0.99)
    signals = np.stack([best, best, share, share], axis=1)[:, None, :]
    aggregate, f1 = fit_aggregate(whole[:, None], signals, truth[:, None], [1000] * n, FitConfig())
    probabilities = aggregate.probabilities(whole[:, None], signals)[:, 0]
    for low in (0.1, 0.3, 0.5, 0.7):
        rows = (probabilities >= low) & (probabilities < low + 0.2)
        assert truth[rows].mean() == pytest.approx(probabilities[rows].mean(), abs=0.06)
    assert aggregate.thresholds.shape == (1, len(LENGTH_BANDS))
    assert f1["diplomacy"]["300-2000"] is not None and f1["diplomacy"]["<300"] is None


def test_a_model_with_an_aggregate_assigns_by_the_threshold_of_the_article_s_band(tiny_model):
    text_model = tiny_model.text_model
    thresholds = np.array([[0.1, 0.2, 0.3, 0.4]] * 3)
    text_model.aggregate = ArticleAggregate(np.zeros((3, 5)), np.zeros(3), thresholds)
    try:
        assert text_model.topic_thresholds([100, 5000]).tolist() == [[0.1] * 3, [0.3] * 3]
    finally:
        text_model.aggregate = None
