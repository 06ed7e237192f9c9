"""The fitted text model inside an artifact: TF-IDF features and one linear head per label set.

It is deliberately plain: TF-IDF features (scikit-learn's vectorizer while fitting, its numbers in
`models/tfidf.py` once saved) plus, per label, a weight vector, an intercept and a tuned threshold. Serving is one sparse matrix product per batch; evidence is the per-feature
product of weight and TF-IDF value, read straight off the same numbers that made the score.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Sequence

import numpy as np
from scipy import sparse

from newsfeed.models.gazetteer import FocusModel
from newsfeed.models.tfidf import TfidfFeatures, supported_vectorizer

if TYPE_CHECKING:
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


# Topics must come from what a story says, not from whom it names: a domestic story titled "China: ..."
# got diplomacy, a biology result with a NASA co-author got space (issue 10). A model fitted with
# `masks_names` reads every country surface the gazetteer finds as one neutral token, and agency
# and government-building names as another; left out of training too, these names cannot decide a
# topic. (Measured leaving each source out in turn: mean topic macro F1 0.548 -> 0.600.)
_AGENCY_NAMES = re.compile(
    r"\b(?:NASA|ESA|JAXA|Roscosmos|ISRO|CNSA|CNES|DLR|KARI|UKSA|Space Force|Pentagon|White House|Kremlin"
    r"|State Department|Foreign Ministry|Defen[cs]e Ministry)\b"
)
PLACE_TOKEN, AGENCY_TOKEN = "xplace", "xagency"
MASK_TOKENS = (PLACE_TOKEN, AGENCY_TOKEN)


def mask_names(text: str, mentions: Sequence) -> str:
    """`text` with each mention (objects with `start` and `end`, in order and not overlapping, as the
    gazetteer finds them) and each agency name replaced by its neutral token."""
    return _AGENCY_NAMES.sub(AGENCY_TOKEN, mask_names_places(text, mentions))


def masked_regions(text: str, mentions: Sequence) -> tuple[list[tuple[int, int, int, int]], list[tuple[int, int, int, int]]]:
    """Where `mask_names(text, mentions)` replaced something, for mapping positions in the masked text back
    to `text`: the mentions' replacements in the text with mentions masked, then the agency names'
    replacements in the final text, each as (source start, source end, masked start, masked end)."""
    places, shift = [], 0
    for mention in mentions:
        start = mention.start + shift
        places.append((mention.start, mention.end, start, start + len(PLACE_TOKEN)))
        shift += len(PLACE_TOKEN) - (mention.end - mention.start)
    agencies, shift = [], 0
    if places or _AGENCY_NAMES.search(text):
        # The agency pattern runs on the text with places masked, as mask_names runs it.
        masked = mask_names_places(text, mentions)
        for match in _AGENCY_NAMES.finditer(masked):
            start = match.start() + shift
            agencies.append((match.start(), match.end(), start, start + len(AGENCY_TOKEN)))
            shift += len(AGENCY_TOKEN) - (match.end() - match.start())
    return places, agencies


def mask_names_places(text: str, mentions: Sequence) -> str:
    """The first step of mask_names: mentions replaced, agency names not yet."""
    parts, last = [], 0
    for mention in mentions:
        parts += [text[last:mention.start], PLACE_TOKEN]
        last = mention.end
    parts.append(text[last:])
    return "".join(parts)


def build_vectorizer(max_features: int = 120_000, min_df: int = 2, ngram_max: int = 2) -> TfidfVectorizer:
    """The feature extractor that every model is fitted with; its parameters are recorded in the metadata.
    (Imported here: serving reads a saved model's `TfidfFeatures` and never needs scikit-learn.)"""
    from sklearn.feature_extraction.text import TfidfVectorizer

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


def passage_paragraphs(body: str, max_body_chars: int = DEFAULT_MAX_BODY_CHARS) -> list[list[tuple[int, int]]]:
    """Where the passages of `split_passages` are in `body`: per passage, the (start, end) of each of its
    paragraphs, stripped as split_passages strips them (a passage is its paragraphs joined by spaces)."""
    passages: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    length, start = 0, 0
    read = body[:max_body_chars]
    for line in read.split("\n"):
        end = start + len(line)
        stripped = line.strip()
        if stripped:
            left = start + len(line) - len(line.lstrip())
            current.append((left, left + len(stripped)))
            length = length + 1 + len(stripped) if length else len(stripped)
            if length >= MIN_PASSAGE_CHARS:
                passages.append(current)
                current, length = [], 0
        start = end + 1
    if current:
        passages.append(current)
    return passages


class SparseRow(NamedTuple):
    """One row of a CSR matrix: its column indices and values, in stored order."""

    indices: np.ndarray
    data: np.ndarray


@dataclass
class LinearHeads:
    """One logistic-regression head per label, stacked so a batch is scored in one product."""

    labels: tuple[str, ...]
    coef: np.ndarray  # shape (labels, features), float32
    intercept: np.ndarray  # shape (labels,)
    threshold: np.ndarray  # shape (labels,): probability at or above which the label is assigned

    def probabilities(self, features: sparse.csr_matrix) -> np.ndarray:
        logits = np.asarray(features @ self._coef_t()) + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))

    def _coef_t(self) -> np.ndarray:
        # `coef.T` is a strided view that scipy copies to C order on every product (about 2 ms a call
        # at 120k features); the same copy is kept once. Same numbers, same order of summation.
        cached = self.__dict__.get("_coef_t_cache")
        if cached is None or cached[0] is not self.coef:
            cached = self.__dict__["_coef_t_cache"] = (self.coef, np.ascontiguousarray(self.coef.T))
        return cached[1]

    def __getstate__(self) -> dict:
        return {name: value for name, value in self.__dict__.items() if name != "_coef_t_cache"}

    def evidence(self, row: SparseRow | sparse.csr_matrix, label_index: int, feature_names: np.ndarray,
                 top: int) -> list[str]:
        """The n-grams of one article that pushed this label's score up the most."""
        return [name for name, _, _ in self.top_contributions(row, label_index, feature_names, top)[0]]

    def top_contributions(self, row: SparseRow | sparse.csr_matrix, label_index: int, feature_names: np.ndarray,
                          top: int) -> tuple[list[tuple[str, int, float]], np.ndarray]:
        """(name, column, contribution) of the n-grams that pushed this label's score up the most, best
        first, and every feature's contribution (TF-IDF value times weight, in the row's order): the
        numbers `evidence` ranks, kept for locating the evidence in the text."""
        contributions = row.data * self.coef[label_index, row.indices]
        order = np.argsort(-contributions)
        picked = ((str(feature_names[row.indices[i]]), int(row.indices[i]), float(contributions[i]))
                  for i in order if contributions[i] > 0)
        # Only as many names as are returned are built: an article has thousands of features.
        unmasked = (p for p in picked if not any(t in p[0] for t in MASK_TOKENS))
        return list(itertools.islice(unmasked, top)), contributions


