"""TF-IDF features of a fitted vocabulary, computed without scikit-learn: what a saved model reads text with.

A model is fitted with scikit-learn's `TfidfVectorizer`; the artifact keeps only its numbers (feature
names in column order, idf) and the few settings re-implemented here (`TfidfFeatures.settings`), so
loading a model runs no pickle and needs no scikit-learn. Every step reproduces the vectorizer's
arithmetic in the same order and dtype, so the features are equal bit for bit (tests/unit/test_tfidf.py
holds them to `TfidfVectorizer.transform`):

    preprocess (lowercase, strip accents) -> tokens (\\w\\w+) -> drop stop words -> uni/bigrams
    -> counts -> log(count) + 1 (sublinear) -> * idf -> / l2 norm of the row
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
from newsfeed.models.text import combining_characters

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


def lower_and_strip_accents(text: str) -> str:
    """scikit-learn's preprocessing with lowercase=True and strip_accents="unicode", the same string out:
    it drops combining marks after NFKD one character at a time in Python; a regex does it in C."""
    text = text.lower()
    if text.isascii():
        return text
    basic, every = _combining_characters()
    text = basic.sub("", unicodedata.normalize("NFKD", text))
    # The full class checks each character against ~70 ranges outside the BMP: only when one is there.
    return every.sub("", text) if _ASTRAL.search(text) else text


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
        features = [self.features(self.tokens(doc)) for doc in docs]
        rows = np.repeat(np.arange(len(docs), dtype=np.int32), [len(f) for f in features])
        columns = self.columns(itertools.chain.from_iterable(features), len(rows))
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

    def tokens_of_parts(self, parts: list[str]) -> list[str]:
        """`tokens(text)` from `parts(text)`: the same words."""
        stop_words = self._stop_words
        return [token for token in parts[1::2] if token not in stop_words]

    def features(self, tokens: list[str]) -> list[str]:
        """A run of tokens' unigrams and bigrams (distinct features have distinct columns)."""
        return tokens + list(map(" ".join, zip(tokens, tokens[1:]))) if self.bigrams else tokens

    def columns(self, features: Any, count: int) -> np.ndarray:
        """One C pass over `count` features: each to its column, -1 out of vocabulary."""
        return np.fromiter(map(self.vocabulary.get, features, itertools.repeat(-1)), dtype=np.int32, count=count)

    def counts(self, rows: np.ndarray, columns: np.ndarray, n_rows: int) -> sparse.csr_array:
        """Counts of (row, column) pairs: the CSR constructor sums the duplicates."""
        ones = np.ones(len(rows), dtype=np.int32)
        return sparse.csr_array((ones, (rows, columns)), shape=(n_rows, len(self.names)))

    def tfidf(self, counts: sparse.csr_array) -> sparse.csr_matrix:
        """The TF-IDF rows of a count matrix, with scikit-learn's TfidfTransformer arithmetic: counts in
        the feature dtype, sorted by column (as CountVectorizer leaves them), log + 1, times idf, then each
        row divided by its l2 norm, summed in double in column order as its `normalize` does."""
        values = sparse.csr_array(counts, dtype=self.dtype)
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
