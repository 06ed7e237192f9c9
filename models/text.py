"""Text preparation: from a raw article (title, scraped text or HTML) to the clean text a model reads.

Everything here is pure and deterministic, because it runs inside the versioned model pipeline:
training and serving must turn the same article into the same text. Any change to what these
functions return is a change of TEXT_PREP_VERSION, which every model artifact records.

`prepare_article` is the one entry point the classifier calls; the other public functions are its
steps, exposed so tests and corpus builders can use them one at a time. This module holds the
version, the pipeline and the combining-mark limit; each step is a module of its own:
`models.html_text` (HTML to text), `models.boilerplate` (the site around the article),
`models.language` (which language), and `models.whitespace`, which the first two share.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from dataclasses import dataclass

# The three jobs of text preparation live in their own modules; their entry points are re-exported
# here, the module every caller and the version number belong to.
from newsfeed.models.boilerplate import strip_boilerplate
from newsfeed.models.html_text import html_to_text
from newsfeed.models.language import detect_language
from newsfeed.models.whitespace import normalize_whitespace

__all__ = ["MAX_COMBINING_RUN", "READS_TEXT_PREP_VERSIONS", "TEXT_PREP_VERSION", "PreparedText", "combining_characters",
           "detect_language", "html_to_text", "limit_combining_runs", "non_ascii_characters", "normalize_whitespace", "prepare_article",
           "strip_boilerplate"]

TEXT_PREP_VERSION = "2"
# The versions whose models this code serves. v2 bounds the cost of hostile input (combining-mark
# runs cut to 30, head-line patterns on short lines only, unterminated HTML marked sections made text)
# and differs from v1 only on inputs no news text has: bench.identity's 2,720 real articles give
# byte-identical enrichments under both.
READS_TEXT_PREP_VERSIONS = frozenset({"1", "2"})


@dataclass(frozen=True)
class PreparedText:
    """An article's text as the model sees it. `char_count` counts the characters of `body`."""

    title: str
    body: str
    language: str | None
    language_confidence: float
    char_count: int


def prepare_article(title: str, text: str, html: str) -> PreparedText:
    """Prepare one article: plain `text` when present, else the text of `html`, without boilerplate."""
    title = " ".join(unicodedata.normalize("NFC", limit_combining_runs(title or "")).split())
    raw = text if (text or "").strip() else html_to_text(limit_combining_runs(html or ""))
    # NFC so that "é" typed as one code point or as e + accent becomes the same token.
    body = strip_boilerplate(unicodedata.normalize("NFC", limit_combining_runs(raw)), title)
    language, confidence = detect_language(body or title)
    return PreparedText(title, body, language, confidence, len(body))


# ---------------------------------------------------------------------------------------------
# Combining marks

# Unicode's Stream-Safe Text Format (UAX #15) bounds a run of combining marks at 30: no real text
# needs more. Normalisation sorts each run by combining class with an insertion sort (CPython), so
# an unbounded run of alternating marks costs the square of its length: 100,000 marks took 9.5 s.
MAX_COMBINING_RUN = 30


@functools.cache
def combining_characters() -> tuple[str, str]:
    """Every code point with a nonzero combining class, as the body of a regex character class: those
    of the Basic Multilingual Plane alone (a bitmap to the regex engine, fast) and all of them."""
    ranges: list[list[int]] = []
    for code in range(sys.maxunicode + 1):
        if unicodedata.combining(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])

    def character_class(selected: list[list[int]]) -> str:
        return "[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in selected) + "]"

    return character_class([r for r in ranges if r[1] <= 0xFFFF]), character_class(ranges)


@functools.cache
def _combining_patterns() -> tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]:
    """(one mark, a run longer than the limit) for the Basic Multilingual Plane and for every plane.
    Most news text has no combining mark at all (accents come precomposed): one mark is looked for
    first, which the regex engine scans for in C about twice as fast as for a run."""
    return tuple((re.compile(marks), re.compile(f"{marks}{{{MAX_COMBINING_RUN + 1},}}"))
                 for marks in combining_characters())


_ASTRAL_RE = re.compile("[\\U00010000-\\U0010ffff]")
_ASCII_RUNS = re.compile(r"[\x00-\x7f]+")


def non_ascii_characters(text: str) -> set[str]:
    """The distinct non-ASCII characters of a text. Deleting the ASCII runs takes about half the time of
    finding the other characters one by one, in news text where they are a few quotes and dashes."""
    return set(_ASCII_RUNS.sub("", text))


def limit_combining_runs(text: str) -> str:
    """`text` with every run of combining marks cut to its first MAX_COMBINING_RUN marks."""
    # Most news text has no combining mark at all (accents come precomposed): its few distinct
    # non-ASCII characters (quotes, dashes) are checked, which costs less than one regex scan for a mark.
    if text.isascii() or not any(map(unicodedata.combining, non_ascii_characters(text))):
        return text
    basic, every = _combining_patterns()
    mark, long_run = every if _ASTRAL_RE.search(text) else basic
    if mark.search(text) is None:
        return text
    return long_run.sub(lambda run: run.group()[:MAX_COMBINING_RUN], text)
