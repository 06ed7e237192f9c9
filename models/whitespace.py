"""Whitespace as a tokenizer needs it: one space between words, one blank line at most between
paragraphs, and no invisible characters that split words. Shared by the HTML reader and the
boilerplate filter (models/html_text.py, models/boilerplate.py).

Part of text preparation (models/text.py): a change to what it returns is a change of TEXT_PREP_VERSION.
"""

from __future__ import annotations

from collections.abc import Iterable

# Invisible characters that split words for a tokenizer: zero-width space, word joiner, byte-order
# mark, soft hyphen. (Zero-width (non-)joiners are kept: Persian and Indic spelling needs them.)
_INVISIBLE = "\u200b\u2060\ufeff\xad"


def normalize_whitespace(text: str) -> str:
    """Single spaces, lines without edge spaces, at most one blank line in a row, no outer blanks.
    Every Unicode line break ends a line; every other Unicode space becomes " "."""
    for char in _INVISIBLE:
        if char in text:
            text = text.replace(char, "")
    # str methods rather than regexes: several times faster, and their idea of whitespace is Unicode's.
    return join_lines(" ".join(line.split()) for line in text.splitlines())


def join_lines(lines: Iterable[str]) -> str:
    """Lines joined with newlines, runs of empty lines kept as one blank line, none at the ends."""
    result: list[str] = []
    for line in lines:
        if line or (result and result[-1]):
            result.append(line)
    if result and not result[-1]:
        result.pop()
    return "\n".join(result)
