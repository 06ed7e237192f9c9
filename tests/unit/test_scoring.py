import pytest

from training import scoring


def test_label_scores_count_hits_misses_and_false_alarms():
    truth = [{"a"}, {"a", "b"}, set(), {"b"}]
    predicted = [{"a"}, {"a"}, {"a"}, {"b"}]
    a, b = scoring.label_scores(truth, predicted, ["a", "b"])
    assert (a.support, a.predicted, a.true_positives) == (2, 3, 2)
    assert a.precision == pytest.approx(2 / 3) and a.recall == 1.0 and a.f1 == pytest.approx(0.8)
    assert (b.precision, b.recall, b.f1) == (1.0, 0.5, pytest.approx(2 / 3))
    assert scoring.micro([a, b])["f1"] == pytest.approx(2 * 3 / (4 + 4))
    assert scoring.macro([a, b])["f1"] == pytest.approx((0.8 + 2 / 3) / 2)


def test_macro_ignores_labels_absent_from_the_truth():
    scores = scoring.label_scores([{"a"}], [{"a"}], ["a", "b"])
    assert scoring.macro(scores)["f1"] == 1.0


def test_set_scores_over_country_codes():
    result = scoring.set_scores([{"RU", "KP"}, {"US"}], [{"RU"}, {"US", "CN"}])
    assert result == {"precision": pytest.approx(2 / 3), "recall": pytest.approx(2 / 3), "f1": pytest.approx(2 / 3)}


def test_reliability_bins_compare_scores_with_outcomes():
    rows = scoring.reliability([0.05, 0.15, 0.95, 0.91], [False, False, True, False], bins=10)
    assert [(r["count"], r["positive_rate"]) for r in rows] == [(1, 0.0), (1, 0.0), (2, 0.5)]
    assert scoring.expected_calibration_error(rows) == pytest.approx((0.05 + 0.15 + 2 * abs(0.93 - 0.5)) / 4)


def test_precision_recall_curve_walks_down_the_ranking():
    curve = scoring.precision_recall_curve([0.9, 0.8, 0.3], [True, False, True])
    assert curve == [(0.9, 1.0, 0.5), (0.8, 0.5, 0.5), (0.3, pytest.approx(2 / 3), 1.0)]
