"""Fitting a TextModel from labelled examples: the one training recipe, used by `newsfeed train` and by
the evaluation's retrain-and-test splits, so every figure describes the same recipe.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Callable, Protocol, Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score
from sklearn.model_selection import GroupKFold, GroupShuffleSplit, StratifiedKFold

from newsfeed.models.pipeline import (
    DEFAULT_MAX_BODY_CHARS, LENGTH_BANDS, PASSAGE_SIGNALS, ArticleAggregate, LinearHeads, TextModel, build_vectorizer,
    length_band, mask_names, model_input,
)
from newsfeed.models.gazetteer import Gazetteer
from newsfeed.models.taxonomy import REGIONS, TOPICS
from newsfeed.models.text import prepare_article
from newsfeed.training.corpora import read
from newsfeed.training.corpora.read import AUTOMATIC_TOPICS, DISTRUSTED_TOPICS

log = logging.getLogger(__name__)

# Threshold search: F1 is averaged over this many grid steps (of 0.025) on each side.
SMOOTHING = 2

# Examples cut from a longer document have ids "<document id>@passage<n>" (training.corpora.passages).
PASSAGE_MARK = "@"


class LabelledText(Protocol):
    id: str
    title: str
    text: str
    topics: frozenset[str]
    regions: frozenset[str]
    weight: float


@dataclass(frozen=True)
class FitConfig:
    """Every knob of the recipe; stored in the artifact's metadata so a model can be rebuilt."""

    seed: int = 0
    max_features: int = 120_000
    min_df: int = 2
    ngram_max: int = 2
    c_topics: float = 8.0
    c_regions: float = 4.0
    validation_share: float = 0.15
    max_body_chars: int = DEFAULT_MAX_BODY_CHARS
    # Thresholds are searched in this range: outside it a label is either shouted or never said.
    min_threshold: float = 0.2
    max_threshold: float = 0.8
    # Country, agency and government-building names read as neutral tokens (models.pipeline.mask_names).
    masks_names: bool = True
    # With read labels: folds of read documents for the cross-fitted aggregate (see fit_text_model).
    cross_fit_folds: int = 5
    # Folds of read documents for the consensus filter of distrusted automatic labels (0: no filter).
    consensus_folds: int = 2

    def as_dict(self) -> dict:
        return asdict(self)


def prepared_texts(examples: Sequence[LabelledText], masks_names: bool = False) -> tuple[list[str], list[str]]:
    """Titles and bodies exactly as serving prepares them for the text model (the same `prepare_article`,
    and the same name masking when the model masks)."""
    prepared = [prepare_article(e.title, e.text, "") for e in examples]
    titles, bodies = [p.title for p in prepared], [p.body for p in prepared]
    if masks_names:
        gazetteer = Gazetteer.load()
        titles = [mask_names(t, gazetteer.find_mentions(t)) for t in titles]
        bodies = [mask_names(b, gazetteer.find_mentions(b)) for b in bodies]
    return titles, bodies


def label_matrix(examples: Sequence[LabelledText], attribute: str, labels: Sequence[str]) -> np.ndarray:
    """1 where an example carries a label. `attribute` is a field of the example or a key of its `meta`."""
    def values(e):
        return getattr(e, attribute) if hasattr(e, attribute) else (getattr(e, "meta", None) or {}).get(attribute, ())
    return np.array([[label in values(e) for label in labels] for e in examples], dtype=np.int8)


