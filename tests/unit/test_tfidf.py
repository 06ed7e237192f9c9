"""A saved model's features (`TfidfFeatures`, no scikit-learn) are the fitted vectorizer's, bit for bit."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from newsfeed.models.errors import ArtifactError
from newsfeed.models.tfidf import TfidfFeatures, TfidfSettings

_CORPUS = [
    "The foreign minister met the ambassador for talks on a new trade treaty between the two governments.",
    "The rocket launched a communications satellite into orbit; the rocket's second stage re-entered.",
    "Troops and tanks advanced as the army launched a military offensive with artillery strikes.",
    "ΟΔΟΣ ΣΟΦΙΑΣ: the Greek délégation signed an agreement; naïve café owners cheered. Ｆｕｌｌ-width ﬁnance.",
    "Combining marks e\u0301te\u0301, astral a\U0001d165b, Vietnamese Hà Nội, and the the the repeated words.",
]
_UNSEEN = ["A treaty, a rocket and a café: talks talks talks.", "", "the of and", "Zzz unknown words only"]


@pytest.mark.parametrize("params", [
    {"strip_accents": "unicode", "stop_words": "english", "ngram_range": (1, 2), "sublinear_tf": True,
     "dtype": np.float32},
    {"strip_accents": None, "ngram_range": (1, 1), "sublinear_tf": False, "dtype": np.float64},
    {"strip_accents": "unicode", "ngram_range": (1, 2), "sublinear_tf": True, "dtype": np.float64},
])
def test_features_equal_the_vectorizer_s_for_each_supported_setting(params):
    vectorizer = TfidfVectorizer(**params).fit(_CORPUS)
    saved = TfidfFeatures.from_vectorizer(vectorizer)
    loaded = TfidfFeatures(saved.names.tolist(), saved.idf, TfidfSettings.from_dict(saved.settings.as_dict()))
    expected = vectorizer.transform(_CORPUS + _UNSEEN)
    for features in (saved, loaded):
        actual = features.transform(_CORPUS + _UNSEEN)
        assert np.array_equal(actual.indptr, expected.indptr) and np.array_equal(actual.indices, expected.indices)
        assert actual.dtype == expected.dtype and np.array_equal(actual.data, expected.data)
    assert loaded.get_feature_names_out().tolist() == vectorizer.get_feature_names_out().tolist()


@pytest.mark.parametrize("params, reason", [
    ({"analyzer": "char"}, "analyzer='char'"),
    ({"strip_accents": "ascii"}, "strip_accents='ascii'"),
    ({"ngram_range": (1, 3)}, "ngram_range=(1, 3)"),
    ({"norm": "l1"}, "norm='l1'"),
])
def test_a_vectorizer_this_code_cannot_reproduce_is_refused_at_save(params, reason):
    with pytest.raises(ArtifactError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        TfidfFeatures.from_vectorizer(TfidfVectorizer(**params).fit(_CORPUS))


def test_text_settings_this_code_does_not_read_are_refused_at_load():
    settings = TfidfFeatures.from_vectorizer(TfidfVectorizer().fit(_CORPUS)).settings.as_dict()
    with pytest.raises(ArtifactError, match="token_pattern"):
        TfidfSettings.from_dict({**settings, "token_pattern": r"\w+"})


@pytest.mark.parametrize("n_keys", [0, 1, 2, 3, 1000, 5000])
def test_the_bigram_table_finds_every_key_it_holds_and_no_other(n_keys):
    """Keys that collide (consecutive multiples of the table size hash near each other) and keys absent,
    looked up in one batch, in any order, repeated: each gets its own column or -1."""
    from newsfeed.models.tfidf import _BigramTable

    rng = np.random.default_rng(n_keys)
    keys = np.unique(np.concatenate([rng.integers(0, 10**10, n_keys), np.arange(n_keys // 2) * 4096]))[:n_keys]
    columns = rng.permutation(len(keys)).astype(np.int32)
    table = _BigramTable(keys.astype(np.int64), columns)
    absent = np.setdiff1d(rng.integers(0, 10**10, 500), keys)
    queries = rng.permutation(np.concatenate([keys, keys, absent]).astype(np.int64))
    expected = dict(zip(keys.tolist(), columns.tolist()))
    assert table.columns(queries).tolist() == [expected.get(k, -1) for k in queries.tolist()]
    assert table.columns(np.empty(0, dtype=np.int64)).tolist() == []
