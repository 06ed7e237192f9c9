"""The one-pass scoring path (`features_and_topic_probabilities`) gives exactly the numbers of the
vectorizer's own path (`features`, then `topic_probabilities`): it is a speed-up, not a new model."""

from __future__ import annotations

import pickle
import re
import sys
import unicodedata

import numpy as np
from sklearn.feature_extraction.text import strip_accents_unicode

from newsfeed.models.pipeline import PASSAGES_FOR_A_THEME, split_passages
from newsfeed.models.tfidf import DEFAULT_TOKEN_PATTERN, WORD_TOKENS, lower_and_strip_accents

_PARAGRAPHS = [
    "The foreign minister met the ambassador for talks on a new trade treaty between the two governments, "
    "and the envoys said negotiations would resume after the summit in the capital next week.",
    "ΟΔΟΣ ΣΟΦΙΑΣ: the Greek délégation signed an agreement; naïve café owners cheered. Ｆｕｌｌ-width "
    "ﬁnance and the ﬂag of the embassy. Combining: e\u0301te\u0301, astral: a\U0001d165b, Vietnamese: Hà Nội.",
    "The rocket launched a communications satellite into orbit from the cosmodrome while astronauts aboard "
    "the International Space Station tested a new spacecraft docking system near the Moon on its mission.",
    "the of and to in is that for it was on with as be by at this are from have has had not but or an",
    "Troops and tanks advanced as the army launched a military offensive with artillery strikes; the "
    "defence ministry announced a missile test and new fighter jets for the air force near the front line.",
]


def _cases() -> list[tuple[str, str]]:
    long_body = "\n".join(p * 2 for p in _PARAGRAPHS)  # five passages of 250+ characters: a long article
    return [
        ("Summit talks", long_body),
        ("", long_body),  # no title
        ("ΟΔΟΣ ΣΟΦΙΑΣ", "\n\n".join(_PARAGRAPHS[:2])),  # two passages: scored whole only
        ("Rocket launch", "short body about the rocket launch"),
        ("Only a title about the ambassador and the treaty", ""),
        ("Cut mid-word", ("The ambassador signed the treaty. " * 400) + "\n" + _PARAGRAPHS[0]),  # past the body cut
        ("the of and", "\n".join(_PARAGRAPHS[3] for _ in range(5))),  # passages of stop words only
        ("Mixed", "\n".join(["diplomats", _PARAGRAPHS[0] * 2, "", "  ", _PARAGRAPHS[2] * 2, _PARAGRAPHS[4] * 2])),
    ]


def test_one_pass_scores_equal_the_vectorizer_path(tiny_model):
    text_model = tiny_model.text_model
    titles, bodies = zip(*_cases())
    assert sum(len(split_passages(b, text_model.max_body_chars)) > PASSAGES_FOR_A_THEME for b in bodies) >= 3
    expected_features = text_model.features(titles, bodies)
    expected_topics = text_model.topic_probabilities(expected_features, bodies)
    features, topics = text_model.features_and_topic_probabilities(titles, bodies)
    assert type(features) is type(expected_features)
    assert np.array_equal(features.indptr, expected_features.indptr)
    assert np.array_equal(features.indices, expected_features.indices)
    assert features.data.dtype == expected_features.data.dtype
    assert np.array_equal(features.data, expected_features.data)
    assert np.array_equal(topics, expected_topics)


def testlower_and_strip_accents_is_scikit_learns_for_every_character():
    every = "".join(chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF)
    chunks = [every[start:start + 4096] for start in range(0, len(every), 4096)]
    for chunk in chunks + [_PARAGRAPHS[1], "ΟΔΟΣ ΣΟΦΙΑΣ", "plain ascii"]:
        assert lower_and_strip_accents(chunk) == strip_accents_unicode(chunk.lower())