class TextModel:
    """Vectorizer + topic heads + region heads (+ the aggregate and focus model of issue-10 models).

    The vectorizer is scikit-learn's while a model is fitted, and its plain numbers (`TfidfFeatures`)
    once saved and loaded: both give the same features."""

    # Models pickled before the whole-article aggregate load without one (see _whole_article), and
    # without a learned focus model (the gazetteer's rule scores focus then).
    aggregate: ArticleAggregate | None = None
    focus: FocusModel | None = None
    masks_names: bool = False

    def __init__(self, vectorizer: TfidfVectorizer | TfidfFeatures, topics: LinearHeads, regions: LinearHeads, max_body_chars: int,
                 aggregate: ArticleAggregate | None = None):
        self.aggregate = aggregate
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

    def thresholds(self) -> dict[str, dict]:
        """The thresholds that assign labels: per topic one, or one per length band with the aggregate."""
        if self.aggregate is None:
            topics: dict = dict(zip(self.topic_heads.labels, map(float, self.topic_heads.threshold)))
        else:
            topics = {label: dict(zip(LENGTH_BANDS, map(float, row)))
                      for label, row in zip(self.topic_heads.labels, self.aggregate.thresholds)}
        return {"topics": topics, "regions": dict(zip(self.region_heads.labels, map(float, self.region_heads.threshold)))}

    def features(self, titles: Sequence[str], bodies: Sequence[str]) -> sparse.csr_matrix:
        docs = [model_input(t, b, self.max_body_chars) for t, b in zip(titles, bodies)]
        return self.vectorizer.transform(docs).tocsr()

    def topic_probabilities(self, features: sparse.csr_matrix, bodies: Sequence[str]) -> np.ndarray:
        """Per article and topic, the probability that the article is about the topic: from the whole
        text's probability and its passages' (see `_whole_article`)."""
        return self._whole_article(*self.topic_signals(features, bodies))

    def topic_signals(self, features: sparse.csr_matrix, bodies: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The whole texts' topic probabilities, and each article's passage signals (`passage_signals`)."""
        probabilities = self.topic_heads.probabilities(features)
        passages = [split_passages(body, self.max_body_chars) for body in bodies]
        long_articles = [i for i, p in enumerate(passages) if len(p) > PASSAGES_FOR_A_THEME]
        passage_probabilities = np.zeros((0, probabilities.shape[1]))
        if long_articles:
            flat = [passage for i in long_articles for passage in passages[i]]
            passage_probabilities = self.topic_heads.probabilities(self.vectorizer.transform(flat).tocsr())
        return probabilities, passage_signals(probabilities, passage_probabilities,
                                              [(i, len(passages[i])) for i in long_articles])

    def topic_thresholds(self, body_chars: Sequence[int]) -> np.ndarray:
        """Per article and topic, the probability at or above which the topic is assigned."""
        if self.aggregate is None:
            return np.tile(self.topic_heads.threshold, (len(body_chars), 1))
        return self.aggregate.thresholds[:, [length_band(n) for n in body_chars]].T

    def _whole_article(self, whole: np.ndarray, signals: np.ndarray) -> np.ndarray:
        if self.aggregate is None:
            # Models fitted before the aggregate: a long article also carries a topic that its
            # PASSAGES_FOR_A_THEME-th best passage carries.
            return np.maximum(whole, signals[:, :, _THEME])
        return self.aggregate.probabilities(whole, signals)

    def features_and_topic_probabilities(
        self, titles: Sequence[str], bodies: Sequence[str], readings: list[Reading] | None = None
    ) -> tuple[sparse.csr_matrix, np.ndarray]:
        """`features(titles, bodies)` and their `topic_probabilities`, with each text analysed once:
        the whole text's counts are summed from its passages' instead of tokenising the body twice.
        The same numbers as the two calls in turn (the unit tests hold them equal); classify_batch's path.

        When `readings` is given it receives each article's `Reading`, in order (none when this
        model's analyser is scikit-learn's own, which only a model being fitted can have)."""
        counter = self._word_counter()
        if counter is None:
            features = self.features(titles, bodies)
            return features, self.topic_probabilities(features, bodies)
        passages = [split_passages(body, self.max_body_chars) for body in bodies]
        long_articles = [i for i, p in enumerate(passages) if len(p) > PASSAGES_FOR_A_THEME]
        whole, passage_counts = counter.count_articles(titles, passages, frozenset(long_articles), readings)
        features = counter.tfidf(whole)
        probabilities = self.topic_heads.probabilities(features)
        passage_probabilities = np.zeros((0, probabilities.shape[1]))
        if long_articles:
            passage_probabilities = self.topic_heads.probabilities(counter.tfidf(passage_counts))
        signals = passage_signals(probabilities, passage_probabilities, [(i, len(passages[i])) for i in long_articles])
        return features, self._whole_article(probabilities, signals)

    def analyser(self) -> TfidfFeatures | None:
        """The word analysis `features_and_topic_probabilities` counts with (None: scikit-learn's own)."""
        counter = self._word_counter()
        return counter.analyser if counter is not None else None

    def _word_counter(self) -> _WordCounter | None:
        if "_word_counter_cache" not in self.__dict__:
            self.__dict__["_word_counter_cache"] = None
            if isinstance(self.vectorizer, TfidfFeatures):
                self.__dict__["_word_counter_cache"] = _WordCounter(self.vectorizer)
            elif supported_vectorizer(self.vectorizer) is None:
                self.__dict__["_word_counter_cache"] = _WordCounter(TfidfFeatures.from_vectorizer(self.vectorizer))
        return self.__dict__["_word_counter_cache"]

    def __getstate__(self) -> dict:
        # Feature names are derived from the vocabulary at load time rather than stored twice.
        state = dict(self.__dict__)
        state["_feature_names"] = None
        state.pop("_word_counter_cache", None)
        return state


# The passage signals of an article, per topic (the last axis of `passage_signals`).
_LEAD, _BEST, _THEME, _SHARE = range(4)
PASSAGE_SIGNALS = ("lead passage", "best passage", "theme passage", "share of passages")
# A passage "is about" a topic, for the share, when the head gives it at least this probability.
PASSAGE_ON_TOPIC = 0.5


def passage_signals(whole: np.ndarray, passage_probabilities: np.ndarray,
                    long_articles: Sequence[tuple[int, int]]) -> np.ndarray:
    """Per article and topic: the probability of its first passage, of its best passage, of its
    PASSAGES_FOR_A_THEME-th best passage, and the share of its passages at PASSAGE_ON_TOPIC or more.
    `long_articles` is (row, number of passages) in the order of the passage rows; an article with
    fewer passages is its own single passage, so its signals are its whole text's."""
    signals = np.repeat(whole[:, :, None], len(PASSAGE_SIGNALS), axis=2)
    signals[:, :, _SHARE] = whole >= PASSAGE_ON_TOPIC
    start = 0
    for i, count in long_articles:
        rows = passage_probabilities[start:start + count]
        ranked = np.sort(rows, axis=0)
        signals[i, :, _LEAD] = rows[0]
        signals[i, :, _BEST] = ranked[-1]
        signals[i, :, _THEME] = ranked[-PASSAGES_FOR_A_THEME]
        signals[i, :, _SHARE] = (rows >= PASSAGE_ON_TOPIC).mean(axis=0)
        start += count
    return signals


# Length bands of a prepared body, in characters: under 300, 300-2,000, 2,000-8,000, over 8,000.
LENGTH_BAND_EDGES = (300, 2_000, 8_000)
LENGTH_BANDS = ("<300", "300-2000", "2000-8000", ">8000")


def length_band(body_chars: int) -> int:
    return bisect.bisect_right(LENGTH_BAND_EDGES, body_chars)


@dataclass
class ArticleAggregate:
    """Whole-article judgement: per topic, a logistic combination of the whole text's probability and
    the passage signals (how much of the article is about the topic, not whether one passage is).
    Fitted on labelled articles held out of the heads' training, so its output is a calibrated
    probability; its thresholds are chosen per length band on the same held-out articles."""

    coef: np.ndarray  # (topics, 1 + len(PASSAGE_SIGNALS)): whole, then each signal, as features()
    intercept: np.ndarray  # (topics,)
    thresholds: np.ndarray  # (topics, len(LENGTH_BANDS))

    @staticmethod
    def features(whole: np.ndarray, signals: np.ndarray) -> np.ndarray:
        """(articles, topics, features): log-odds of the probabilities, the share as it is."""
        clipped = np.clip(np.concatenate([whole[:, :, None], signals[:, :, :_SHARE]], axis=2), 1e-4, 1 - 1e-4)
        return np.concatenate([np.log(clipped / (1 - clipped)), signals[:, :, _SHARE:]], axis=2)

    def probabilities(self, whole: np.ndarray, signals: np.ndarray) -> np.ndarray:
        logits = np.einsum("ntf,tf->nt", self.features(whole, signals), self.coef) + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))