def fit_text_model(
    examples: Sequence[LabelledText],
    config: FitConfig = FitConfig(),
    progress: Callable[[str], None] = log.info,
) -> tuple[TextModel, dict]:
    """Fit the heads, choose how they turn into labels on examples they did not see, refit on all.

    With read labels, the heads are cross-fitted over folds of the read documents, and the whole-article
    aggregate and its thresholds are fitted on every read example's out-of-fold signals. Without them,
    thresholds are tuned on a held-out share of the examples. Returns the model and a summary of that
    step (per-label F1 at the chosen thresholds, the aggregate's F1 per length band).
    """
    titles, bodies = prepared_texts(examples, config.masks_names)
    y_topics = label_matrix(examples, "topics", TOPICS)
    y_regions = label_matrix(examples, "regions", REGIONS)
    weights = np.array([e.weight for e in examples], dtype=np.float64)
    # Per example and topic: 0 where the example's label for that topic is unknown (see
    # training.corpora.passages), so that head neither learns from it nor is tuned on it.
    topic_weights = weights[:, None] * (1 - label_matrix(examples, "unknown_topics", TOPICS))
    topic_weights, consensus = consensus_weights(examples, titles, bodies, y_topics, topic_weights, config)
    indices = np.arange(len(examples))
    read_rows = np.array([i for i, e in enumerate(examples) if is_read(e)], dtype=int)
    aggregate = None
    if len(read_rows) >= config.cross_fit_folds * 20:
        # Every read example is scored by heads that never saw its document (cross-fitting), so the
        # aggregate and its thresholds are chosen on all the read examples, not on a fifth of them.
        progress(f"cross-fitting the heads over {config.cross_fit_folds} folds of {len(read_rows)} read examples")
        whole, signals, region_probs = _cross_fitted(examples, titles, bodies, y_topics, y_regions, topic_weights,
                                                     weights, read_rows, config)
        val_idx = read_rows
        aggregate, band_f1 = fit_aggregate(whole, signals, y_topics[val_idx], [len(bodies[i]) for i in val_idx], config)
        topic_probabilities = aggregate.probabilities(whole, signals)
    else:
        train_idx, val_idx = validation_split(examples, config)
        progress(f"fitting on {len(train_idx)} examples, tuning on {len(val_idx)}")
        model = _fit(titles, bodies, y_topics, y_regions, topic_weights, weights, train_idx, config)
        val_bodies = [bodies[i] for i in val_idx]
        val_features = model.features([titles[i] for i in val_idx], val_bodies)
        topic_probabilities = model.topic_probabilities(val_features, val_bodies)
        region_probs = model.region_heads.probabilities(val_features)
    known = topic_weights[val_idx] > 0
    topic_thr, topic_f1 = tune_thresholds(topic_probabilities, y_topics[val_idx], config, known)
    region_thr, region_f1 = tune_thresholds(region_probs, y_regions[val_idx], config, np.ones(y_regions[val_idx].shape, dtype=bool))

    progress(f"refitting on all {len(examples)} examples")
    model = _fit(titles, bodies, y_topics, y_regions, topic_weights, weights, indices, config)
    model.topic_heads.threshold = topic_thr
    model.region_heads.threshold = region_thr
    model.aggregate = aggregate
    model.masks_names = config.masks_names
    validation = {
        "examples": int(len(val_idx)),
        "topics": {label: {"threshold": float(t), "f1": float(f)} for label, t, f in zip(TOPICS, topic_thr, topic_f1)},
        "regions": {slug: {"threshold": float(t), "f1": float(f)} for slug, t, f in zip(REGIONS, region_thr, region_f1)},
    }
    if consensus:
        validation["consensus"] = consensus
    if aggregate is not None:
        validation["whole_article"] = {
            label: {"coef": [round(float(c), 3) for c in aggregate.coef[k]],
                    "thresholds": dict(zip(LENGTH_BANDS, map(float, aggregate.thresholds[k]))),
                    "f1_by_band": band_f1[label]}
            for k, label in enumerate(TOPICS)}
    return model, validation