def test_lower_and_strip_accents_is_scikit_learns_for_each_character_among_quotes():
    """Most texts take the shortcut (their few distinct non-ASCII characters change nothing): each
    character of the Basic Multilingual Plane alone among quotes and dashes, so each decides it."""
    for code in range(0x80, 0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        text = f"\u201cCaf{chr(code)}\u201d \u2014 A{chr(code)}"
        assert lower_and_strip_accents(text) == strip_accents_unicode(text.lower()), hex(code)


def test_word_tokens_are_the_default_token_patterns_for_every_character():
    default = re.compile(DEFAULT_TOKEN_PATTERN)
    every = "".join(chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF)
    # Each character alone, doubled (a token), and between word characters and spaces.
    samples = [every[start:start + 512] for start in range(0, len(every), 512)]
    samples += [" ".join(c * 2 for c in chunk) + " a" + chunk + "b _" for chunk in samples[:256]]
    for text in samples + _PARAGRAPHS + ["a", "", "ab", "a b", "_a_ b_", "x\u0301y", "1st 2 ab9"]:
        assert WORD_TOKENS.findall(text) == default.findall(text)


def test_scoring_caches_stay_out_of_the_pickle(tiny_model):
    text_model = tiny_model.text_model
    text_model.features_and_topic_probabilities(["Summit"], ["The ambassador signed the treaty"])
    restored = pickle.loads(pickle.dumps(text_model))
    assert "_word_counter_cache" not in restored.__dict__
    assert "_coef_t_cache" not in restored.topic_heads.__dict__
    assert np.array_equal(restored.topic_heads.coef, text_model.topic_heads.coef)


def test_decomposed_text_is_what_the_check_covers():
    # NFKD can turn one character into a letter and a combining mark: both paths see the same string.
    assert unicodedata.normalize("NFKD", "é") == "e\u0301"
    assert lower_and_strip_accents("É") == "e"


def _reading_by_strings(analyser, title: str, passages: list[str]) -> tuple[list[int], list[int]]:
    """An article's Reading columns and piece lengths built the plain way: every n-gram as a string,
    looked up in the vocabulary (what the word-id path replaced)."""
    def features(tokens):
        return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])] if analyser.bigrams else tokens

    title_tokens = analyser.tokens(title)
    pieces = [analyser.tokens(p) for p in passages]
    seams, last = [], None
    for piece in [title_tokens, title_tokens, *pieces]:
        if piece:
            if last is not None:
                seams.append(f"{last} {piece[0]}")
            last = piece[-1]
    lists = [features(title_tokens), features(title_tokens), seams if analyser.bigrams else [], *map(features, pieces)]
    columns = [analyser.vocabulary.get(f, -1) for f in lists for f in f]
    return columns, [len(f) for f in lists]


def test_readings_by_word_ids_equal_the_n_gram_strings(tiny_model):
    """The word-id lookup (no n-gram string built) finds the same column for every feature, in the same
    order, as looking each n-gram up by name: unseen words, stop words, empty titles and passages,
    one-word pieces and the bigrams across pieces included."""
    text_model = tiny_model.text_model
    cases = _cases() + [("", ""), ("zzqx", "qqzv wwxy\nthe\nrocket"), ("treaty", "the of\nambassador")]
    titles, bodies = zip(*cases)
    readings = []
    text_model.features_and_topic_probabilities(titles, bodies, readings)
    analyser = text_model.analyser()
    assert len(readings) == len(cases)
    for (title, body), reading in zip(cases, readings):
        columns, lengths = _reading_by_strings(analyser, title, split_passages(body, text_model.max_body_chars))
        assert reading.columns.tolist() == columns, title
        assert reading.piece_lengths.tolist() == lengths, title
    assert any((r.columns == -1).any() for r in readings) and any((r.columns >= 0).any() for r in readings)


def test_an_empty_batch_has_no_features(tiny_model):
    features, topics = tiny_model.text_model.features_and_topic_probabilities([], [], [])
    assert features.shape[0] == 0 and topics.shape[0] == 0