@dataclass(frozen=True)
class Reading:
    """What the model read of one article, feature by feature: the column of each feature (-1 out of the
    vocabulary) in the order `_WordCounter` counts them, and how many features each piece has. The pieces
    are the title, the title again, the bigrams across pieces (`seams`), then each passage of the body;
    a piece's features are its tokens, then its bigrams (so a piece of n tokens has 2n - 1)."""

    columns: np.ndarray
    piece_lengths: np.ndarray
    bigrams: bool
    # The title's and each passage's text as TfidfFeatures.parts cut it: gap, token, gap, ..., gap.
    texts: tuple[list[str], ...]
    # Per text of `texts`, True when the analysis kept every character one character long
    # (TfidfFeatures.parts_keeping_lengths): positions in its parts are positions in the text.
    keeps_lengths: tuple[bool, ...] = ()

    TITLE, TITLE_AGAIN, SEAMS, FIRST_PASSAGE = range(4)

    def parts(self, piece: int) -> list[str]:
        """The parts of the title (TITLE) or of a passage (FIRST_PASSAGE + k)."""
        return self.texts[0] if piece == self.TITLE else self.texts[piece - self.FIRST_PASSAGE + 1]

    def keeps_length(self, piece: int) -> bool:
        """Whether the analysis of the title (TITLE) or of a passage (FIRST_PASSAGE + k) is known to have kept
        every character's length (False when unknown)."""
        index = 0 if piece == self.TITLE else piece - self.FIRST_PASSAGE + 1
        return index < len(self.keeps_lengths) and self.keeps_lengths[index]

    def tokens(self, piece: int) -> int:
        """How many tokens (stop words left out) a piece has."""
        n = int(self.piece_lengths[piece])
        return (n + 1) // 2 if self.bigrams else n