def _cross_fitted(examples, titles, bodies, y_topics, y_regions, topic_weights, weights, read_rows: np.ndarray,
                  config: FitConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whole-text probabilities, passage signals and region probabilities of each read example, from
    heads fitted without its document (or any passage or splice of it): folds over read documents."""
    documents = np.array([e.id.split(PASSAGE_MARK)[0] for e in examples])
    indices = np.arange(len(examples))
    whole = np.zeros((len(read_rows), len(TOPICS)))
    signals = np.zeros((len(read_rows), len(TOPICS), len(PASSAGE_SIGNALS)))
    region_probs = np.zeros((len(read_rows), len(REGIONS)))
    folds = GroupKFold(n_splits=config.cross_fit_folds)
    for _, held in folds.split(read_rows, groups=documents[read_rows]):
        held_documents = set(documents[read_rows[held]])
        train = indices[[d not in held_documents for d in documents]]
        model = _fit(titles, bodies, y_topics, y_regions, topic_weights, weights, train, config)
        rows = read_rows[held]
        held_bodies = [bodies[i] for i in rows]
        features = model.features([titles[i] for i in rows], held_bodies)
        whole[held], signals[held] = model.topic_signals(features, held_bodies)
        region_probs[held] = model.region_heads.probabilities(features)
    return whole, signals, region_probs


def consensus_weights(examples, titles, bodies, y_topics: np.ndarray, topic_weights: np.ndarray,
                      config: FitConfig) -> tuple[np.ndarray, dict]:
    """The topic weights with distrusted automatic labels restored where the read labels' model agrees.

    A source's rule for a topic whose kappa against the read labels is under AUX_MIN_KAPPA is not
    trusted as it is (training.corpora.read), yet most of its labels are right, and they are most of
    the data for a source with few read items (measured: a model without them finds 0.18 of the
    defence events of a source it never saw, 0.49 with them). So heads fitted without those labels
    judge each one, and a label is kept where the heads agree with the rule; elsewhere it stays
    unknown. The filter is measured before it is trusted: read documents that the rule also labels are
    judged in the same way by heads fitted without them (folds over read documents), and the rule's
    kappa against the read labels on the documents the filter keeps must reach AUX_MIN_KAPPA for that
    source and topic. Returns the weights and, per source and topic, what was measured and restored.
    """
    distrusted = label_matrix(examples, DISTRUSTED_TOPICS, TOPICS).astype(bool)
    checked = np.array([is_read(e) and AUTOMATIC_TOPICS in e.meta for e in examples])
    if config.consensus_folds < 2 or not distrusted.any() or checked.sum() < config.consensus_folds * 20:
        return topic_weights, {}
    documents = np.array([e.id.split(PASSAGE_MARK)[0] for e in examples])
    indices = np.arange(len(examples))
    checked_rows, judged_rows = indices[checked], indices[distrusted.any(axis=1)]
    checked_probs = np.zeros((len(checked_rows), len(TOPICS)))
    judged_probs = np.zeros((len(judged_rows), len(TOPICS)))
    for _, held in GroupKFold(n_splits=config.consensus_folds).split(checked_rows, groups=documents[checked_rows]):
        held_documents = set(documents[checked_rows[held]])
        train = indices[[d not in held_documents for d in documents]]
        vectorizer, features = _fitted_vectorizer(titles, bodies, train, config)
        heads = _fit_heads(features, y_topics[train], topic_weights[train], TOPICS, config.c_topics, config.seed)

        def probabilities(rows: np.ndarray) -> np.ndarray:
            return heads.probabilities(vectorizer.transform(
                [model_input(titles[i], bodies[i], config.max_body_chars) for i in rows]))

        checked_probs[held] = probabilities(checked_rows[held])
        # An automatic label is judged by every fold's heads (none saw its topic label): their mean.
        judged_probs += probabilities(judged_rows) / config.consensus_folds
    threshold, _ = tune_thresholds(checked_probs, y_topics[checked_rows], config, np.ones(checked_probs.shape, dtype=bool))
    rule = label_matrix([examples[i] for i in checked_rows], AUTOMATIC_TOPICS, TOPICS).astype(bool)
    weights = topic_weights.copy()
    example_weights = np.array([e.weight for e in examples], dtype=np.float64)
    report: dict[str, dict[str, dict]] = {}
    sources = np.array([e.source for e in examples])
    for source in sorted(set(sources[judged_rows])):
        for k, topic in enumerate(TOPICS):
            targets = judged_rows[(sources[judged_rows] == source) & distrusted[judged_rows, k]]
            if not len(targets):
                continue
            on_read = sources[checked_rows] == source
            agrees = rule[on_read, k] == (checked_probs[on_read, k] >= threshold[k])
            kappa = _kappa(rule[on_read, k][agrees], y_topics[checked_rows[on_read], k][agrees] == 1)
            judged = judged_probs[np.searchsorted(judged_rows, targets), k] >= threshold[k]
            restore = targets[judged == (y_topics[targets, k] == 1)] if kappa >= read.AUX_MIN_KAPPA else targets[:0]
            weights[restore, k] = example_weights[restore]
            report.setdefault(source, {})[topic] = {
                "kappa_kept": round(kappa, 3), "read_checked": int(on_read.sum()), "read_kept": int(agrees.sum()),
                "automatic": int(len(targets)), "restored": int(len(restore))}
    return weights, report


def _kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa of two labellings; where both are constant, 1.0 when they are equal (nothing to
    disagree about), else 0.0."""
    if len(a) == 0:
        return 0.0
    if len(set(a.tolist()) | set(b.tolist())) < 2:
        return 1.0
    return float(cohen_kappa_score(a, b))




def is_read(example: LabelledText) -> bool:
    """Labelled by reading against the definitions (training.corpora.read), not by a rule: a spliced
    negative, made from a read document, is not itself read."""
    meta = getattr(example, "meta", None) or {}
    return bool(meta.get("read")) and "spliced" not in meta


def validation_split(examples: Sequence[LabelledText], config: FitConfig) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, validation rows), split by document so that no passage or splice of a validation
    document is trained on. With read labels, validation holds only read examples, never spliced
    ones: choices are made against the definitions, not against a rule's labels."""
    documents = np.array([e.id.split(PASSAGE_MARK)[0] for e in examples])
    indices = np.arange(len(examples))
    splitter = GroupShuffleSplit(n_splits=1, test_size=config.validation_share, random_state=config.seed)
    read_rows = np.array([i for i, e in enumerate(examples) if is_read(e)])
    if len(read_rows) == 0:
        return next(splitter.split(indices, groups=documents))
    _, held = next(splitter.split(read_rows, groups=documents[read_rows]))
    held_documents = set(documents[read_rows[held]])
    in_validation = np.array([d in held_documents for d in documents])
    validation = np.array([i for i in read_rows if in_validation[i]])
    return indices[~in_validation], validation


