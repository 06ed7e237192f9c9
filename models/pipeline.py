"""The fitted text model inside an artifact: TF-IDF features and one linear head per label set.

It is deliberately plain: a scikit-learn vectorizer plus, per label, a weight vector, an intercept
and a tuned threshold. Serving is one sparse matrix product per batch; evidence is the per-feature
product of weight and TF-IDF value, read straight off the same numbers that made the score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

# How much of a long article's body is classified. News stories state their subject early; past
# this many characters, extra text mostly adds boilerplate-like noise and costs time.
DEFAULT_MAX_BODY_CHARS = 6000
# A passage is a paragraph, or a run of short paragraphs merged to at least this many characters:
# about two or three sentences, the length of the Wikipedia event summaries the model learns from.
MIN_PASSAGE_CHARS = 250
# A long article carries a label when its whole text does, or when at least this many of its
# passages do on their own: a clear secondary theme of several sentences, not a passing mention.
PASSAGES_FOR_A_THEME = 2


def build_vectorizer(max_features: int = 120_000, min_df: int = 2, ngram_max: int = 2) -> TfidfVectorizer:
    """The feature extractor that every artifact uses; its parameters are recorded in the metadata."""
    return TfidfVectorizer(
        lowercase=True,
        strip_accents="unicode",
        stop_words="english",
        ngram_range=(1, ngram_max),
        min_df=min_df,
        max_df=0.5,
        max_features=max_features,
        sublinear_tf=True,
        dtype=np.float32,
    )


def model_input(title: str, body: str, max_body_chars: int = DEFAULT_MAX_BODY_CHARS) -> str:
    """The one string a model sees for an article. The title is given twice: it is the editor's summary."""
    return f"{title}\n{title}\n{body[:max_body_chars]}"


def split_passages(body: str, max_body_chars: int = DEFAULT_MAX_BODY_CHARS) -> list[str]:
    """The passages of a body (the part the model reads), in order."""
    passages, current = [], ""
    for paragraph in body[:max_body_chars].split("\n"):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        current = f"{current} {paragraph}" if current else paragraph
        if len(current) >= MIN_PASSAGE_CHARS:
            passages.append(current)
            current = ""
    if current:
        passages.append(current)
    return passages


@dataclass
class LinearHeads:
    """One logistic-regression head per label, stacked so a batch is scored in one product."""

    labels: tuple[str, ...]
    coef: np.ndarray  # shape (labels, features), float32
    intercept: np.ndarray  # shape (labels,)
    threshold: np.ndarray  # shape (labels,): probability at or above which the label is assigned

    def probabilities(self, features: sparse.csr_matrix) -> np.ndarray:
        logits = np.asarray(features @ self.coef.T) + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))

    def evidence(self, row: sparse.csr_matrix, label_index: int, feature_names: np.ndarray, top: int) -> list[str]:
        """The n-grams of one article that pushed this label's score up the most."""
        contributions = row.data * self.coef[label_index, row.indices]
        order = np.argsort(-contributions)[:top]
        return [str(feature_names[row.indices[i]]) for i in order if contributions[i] > 0]


class TextModel:
    """Vectorizer + topic heads + region heads, pickled whole as the artifact's pipeline."""

    def __init__(self, vectorizer: TfidfVectorizer, topics: LinearHeads, regions: LinearHeads, max_body_chars: int):
        self.vectorizer = vectorizer
        self.topic_heads = topics
        self.region_heads = regions
        self.max_body_chars = max_body_chars
        self._feature_names: np.ndarray | None = None

    @property
    def topics(self) -> tuple[str, ...]:
        return self.topic_heads.labels

    @property
    def regions(self) -> tuple[str, ...]:
        return self.region_heads.labels

    @property
    def feature_names(self) -> np.ndarray:
        if self._feature_names is None:
            self._feature_names = self.vectorizer.get_feature_names_out()
        return self._feature_names

    def thresholds(self) -> dict[str, dict[str, float]]:
        return {
            "topics": dict(zip(self.topic_heads.labels, map(float, self.topic_heads.threshold))),
            "regions": dict(zip(self.region_heads.labels, map(float, self.region_heads.threshold))),
        }

    def features(self, titles: Sequence[str], bodies: Sequence[str]) -> sparse.csr_matrix:
        docs = [model_input(t, b, self.max_body_chars) for t, b in zip(titles, bodies)]
        return self.vectorizer.transform(docs).tocsr()

    def topic_probabilities(self, features: sparse.csr_matrix, bodies: Sequence[str]) -> np.ndarray:
        """Per article and topic: the larger of the whole text's probability and the theme probability,
        the PASSAGES_FOR_A_THEME-th highest probability among its passages (zero for short articles).

        A long story whose secondary theme is a topic (a summit held at a cosmodrome) dilutes that
        topic's words in the whole text; scored passage by passage the theme stands out, and asking
        for several passages keeps a single passing paragraph from labelling the story.
        """
        probabilities = self.topic_heads.probabilities(features)
        passages = [split_passages(body, self.max_body_chars) for body in bodies]
        long_articles = [i for i, p in enumerate(passages) if len(p) > PASSAGES_FOR_A_THEME]
        if not long_articles:
            return probabilities
        flat = [passage for i in long_articles for passage in passages[i]]
        passage_probabilities = self.topic_heads.probabilities(self.vectorizer.transform(flat).tocsr())
        start = 0
        for i in long_articles:
            stop = start + len(passages[i])
            theme = np.sort(passage_probabilities[start:stop], axis=0)[-PASSAGES_FOR_A_THEME]
            probabilities[i] = np.maximum(probabilities[i], theme)
            start = stop
        return probabilities

    def __getstate__(self) -> dict:
        # Feature names are derived from the vocabulary at load time rather than stored twice.
        state = dict(self.__dict__)
        state["_feature_names"] = None
        return state
