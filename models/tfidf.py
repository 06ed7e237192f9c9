"""TF-IDF features of a fitted vocabulary, computed without scikit-learn: what a saved model reads text with.

A model is fitted with scikit-learn's `TfidfVectorizer`; the artifact keeps only its numbers (feature
names in column order, idf) and the few settings re-implemented here (`TfidfFeatures.settings`), so
loading a model runs no pickle and needs no scikit-learn. Every step reproduces the vectorizer's
arithmetic in the same order and dtype, so the features are equal bit for bit (tests/unit/test_tfidf.py
holds them to `TfidfVectorizer.transform`):

    preprocess (lowercase, strip accents) -> tokens (\\w\\w+) -> drop stop words -> uni/bigrams
    -> counts -> log(count) + 1 (sublinear) -> * idf -> / l2 norm of the row

The n-grams are looked up by word ids (`_WordIndex`, derived from the feature names at first use): each
word is looked up once, a bigram is the pair of its words' ids found in one hash table, and no n-gram
string is built. The counts, and so the l2 norm, still run over every feature of the vocabulary.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
from scipy import sparse

from newsfeed.models.errors import ArtifactError
from newsfeed.models.text import combining_characters, non_ascii_characters

# The vectorizer's defaults that are re-implemented; any other setting cannot be saved (and, at training
# time, takes scikit-learn's own path).
DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"
# The same tokens as the default pattern, found about 1.4 times faster: a leading character class lets
# the regex engine skip non-word characters in C, where `\b` is tried at every position. The word
# boundaries add nothing: a left-to-right scan meets a run of word characters at its first one, and
# the greedy `\w+` ends it at its last.
WORD_TOKENS = re.compile(r"\w\w+")
# The same tokens with the text between them: split() with a group returns gap, token, gap, ..., gap,
# as fast as findall, and the parts' lengths say where every token is (models/evidence.py reads them).
TOKENS_AND_GAPS = re.compile(r"(\w\w+)")


@functools.cache
def _combining_characters() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """One combining mark of the Basic Multilingual Plane, and one of any plane."""
    return tuple(re.compile(marks) for marks in combining_characters())


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@functools.lru_cache(maxsize=4096)
def _kept_by_analysis(char: str) -> bool:
    """Whether accent stripping leaves this character as it is: not a mark, and its own NFKD."""
    return not unicodedata.combining(char) and unicodedata.normalize("NFKD", char) == char


def lower_and_strip_accents(text: str) -> str:
    """scikit-learn's preprocessing with lowercase=True and strip_accents="unicode", the same string out:
    it drops combining marks after NFKD one character at a time in Python; a regex does it in C."""
    return _strip_accents(text.lower())[0]


def _strip_accents(text: str) -> tuple[str, bool]:
    """A lowercased text with its accents stripped, and whether that left it as it was."""
    # News text's non-ASCII characters are mostly quotes and dashes, which NFKD leaves as they are and
    # which are not marks: a text of only such characters is its own result, found by checking its few
    # distinct ones (NFKD decomposes character by character and reorders only marks).
    if text.isascii() or all(map(_kept_by_analysis, non_ascii_characters(text))):
        return text, True
    basic, every = _combining_characters()
    text = basic.sub("", unicodedata.normalize("NFKD", text))
    # The full class checks each character against ~70 ranges outside the BMP: only when one is there.
    return (every.sub("", text) if _ASTRAL.search(text) else text), False


@dataclass(frozen=True)
class TfidfSettings:
    """The vectorizer settings a saved model is read with (the artifact's `text.json`)."""

    strip_accents: str | None  # "unicode" or None; text is always lowercased
    stop_words: tuple[str, ...]
    ngram_max: int  # 1 or 2
    sublinear_tf: bool
    dtype: str  # of the feature values, "float32" as fitted

    def as_dict(self) -> dict[str, Any]:
        return {"lowercase": True, "strip_accents": self.strip_accents, "token_pattern": DEFAULT_TOKEN_PATTERN,
                "ngram_range": [1, self.ngram_max], "sublinear_tf": self.sublinear_tf, "use_idf": True,
                "norm": "l2", "dtype": self.dtype, "stop_words": list(self.stop_words)}

    @classmethod
    def from_dict(cls, fields: dict[str, Any]) -> TfidfSettings:
        """The settings of a `text.json`, refused (ArtifactError) unless this code reads text that way."""
        fixed = {"lowercase": True, "token_pattern": DEFAULT_TOKEN_PATTERN, "use_idf": True, "norm": "l2"}
        for key, value in fixed.items():
            if fields.get(key) != value:
                raise ArtifactError(f"text.json: {key}={fields.get(key)!r}; this code reads only {value!r}")
        if fields.get("strip_accents") not in ("unicode", None) or fields.get("ngram_range") not in ([1, 1], [1, 2]):
            raise ArtifactError(f"text.json: strip_accents={fields.get('strip_accents')!r}, "
                                f"ngram_range={fields.get('ngram_range')!r} are not read by this code")
        if fields.get("dtype") not in ("float32", "float64"):
            raise ArtifactError(f"text.json: feature dtype {fields.get('dtype')!r} is not float32 or float64")
        return cls(fields["strip_accents"], tuple(fields["stop_words"]), fields["ngram_range"][1],
                   bool(fields["sublinear_tf"]), fields["dtype"])


def supported_vectorizer(vectorizer: Any) -> str | None:
    """Why a fitted scikit-learn vectorizer cannot be re-implemented here, or None when it can."""
    params = vectorizer.get_params()
    wanted = {"analyzer": "word", "input": "content", "tokenizer": None, "preprocessor": None, "lowercase": True,
              "token_pattern": DEFAULT_TOKEN_PATTERN, "binary": False, "use_idf": True, "norm": "l2"}
    for key, value in wanted.items():
        if params.get(key) != value:
            return f"vectorizer {key}={params.get(key)!r}, not {value!r}"
    if params.get("strip_accents") not in ("unicode", None):
        return f"vectorizer strip_accents={params.get('strip_accents')!r}"
    if tuple(params.get("ngram_range", ())) not in ((1, 1), (1, 2)):
        return f"vectorizer ngram_range={params.get('ngram_range')!r}"
    if not hasattr(vectorizer, "vocabulary_") or not hasattr(vectorizer, "idf_"):
        return "vectorizer is not fitted"
    return None


class TfidfFeatures:
    """The TF-IDF rows of texts over a fixed vocabulary: a fitted vectorizer, as plain numbers."""

    def __init__(self, names: Sequence[str], idf: np.ndarray, settings: TfidfSettings):
        self.settings = settings
        self.names = np.asarray(names, dtype=object)
        self.idf = idf
        self.vocabulary: dict[str, int] = {name: column for column, name in enumerate(names)}
        if len(self.vocabulary) != len(names) or len(idf) != len(names):
            raise ArtifactError(f"vocabulary of {len(names)} features ({len(self.vocabulary)} distinct) "
                                f"does not match {len(idf)} idf values")
        self.dtype = np.dtype(settings.dtype)
        self.bigrams = settings.ngram_max == 2
        self._preprocess = lower_and_strip_accents if settings.strip_accents == "unicode" else str.lower
        self._stop_words = frozenset(settings.stop_words)

    @classmethod
    def from_vectorizer(cls, vectorizer: Any) -> TfidfFeatures:
        """The same features as a fitted `TfidfVectorizer`, read from its public attributes only."""
        reason = supported_vectorizer(vectorizer)
        if reason is not None:
            raise ArtifactError(f"cannot save this model without scikit-learn: {reason}")
        names = vectorizer.get_feature_names_out().tolist()
        settings = TfidfSettings(vectorizer.strip_accents, tuple(sorted(vectorizer.get_stop_words() or ())),
                                 vectorizer.ngram_range[1], bool(vectorizer.sublinear_tf), np.dtype(vectorizer.dtype).name)
        return cls(names, np.asarray(vectorizer.idf_), settings)

    def __len__(self) -> int:
        return len(self.names)

    def get_feature_names_out(self) -> np.ndarray:
        """The feature names in column order (the name scikit-learn gives this)."""
        return self.names

    def transform(self, docs: Sequence[str]) -> sparse.csr_matrix:
        """The TF-IDF rows of `docs`, one per text."""
        ids, lengths = self.word_ids([WORD_TOKENS.findall(self._preprocess(doc)) for doc in docs])
        columns, feature_counts = self.piece_columns(ids, lengths)
        rows = np.repeat(np.arange(len(docs), dtype=np.int32), feature_counts)
        known = columns >= 0
        return self.tfidf(self.counts(rows[known], columns[known], len(docs)))

    def analyse(self, text: str) -> str:
        """The text as the tokens are found in it: lowercased (and accents stripped, when the model does)."""
        return self._preprocess(text)

    @property
    def stop_words(self) -> frozenset[str]:
        return self._stop_words

    def tokens(self, text: str) -> list[str]:
        """The words of a text that count: preprocessed, tokenised, stop words dropped."""
        stop_words = self._stop_words
        return [token for token in WORD_TOKENS.findall(self._preprocess(text)) if token not in stop_words]

    def parts(self, text: str) -> list[str]:
        """The preprocessed text cut into gap, token, gap, ..., gap (tokens at the odd places)."""
        return TOKENS_AND_GAPS.split(self._preprocess(text))

    def parts_keeping_lengths(self, text: str) -> tuple[list[str], bool]:
        """`parts(text)`, and whether the analysis left every character of `text` one character long (its
        lowercase, accents kept): then a position in the parts is the same position in `text`, and the
        evidence needs no offset map (models/evidence.py). Told by the analysis's own check, at no cost.
        False is not a promise of the contrary: an accented letter keeps its length, and is False here."""
        lowered = text.lower()
        same_length = len(lowered) == len(text)
        if self._preprocess is str.lower:
            return TOKENS_AND_GAPS.split(lowered), same_length
        analysed, unchanged = _strip_accents(lowered)
        return TOKENS_AND_GAPS.split(analysed), same_length and unchanged

    @functools.cached_property
    def _index(self) -> _WordIndex:
        return _WordIndex(self.names.tolist(), self._stop_words)

    def __getstate__(self) -> dict:
        # The word index is derived from the names on first use, not stored twice.
        return {name: value for name, value in self.__dict__.items() if name != "_index"}

    def word_ids(self, pieces: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """The words of several pieces of text as word ids, stop words dropped, all pieces in one array,
        and how many words each piece keeps. One dictionary lookup per word, in one C pass."""
        index = self._index
        raw_lengths = np.fromiter(map(len, pieces), dtype=np.intp, count=len(pieces))
        raw = np.fromiter(map(index.words.get, itertools.chain.from_iterable(pieces), itertools.repeat(index.unknown)),
                          dtype=np.int64, count=int(raw_lengths.sum()))
        kept = raw != index.stop
        if kept.all():
            return raw, raw_lengths
        piece = np.repeat(np.arange(len(pieces)), raw_lengths)
        return raw[kept], np.bincount(piece[kept], minlength=len(pieces))

    def piece_columns(self, ids: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The columns of the features of pieces given as `word_ids` (-1 out of the vocabulary), and how many
        features each piece has. A piece's features are its words, then (bigram models) the bigrams of
        consecutive words: a piece of n words has 2n - 1. What the vectorizer counts, looked up by word
        ids: no n-gram string is built."""
        index = self._index
        unigrams = index.unigram_columns[ids]
        if not self.bigrams:
            return unigrams, lengths
        counts = np.maximum(2 * lengths - 1, 0)
        out_start = np.cumsum(counts) - counts
        word_start = np.cumsum(lengths) - lengths
        piece = np.repeat(np.arange(len(lengths)), lengths)
        local = np.arange(len(ids)) - word_start[piece]
        out = np.empty(int(counts.sum()), dtype=np.int32)
        out[out_start[piece] + local] = unigrams
        first = np.flatnonzero(local < lengths[piece] - 1)  # a word followed by one of its piece
        out[out_start[piece[first]] + lengths[piece[first]] + local[first]] = index.bigram_columns(ids[first], ids[first + 1])
        return out, counts

    def bigram_columns(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """The columns of the bigrams (first[k] second[k]) of word ids, -1 out of the vocabulary."""
        return self._index.bigram_columns(first, second)

    def counts(self, rows: np.ndarray, columns: np.ndarray, n_rows: int) -> sparse.csr_array:
        """Counts of (row, column) pairs: the CSR constructor sums the duplicates."""
        ones = np.ones(len(rows), dtype=np.int32)
        return sparse.csr_array((ones, (rows, columns)), shape=(n_rows, len(self.names)))

    def tfidf(self, counts: sparse.csr_array) -> sparse.csr_matrix:
        """The TF-IDF rows of a count matrix, with scikit-learn's TfidfTransformer arithmetic: counts in
        the feature dtype, sorted by column (as CountVectorizer leaves them), log + 1, times idf, then each
        row divided by its l2 norm, summed in double in column order as its `normalize` does."""
        values = sparse.csr_array(counts, dtype=self.dtype)
        if counts.has_sorted_indices:
            # The copy does not inherit the flag: without it, sort_indices sorts the rows again.
            values.has_sorted_indices = True
        values.sort_indices()
        data = values.data
        if self.settings.sublinear_tf:
            np.log(data, out=data)
            data += 1.0
        data *= self.idf[values.indices]
        rows = np.repeat(np.arange(values.shape[0]), np.diff(values.indptr))
        # bincount adds its weights in index order in double: the loop of sklearn's l2 normalisation.
        norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=values.shape[0]))
        norms[norms == 0.0] = 1.0  # an empty row is left as it is
        data[:] = data / norms[rows]
        return sparse.csr_matrix(values)


class _WordIndex:
    """The vocabulary by word ids: every word that occurs in a feature has an id, the unigram features'
    columns are an array by id, and the bigrams' a hash table of (first id, second id) keys. Stop words
    have an id of their own (dropped before n-grams, as the vectorizer drops them), as have unknown words.
    Built from the feature names, so the artifact stores nothing more."""

    def __init__(self, names: list[str], stop_words: frozenset[str]):
        words: dict[str, int] = {}
        unigram_columns: list[int] = []
        pairs: list[tuple[int, int, int]] = []

        def word_id(word: str) -> int:
            found = words.get(word)
            if found is None:
                found = words[word] = len(words)
                unigram_columns.append(-1)
            return found

        for column, name in enumerate(names):
            first, space, second = name.partition(" ")
            if space:
                pairs.append((word_id(first), word_id(second), column))
            else:
                unigram_columns[word_id(first)] = column
        self.unknown, self.stop = len(words), len(words) + 1
        # A stop word is dropped even if a feature holds it (no fitted vocabulary does).
        words.update(dict.fromkeys(stop_words, self.stop))
        self.words = words
        self.unigram_columns = np.asarray(unigram_columns + [-1, -1], dtype=np.int32)
        self._base = np.int64(self.stop + 1)
        keys = np.asarray([a * int(self._base) + b for a, b, _ in pairs], dtype=np.int64)
        self._table = _BigramTable(keys, np.asarray([c for _, _, c in pairs], dtype=np.int32))

    def bigram_columns(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        return self._table.columns(first * self._base + second)


class _BigramTable:
    """Bigram keys (first word id * base + second word id) to columns: an open-addressing hash table in
    two arrays, probed for a whole batch of keys at once (three times faster than a binary search of a
    sorted array). Slots are Fibonacci hashes (the top bits of key * 2^64/phi), at most half the table
    full, collisions resolved by the next free slot. A lookup stops at its key or at an empty slot, so it
    takes at most as many rounds as the longest run of full slots: fixed by the vocabulary, not the text."""

    _MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)

    def __init__(self, keys: np.ndarray, columns: np.ndarray):
        self._bits = max(1, int(len(keys) * 2 - 1).bit_length())
        self._mask = (1 << self._bits) - 1
        self._keys = np.full(1 << self._bits, -1, dtype=np.int64)
        self._columns = np.full(1 << self._bits, -1, dtype=np.int32)
        slots = self._slots(keys)
        pending = np.arange(len(keys))
        while len(pending):
            # Per round, each free slot asked for takes the first key that asks (np.unique's first index);
            # the keys left over try the next slot.
            free = pending[self._keys[slots[pending]] == -1]
            _, first = np.unique(slots[free], return_index=True)
            placed = free[first]
            self._keys[slots[placed]], self._columns[slots[placed]] = keys[placed], columns[placed]
            is_placed = np.zeros(len(keys), dtype=bool)
            is_placed[placed] = True
            pending = pending[~is_placed[pending]]
            slots[pending] = (slots[pending] + 1) & self._mask

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        return ((keys.astype(np.uint64) * self._MULTIPLIER) >> np.uint64(64 - self._bits)).astype(np.intp)

    def columns(self, keys: np.ndarray) -> np.ndarray:
        """The column of each key, -1 for a key not in the table."""
        out = np.full(len(keys), -1, dtype=np.int32)
        todo, slots = np.arange(len(keys)), self._slots(keys)
        while len(todo):
            held = self._keys[slots]
            hit = held == keys[todo]
            out[todo[hit]] = self._columns[slots[hit]]
            going_on = ~hit & (held != -1)
            todo, slots = todo[going_on], (slots[going_on] + 1) & self._mask
        return out