# Per length band, a topic's threshold is chosen on that band's validation articles when they hold
# at least this many positives; else the threshold chosen on all of them.
MIN_BAND_POSITIVES = 12
AGGREGATE_C = 1.0
AGGREGATE_FOLDS = 5


def fit_aggregate(whole: np.ndarray, signals: np.ndarray, y: np.ndarray, body_chars: Sequence[int],
                  config: FitConfig) -> tuple[ArticleAggregate, dict]:
    """The whole-article aggregate, fitted on held-out articles: per topic a logistic regression of
    the label on ArticleAggregate.features, and thresholds per length band chosen on out-of-fold
    probabilities (so the choice does not see the fit it judges). Returns it and the F1 per band."""
    features = ArticleAggregate.features(whole, signals)
    n_topics = y.shape[1]
    coef = np.zeros((n_topics, features.shape[2]))
    intercept = np.zeros(n_topics)
    thresholds = np.full((n_topics, len(LENGTH_BANDS)), 0.5)
    bands = np.array([length_band(n) for n in body_chars])
    band_f1: dict[str, dict[str, float | None]] = {}
    for k in range(n_topics):
        x, target = features[:, k, :], y[:, k]
        positives = int(target.sum())
        if min(positives, len(target) - positives) < 2:
            # Too few of one class to fit or to cross-validate: the label's base rate, never assigned.
            intercept[k] = -10.0 if positives * 2 < len(target) else 10.0
            band_f1[TOPICS[k]] = {}
            continue
        out_of_fold = np.zeros(len(target))
        folds = StratifiedKFold(min(AGGREGATE_FOLDS, positives, len(target) - positives), shuffle=True,
                                random_state=config.seed)
        for fit_rows, test_rows in folds.split(x, target):
            fold = LogisticRegression(C=AGGREGATE_C, max_iter=1000).fit(x[fit_rows], target[fit_rows])
            out_of_fold[test_rows] = fold.predict_proba(x[test_rows])[:, 1]
        final = LogisticRegression(C=AGGREGATE_C, max_iter=1000).fit(x, target)
        coef[k], intercept[k] = final.coef_[0], final.intercept_[0]
        thresholds[k] = band_thresholds(out_of_fold, target, bands, config)
        band_f1[TOPICS[k]] = {}
        for band, name in enumerate(LENGTH_BANDS):
            rows = bands == band
            band_f1[TOPICS[k]][name] = (round(binary_f1(out_of_fold[rows] >= thresholds[k, band], target[rows] == 1), 3)
                                        if rows.any() else None)
        assigned = out_of_fold >= thresholds[k, bands]
        band_f1[TOPICS[k]]["all"] = round(binary_f1(assigned, target == 1), 3)
    return ArticleAggregate(coef, intercept, thresholds), band_f1


