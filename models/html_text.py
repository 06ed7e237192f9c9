"""HTML to text: the readable text of a page, without code, metadata or the page's chrome.

Part of text preparation (models/text.py): a change to what it returns is a change of TEXT_PREP_VERSION.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

from newsfeed.models.whitespace import normalize_whitespace

# Elements whose content is never article text: code, metadata, and the page's chrome.
_SKIPPED_ELEMENTS = frozenset(
    "script style noscript template svg head nav header footer aside form iframe button select".split()
)
# Elements that end a paragraph. Inline elements (a, b, span, ...) do not break the text.
_BLOCK_ELEMENTS = frozenset(
    "p div section article main h1 h2 h3 h4 h5 h6 ul ol li dl dt dd blockquote pre table thead tbody "
    "tr td th caption figure figcaption hr address details summary center".split()
)
# Elements that never have an end tag, and elements whose end tag authors usually leave out: neither
# may count towards the nesting depth, or one `<p>` without `</p>` would shift every later level.
_UNCOUNTED_ELEMENTS = frozenset(
    "area base br col embed hr img input link meta param source track wbr p li dt dd tr td th option".split()
)
# A page bigger than this is cut before parsing, to bound the time one record can take (html.parser
# reads 3-10 MB/s, by markup density); no news story needs more to be classified.
_MAX_HTML_CHARS = 2_000_000


class _TextExtractor(HTMLParser):
    """Collects the text outside skipped elements. Its state is a nesting depth and a stack of the
    open skipped elements: no tree and no recursion, so any depth and any tag soup are fine."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._depth = 0
        self._skipped: list[tuple[str, int]] = []  # (tag, depth before it opened)
        self._open_skipped: Counter[str] = Counter()  # the same, by tag, to look up in O(1)
        self._in_pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body" and self._open_skipped["head"]:
            self._close_skipped("head")  # a <head> left open ends where the body starts
        if tag in _SKIPPED_ELEMENTS:
            self._skipped.append((tag, self._depth))
            self._open_skipped[tag] += 1
        if tag == "pre":
            self._in_pre += 1
        self._break(tag)
        if tag not in _UNCOUNTED_ELEMENTS:
            self._depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._break(tag)  # `<br/>`, `<div/>`: a break, but nothing opens

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre" and self._in_pre:
            self._in_pre -= 1
        self._break(tag)
        if self._open_skipped[tag]:
            self._close_skipped(tag)
        elif tag not in _UNCOUNTED_ELEMENTS:
            self._depth = max(self._depth - 1, 0)
            # A skipped element whose parent just closed was left open by the author: it ends too.
            while self._skipped and self._skipped[-1][1] >= self._depth:
                self._open_skipped[self._skipped.pop()[0]] -= 1

    def handle_data(self, data: str) -> None:
        if self._skipped:
            return
        if not self._in_pre:
            # Outside <pre> a line break in the source is a space; normalize_whitespace does the rest.
            data = data.replace("\r", " ").replace("\n", " ").replace("\f", " ")
        self.parts.append(data)

    def _break(self, tag: str) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_ELEMENTS:
            self.parts.append("\n\n")

    def _close_skipped(self, tag: str) -> None:
        """Close the innermost open `tag` and every skipped element opened inside it."""
        while self._skipped:
            name, depth = self._skipped.pop()
            self._open_skipped[name] -= 1
            if name == tag:
                self._depth = depth
                return


def html_to_text(html: str) -> str:
    """The visible article text of an HTML page, paragraphs separated by blank lines. Never raises."""
    parser = _TextExtractor()
    try:
        parser.feed(_settle_unterminated(html[:_MAX_HTML_CHARS]))
        parser.close()
    except AssertionError:
        # html.parser still raises AssertionError on some tag soup ("<![foo[bar]]>"): a page is
        # never refused for its markup, so keep the text read up to there.
        pass
    return normalize_whitespace("".join(parser.parts))


# Marked sections: `<![CDATA[ ... ]]>` (and temp, ignore, include, rcdata) and Microsoft's
# conditional `<![if ...]>`; html.parser searches for these closers, whitespace allowed inside.
_SECTION_CLOSE_RE = re.compile(r"\]\s*\]\s*>")
_CONDITIONAL_CLOSE_RE = re.compile(r"\]\s*>")
_CONDITIONAL_OPEN_RE = re.compile(r"<!\[\s*(?:if|else|endif)\b", re.IGNORECASE)


def _settle_unterminated(html: str) -> str:
    """html.parser rescans to the end of the page for each construct it cannot close, which is
    quadratic on a broken page. Settle those constructs up front, in linear time."""
    # An unclosed comment runs to the end of the page, as in browsers.
    last_close = html.rfind("-->")
    cut = html.find("<!--", last_close + 3 if last_close >= 0 else 0)
    if cut >= 0:
        html = html[:cut]
    if "<![" in html:
        html = _settle_marked_sections(html)
    # After the last ">" no tag can be complete: every "<" there is text.
    last_gt = html.rfind(">")
    if html.find("<", last_gt + 1) >= 0:
        html = html[: last_gt + 1] + html[last_gt + 1 :].replace("<", "&lt;")
    return html


def _settle_marked_sections(html: str) -> str:
    """Make text of every `<![` opener that has no closer after it. An opener with a closer costs the
    parser the distance to that closer once, and parsing goes on after it: linear."""
    section_close = _last_end(_SECTION_CLOSE_RE, html)
    conditional_close = _last_end(_CONDITIONAL_CLOSE_RE, html)
    parts, start = [], 0
    position = html.find("<![")
    while position >= 0:
        conditional = _CONDITIONAL_OPEN_RE.match(html, position) is not None
        if position + 3 > (conditional_close if conditional else section_close):
            parts.append(html[start:position])
            parts.append("&lt;![")
            start = position + 3
        position = html.find("<![", position + 3)
    parts.append(html[start:])
    return "".join(parts)


def _last_end(pattern: re.Pattern[str], text: str) -> int:
    """Where the last match of `pattern` ends, -1 when there is none."""
    end = -1
    for match in pattern.finditer(text):
        end = match.end()
    return end
