"""Speed shortcuts of issue 11 (second round) give what the long way gives, on texts chosen to break them:
empty, ASCII, quotes and dashes, accents, letters whose analysis changes length, final sigma, marks,
astral characters, very long."""

from __future__ import annotations

import dataclasses
import random
import sys

import pytest

from newsfeed.models.artifact import load_model
from newsfeed.models.classifier import classify_batch
from newsfeed.models.evidence import _analysed_length, analysis_map
from newsfeed.models.gazetteer import _SUBJECT_BEFORE, _may_open_sentence
from newsfeed.models.model_registry import resolve_model_dir
from newsfeed.models.pipeline import Reading
from newsfeed.models.schema import Article
from newsfeed.models.tfidf import TfidfFeatures, TfidfSettings, lower_and_strip_accents

_PIECES = ["", "a", "The talks", "“Quoted” — dashes – and ‘apostrophes’", "Élysée délégation naïve café",
           "İstanbul KELVIN \u212a", "ΟΔΟΣ ΣΟΦΙΑΣ. Σ", "ﬁnal ﬂight…", "e\u0301te\u0301 x\u0301\u0302y",
           "astral a\U0001d165b \U0001f680 rocket", "ß Straße STRASSE", "ǅ ǆ Ǆ", "\u0130\u0131", "Ⅻ ⅻ ①"]


def _texts(seed: int = 7, count: int = 400) -> list[str]:
    rng = random.Random(seed)
    texts = list(_PIECES)
    for _ in range(count):
        texts.append(" ".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 6))))
    texts.append(" ".join(_PIECES) * 500)  # very long
    # Every character of the Basic Multilingual Plane, a chunk at a time, among ASCII words.
    every = "".join(chr(code) for code in range(0x80, 0x10000) if not 0xD800 <= code <= 0xDFFF)
    texts += [f"word {every[start:start + 64]} Word" for start in range(0, len(every), 64)]
    return texts


@pytest.mark.parametrize("strip_accents", ["unicode", None])
def test_parts_keeping_lengths_are_the_parts_and_vouch_only_for_kept_lengths(strip_accents):
    features = TfidfFeatures(["talks", "word"], __import__("numpy").ones(2),
                             TfidfSettings(strip_accents, (), 1, True, "float32"))
    analyse = features.analyse
    for text in _texts():
        parts, kept = features.parts_keeping_lengths(text)
        assert parts == features.parts(text)
        if kept:
            # What the evidence skips: the offset map of the piece, which would be None.
            assert analysis_map(text, analyse) is None
            assert all(_analysed_length(char, analyse) == 1 for char in set(text))
            assert len(analyse(text)) == len(text)


def test_lower_and_strip_accents_is_unchanged_by_the_split_of_its_steps():
    import unicodedata
    for text in _texts(seed=3, count=100):
        expected = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
        assert lower_and_strip_accents(text) == expected


def test_subject_check_is_skipped_only_where_the_pattern_cannot_match():
    rng = random.Random(11)
    alphabet = ["a", "The ", "the ", ". ", "!", "?", "\n", "\n\n", " ", "”", ")", "Russia", "x" * 20]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        for start in range(len(text) + 1):
            if not _may_open_sentence(text, start):
                assert _SUBJECT_BEFORE.search(text, max(0, start - 16), start) is None, (text, start)


@pytest.fixture(scope="module")
def shipped():
    return load_model(resolve_model_dir(None))


def test_evidence_spans_are_the_same_when_no_piece_is_vouched_for(shipped, monkeypatch):
    """The long way: every piece's offset map computed (as when the tokenizer vouches for none)."""
    rng = random.Random(5)
    words = ["The foreign minister", "met", "the Ukrainian delegation", "for talks on a treaty.", "Élysée",
             "officials said", "the ﬁnal round", "of négociations…", "“ceasefire”", "— Russia —", "İstanbul",
             "ΟΔΟΣ ΣΟΦΙΑΣ", "rocket launch", "satellite orbit", "army troops", "military offensive", "\n\n"]
    articles = [Article.from_text(" ".join(rng.choice(words) for _ in range(rng.randint(8, 400))),
                                  title=" ".join(rng.choice(words) for _ in range(rng.randint(1, 8))))
                for _ in range(60)]
    articles.append(Article.from_text(" ".join(words) * 60, title="Talks"))
    fast = [e.as_dict() for e in classify_batch(articles, shipped)]
    original = Reading.keeps_length
    calls = []

    def unknown(self, piece):
        calls.append(original(self, piece))
        return False

    monkeypatch.setattr(Reading, "keeps_length", unknown)
    slow = [e.as_dict() for e in classify_batch(articles, shipped)]
    assert fast == slow
    assert any(calls) and not all(calls)  # both kinds of piece were met