def band_thresholds(probabilities: np.ndarray, target: np.ndarray, bands: np.ndarray, config: FitConfig) -> np.ndarray:
    """One topic's threshold per length band: chosen on the band's articles where they hold
    MIN_BAND_POSITIVES positives, else the one chosen on all of them."""
    overall, _ = tune_thresholds(probabilities[:, None], target[:, None], config, np.ones((len(target), 1), dtype=bool))
    thresholds = np.full(len(LENGTH_BANDS), overall[0])
    for band in range(len(LENGTH_BANDS)):
        rows = bands == band
        if target[rows].sum() >= MIN_BAND_POSITIVES:
            chosen, _ = tune_thresholds(probabilities[rows, None], target[rows, None], config,
                                        np.ones((rows.sum(), 1), dtype=bool))
            thresholds[band] = chosen[0]
    return thresholds


def _fitted_vectorizer(titles, bodies, idx, config: FitConfig):
    """The recipe's vectorizer fitted on rows `idx`, and those rows' features."""
    vectorizer = build_vectorizer(config.max_features, config.min_df, config.ngram_max)
    features = vectorizer.fit_transform([model_input(titles[i], bodies[i], config.max_body_chars) for i in idx]).tocsr()
    return vectorizer, features


def _fit(titles, bodies, y_topics, y_regions, topic_weights, region_weights, idx, config: FitConfig) -> TextModel:
    vectorizer, features = _fitted_vectorizer(titles, bodies, idx, config)
    topic_heads = _fit_heads(features, y_topics[idx], topic_weights[idx], TOPICS, config.c_topics, config.seed)
    region_weights = np.repeat(region_weights[idx][:, None], len(REGIONS), axis=1)
    region_heads = _fit_heads(features, y_regions[idx], region_weights, REGIONS, config.c_regions, config.seed)
    return TextModel(vectorizer, topic_heads, region_heads, config.max_body_chars)


def _fit_heads(features, y: np.ndarray, weights: np.ndarray, labels: Sequence[str], c: float, seed: int) -> LinearHeads:
    """One logistic regression per label; `weights` has one column per label."""
    coef = np.zeros((len(labels), features.shape[1]), dtype=np.float32)
    intercept = np.zeros(len(labels))
    for k in range(len(labels)):
        if y[:, k].min() == y[:, k].max():
            # A label with no positives (or no negatives) in this data cannot be learned: it stays silent.
            intercept[k] = -10.0 if y[0, k] == 0 else 10.0
            continue
        clf = LogisticRegression(C=c, solver="liblinear", max_iter=200, random_state=seed)
        clf.fit(features, y[:, k], sample_weight=weights[:, k])
        coef[k] = clf.coef_[0]
        intercept[k] = clf.intercept_[0]
    return LinearHeads(tuple(labels), coef, intercept, np.full(len(labels), 0.5))


def tune_thresholds(probs: np.ndarray, y: np.ndarray, config: FitConfig, known: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per label, the threshold with the best smoothed F1 on validation data (0.5 where it has no positives).

    F1 is averaged over a window of neighbouring thresholds before taking the best: with a few
    hundred positives, the single best threshold often sits at the edge of a wide plateau, chosen by
    one or two items; the middle of the plateau is the choice that holds on new data.
    """
    grid = np.round(np.arange(config.min_threshold, config.max_threshold + 1e-9, 0.025), 3)
    thresholds, best_f1 = np.full(y.shape[1], 0.5), np.zeros(y.shape[1])
    for k in range(y.shape[1]):
        rows = known[:, k]
        if y[rows, k].sum() == 0:
            continue
        scores = np.array([binary_f1(probs[rows, k] >= t, y[rows, k] == 1) for t in grid])
        smoothed = np.convolve(np.pad(scores, SMOOTHING, mode="edge"), np.ones(2 * SMOOTHING + 1) / (2 * SMOOTHING + 1), "valid")
        best = int(np.argmax(smoothed))
        thresholds[k], best_f1[k] = grid[best], scores[best]
    return thresholds, best_f1


def binary_f1(predicted: np.ndarray, actual: np.ndarray) -> float:
    """F1 of boolean arrays, without scikit-learn's checks: the threshold search calls it for every step."""
    tp = float(np.sum(predicted & actual))
    denominator = float(np.sum(predicted) + np.sum(actual))
    return 2 * tp / denominator if denominator else 0.0