class _WordCounter:
    """The model's word analysis (`TfidfFeatures`) taken apart, so that each text of an article is
    tokenised once for its whole-text row and its passage rows.

    The whole text is "title\ntitle\nbody" and the passages tile the body at line breaks. No token and
    no case or accent rule reaches across a line break or a space, so the whole text's tokens are the
    title's twice, then each passage's in order, and its n-grams are theirs plus the bigrams that
    straddle two pieces. The counts go through the same TF-IDF step, so the numbers are the same as
    `TfidfFeatures.transform`'s (and so as the fitted vectorizer's).
    """

    def __init__(self, tfidf: TfidfFeatures):
        self._tfidf = tfidf

    def count_articles(
        self, titles: Sequence[str], passages: Sequence[list[str]], long_articles: frozenset[int],
        readings: list[Reading] | None = None,
    ) -> tuple[sparse.csr_array, sparse.csr_array]:
        """Feature counts of each article's whole text, and of each passage of the long articles.

        Each title and passage is analysed once. An article's whole-text row counts its title's features
        twice, its passages' features, and the bigrams that straddle two pieces; a long article's passage
        rows count the same passage features again. All the features of the batch are looked up in one
        pass and counted by numpy (duplicates summed when the matrices are built), not per piece in Python.
        """
        tfidf = self._tfidf
        words: list[list[str]] = []  # per article: its title twice, then each passage (the seams come from these)
        n_pieces: list[int] = []  # per article: how many of those pieces
        passage_row: list[int] = []  # per piece of the Reading: its passage row, or -1 (a title, the seams, a short article)
        n_passage_rows = 0
        texts: list[tuple[list[str], ...]] = []  # per article, the parts of its title and passages
        keeps_lengths: list[tuple[bool, ...]] = []  # per article, whether each of those kept its length
        for i, (title, article_passages) in enumerate(zip(titles, passages)):
            # Cut with the gaps kept, so that a Reading can say where each token is without a rescan.
            title_parts, title_kept = tfidf.parts_keeping_lengths(title)
            passage_parts, passage_kept = [], []
            for passage in article_passages:
                parts, kept = tfidf.parts_keeping_lengths(passage)
                passage_parts.append(parts)
                passage_kept.append(kept)
            if readings is not None:
                texts.append((title_parts, *passage_parts))
                keeps_lengths.append((title_kept, *passage_kept))
            title_words = title_parts[1::2]
            words += [title_words, title_words]
            words.extend(parts[1::2] for parts in passage_parts)
            n_pieces.append(len(passage_parts) + 2)
            passage_row += [-1, -1, -1]
            if i in long_articles:
                passage_row.extend(range(n_passage_rows, n_passage_rows + len(passage_parts)))
                n_passage_rows += len(passage_parts)
            else:
                passage_row.extend([-1] * len(passage_parts))
        columns, lengths = self._reading_columns(*tfidf.word_ids(words), np.asarray(n_pieces, dtype=np.intp))
        in_vocabulary = columns >= 0
        pieces_per_article = np.asarray(n_pieces, dtype=np.intp) + 1
        whole_rows = np.repeat(np.repeat(np.arange(len(titles), dtype=np.int32), pieces_per_article), lengths)
        passage_rows = np.repeat(np.asarray(passage_row, dtype=np.int32), lengths)
        in_passage = in_vocabulary & (passage_rows >= 0)
        whole = tfidf.counts(whole_rows[in_vocabulary], columns[in_vocabulary], len(titles))
        if readings is not None:
            # Each article's pieces are consecutive: its columns are one slice of the batch's.
            piece_ends = np.cumsum(lengths).tolist()
            first_piece = 0
            for count, article_texts, article_kept in zip(pieces_per_article.tolist(), texts, keeps_lengths):
                start = piece_ends[first_piece - 1] if first_piece else 0
                end = piece_ends[first_piece + count - 1]
                readings.append(Reading(columns[start:end], lengths[first_piece:first_piece + count],
                                        self._tfidf.bigrams, article_texts, article_kept))
                first_piece += count
        return whole, tfidf.counts(passage_rows[in_passage], columns[in_passage], n_passage_rows)

    def _reading_columns(self, ids: np.ndarray, lengths: np.ndarray, n_pieces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The columns of every feature of the batch in Reading order, and each Reading piece's feature count,
        from the word ids of each article's title, title again and passages (`n_pieces` per article): the
        seams piece (the bigrams that join the last word of a piece to the first word of the next non-empty
        one) goes after the second title. All in numpy, whatever the number of articles and pieces."""
        tfidf = self._tfidf
        columns, counts = tfidf.piece_columns(ids, lengths)
        n_articles = len(n_pieces)
        article_of = np.repeat(np.arange(n_articles), n_pieces)
        first_of_article = np.cumsum(n_pieces) - n_pieces
        # Where each word piece goes among the Reading pieces: one seams piece is inserted per article,
        # after its first two.
        number = np.arange(len(lengths)) - first_of_article[article_of]
        final = np.arange(len(lengths)) + article_of + (number >= 2)
        seam_piece = first_of_article + np.arange(n_articles) + 2
        seam_count = np.zeros(n_articles, dtype=np.intp)
        seam_columns = np.empty(0, dtype=np.int32)
        if tfidf.bigrams:
            word_start = np.cumsum(lengths) - lengths
            filled = np.flatnonzero(lengths > 0)
            joined = np.flatnonzero(article_of[filled[1:]] == article_of[filled[:-1]])  # a filled piece and the next
            before, after = filled[joined], filled[joined + 1]
            seam_columns = tfidf.bigram_columns(ids[word_start[before] + lengths[before] - 1], ids[word_start[after]])
            seam_count = np.bincount(article_of[before], minlength=n_articles)
        final_lengths = np.zeros(len(lengths) + n_articles, dtype=np.intp)
        final_lengths[final] = counts
        final_lengths[seam_piece] = seam_count
        final_start = np.cumsum(final_lengths) - final_lengths
        out = np.empty(int(final_lengths.sum()), dtype=np.int32)
        out_start = np.cumsum(counts) - counts
        out[np.arange(len(columns)) + np.repeat(final_start[final] - out_start, counts)] = columns
        seam_article = np.repeat(np.arange(n_articles), seam_count)
        seam_first = np.cumsum(seam_count) - seam_count
        out[final_start[seam_piece][seam_article] + np.arange(len(seam_columns)) - seam_first[seam_article]] = seam_columns
        return out, final_lengths

    @property
    def analyser(self) -> TfidfFeatures:
        return self._tfidf

    def tfidf(self, counts: sparse.csr_array) -> sparse.csr_matrix:
        return self._tfidf.tfidf(counts)
