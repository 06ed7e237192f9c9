import numpy as np
import pytest

from newsfeed.training import scoring


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


# --- the same figures as the arithmetic scikit-learn replaced -----------------------------------------
# The evaluation reports and the promotion gate compare new figures with recorded ones, so moving to
# sklearn.metrics must not move a single bit. These are the removed implementations, kept as the oracle.

def _old_prf(tp, n_predicted, support):
    precision = tp / n_predicted if n_predicted else 0.0
    recall = tp / support if support else 0.0
    f1 = 2 * tp / (n_predicted + support) if (n_predicted + support) else 0.0
    return precision, recall, f1


def _old_label_scores(truth, predicted, labels):
    truth, predicted = [set(t) for t in truth], [set(p) for p in predicted]
    rows = []
    for label in labels:
        tp = sum(1 for t, p in zip(truth, predicted) if label in t and label in p)
        support, n_predicted = sum(label in t for t in truth), sum(label in p for p in predicted)
        rows.append((label, support, n_predicted, tp, *_old_prf(tp, n_predicted, support)))
    return rows


def _old_set_scores(truth, predicted):
    truth, predicted = [set(t) for t in truth], [set(p) for p in predicted]
    tp = sum(len(t & p) for t, p in zip(truth, predicted))
    return dict(zip(("precision", "recall", "f1"), _old_prf(tp, sum(map(len, predicted)), sum(map(len, truth)))))


def _old_curve(probabilities, outcomes):
    probabilities, outcomes = np.asarray(probabilities, float), np.asarray(outcomes, bool)
    positives = int(outcomes.sum())
    if positives == 0:
        return []
    order = np.argsort(-probabilities)
    tp = np.cumsum(outcomes[order])
    ranks = np.arange(1, len(order) + 1)
    return [(float(probabilities[order][i]), float(tp[i] / ranks[i]), float(tp[i] / positives))
            for i in range(len(order))]


LABELS = ["a", "b", "c", "d"]


@pytest.mark.parametrize("seed", range(20))
def test_scores_are_bit_for_bit_those_of_the_replaced_arithmetic(seed):
    rng = np.random.default_rng(seed)
    items = int(rng.integers(0, 40))
    pick = lambda: [{label for label in LABELS + ["rare"] if rng.random() < 0.3} for _ in range(items)]  # noqa: E731
    truth, predicted = pick(), pick()
    scores = scoring.label_scores(truth, predicted, LABELS)
    assert [tuple(s.as_dict().values()) for s in scores] == _old_label_scores(truth, predicted, LABELS)
    tp = sum(s.true_positives for s in scores)
    expected_micro = dict(zip(("precision", "recall", "f1"),
                              _old_prf(tp, sum(s.predicted for s in scores), sum(s.support for s in scores))))
    assert scoring.micro(scores) == expected_micro
    assert scoring.set_scores(truth, predicted) == _old_set_scores(truth, predicted)
    # distinct scores: every item is its own point, as before
    probabilities = rng.permutation(np.linspace(0.01, 0.99, items)).tolist()
    outcomes = (rng.random(items) < 0.4).tolist()
    assert scoring.precision_recall_curve(probabilities, outcomes) == _old_curve(probabilities, outcomes)


def test_tied_scores_are_one_point_each_the_last_of_the_old_tied_run():
    """The old curve made a point per item, so tied scores gave points in an arbitrary order; a threshold
    keeps or drops all of them, which is the point that remains."""
    probabilities, outcomes = [0.9, 0.5, 0.5, 0.5, 0.2], [True, False, True, False, True]
    old = _old_curve(probabilities, outcomes)
    assert scoring.precision_recall_curve(probabilities, outcomes) == [old[0], old[3], old[4]]
