"""Adversarial articles: inputs shaped to make one article expensive, at any size.

Each generator takes a size in characters and returns the fields of one article (`title`, `text`,
`html`) of about that size, within the worker's input limits. They are the shapes that went
quadratic (issue 14: a head line of punctuation, runs of combining marks, a context-ruled country
name repeated, open HTML marked sections) and the shapes an audit of every regex and loop on the
classify path named as risks, plus shapes that should be cheap and must stay so.

`python -m bench --worst-case` reports seconds per 100 KB for each at the largest size the limits
allow; `tests/unit/test_complexity.py` asserts that each one's cost grows linearly with its size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

PROSE = (
    "The minister said the talks would continue next week in the capital, where officials from both "
    "governments are expected to discuss the agreement and the next steps of the process.\n\n"
)
COMBINING_ALTERNATING = "\u0301\u0323"  # acute (class 230) and dot below (class 220): NFC must reorder them


@dataclass(frozen=True)
class Shape:
    name: str
    what: str
    make: Callable[[int], dict[str, str]]  # repeats its unit to this many characters, plus fixed parts

    def at(self, size: int) -> dict[str, str]:
        """The article with its longest field exactly `size` characters long (fixed parts included), so
        that a field cut at the input limit never cuts off a closer that the smaller sizes have."""
        fixed = max(map(len, self.make(0).values()))
        return self.make(max(size - fixed, 0))


def _repeat(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _text(text: str, title: str = "Officials meet for talks") -> dict[str, str]:
    return {"title": title, "text": text, "html": ""}


def _html(html: str) -> dict[str, str]:
    return {"title": "Officials meet for talks", "text": "", "html": html}


SHAPES: tuple[Shape, ...] = (
    # The four kinds the fuzzing of issue 14 found.
    Shape("head_punctuation_line", "one long line of '#' above the first prose line",
          lambda n: _text(_repeat("#", n) + "x\n\n" + PROSE)),
    Shape("head_dash_line", "one long line of '-' ending in a word above the prose",
          lambda n: _text(_repeat("-", n) + "x\n\n" + PROSE)),
    Shape("head_punctuation_mixed", "one long line of '# ' and '-' above the prose",
          lambda n: _text(_repeat("# -", n) + " x\n\n" + PROSE)),
    Shape("combining_marks_text", "runs of alternating combining marks in the text",
          lambda n: _text("e" + _repeat(COMBINING_ALTERNATING, n))),
    Shape("combining_marks_title", "runs of alternating combining marks in the title",
          lambda n: _text(PROSE, title="e" + _repeat(COMBINING_ALTERNATING, n))),
    Shape("combining_marks_html", "runs of alternating combining marks in HTML",
          lambda n: _html("<p>e" + _repeat(COMBINING_ALTERNATING, n) + "</p>")),
    Shape("combining_marks_short", "an article that is only marks: refused as too_short, after preparation",
          lambda n: _text(_repeat(COMBINING_ALTERNATING, n), title="")),
    Shape("cue_name_repeated", "'Georgia' (a name that needs a context cue) many times, no cue",
          lambda n: _text(_repeat("Georgia said on Monday that it agreed. ", n))),
    Shape("veto_name_repeated", "'Indian' (a name with a veto rule) many times",
          lambda n: _text(_repeat("The Indian delegation arrived in the city for the meeting. ", n))),
    Shape("open_cdata_sections", "'<![CDATA[' openers never closed",
          lambda n: _html("<p>" + _repeat("<![CDATA[ x ", n) + "</p>")),
    Shape("open_if_sections", "'<![if' openers never closed",
          lambda n: _html("<p>" + _repeat("<![if x ", n) + "</p>")),
    Shape("open_cdata_then_close", "'<![CDATA[' openers, one closer far away at the end",
          lambda n: _html("<p>" + _repeat("<![CDATA[ x ]> ", n) + "]]>")),
    # Shapes the audit named: chrome-line patterns with overlapping quantifiers, per-line windows.
    Shape("share_button_rows", "short lines of share words and separators",
          lambda n: _text(_repeat("share , , , , , , , , , , , , , , , , , , , , , , , , , , , , , , , , x\n", n))),
    Shape("crumb_rows", "short lines of crumbs that almost match",
          lambda n: _text(_repeat("News > World > Asia > Pacific > Region > Area > Town.\n", n))),
    Shape("tail_markers", "a tail-section marker, then prose lines that never resume",
          lambda n: _text(PROSE + _repeat("Related\nshort line\n", n))),
    Shape("tail_marker_then_chrome", "tail marker, then a prose line between long runs of ad lines",
          lambda n: _text(PROSE + "Related\n" + _repeat("Officials said the talks will go on in the city over the next week.\n"
                                                          + "Advertisement\n" * 40, n))),
    Shape("byline_rows", "lines that look like bylines without ending",
          lambda n: _text(_repeat("By John Smith and Jane Doe and Mary Roe and Paul Poe, Reuters\n", n))),
    Shape("bio_rows", "lines that look like author bios",
          lambda n: _text(_repeat("Jane Doe is a senior editor at Example News covering the region\n", n))),
    Shape("cookie_rows", "lines mentioning cookies",
          lambda n: _text(_repeat("cookie " * 16 + "\n", n))),
    Shape("dateline_rows", "lines of dates and times",
          lambda n: _text(_repeat("Updated Monday, September 8, 2024 06:22 EDT\n", n))),
    Shape("sentence_punctuation", "punctuation runs after sentence ends",
          lambda n: _text(_repeat("a.\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"x ", n))),
    Shape("hard_wrapped", "a hard-wrapped press release, one huge paragraph",
          lambda n: _text(_repeat("the officials said that the talks would continue in the capital\n", n))),
    Shape("short_lines", "many short navigation lines",
          lambda n: _text(_repeat("Home\nWorld\nPolitics\nSport\n", n) + PROSE)),
    Shape("one_long_word", "one line with no spaces", lambda n: _text(_repeat("abcdefghij", n))),
    Shape("all_caps", "text in capitals", lambda n: _text(_repeat(PROSE.upper(), n))),
    Shape("dateline_lines", "lines opening with five words in capitals that are almost a dateline",
          lambda n: _text(_repeat("GAZA CITY NEW YORK SOUTH Reuters said\n", n))),
    Shape("capitals_one_line", "one line of capitals with no space, no dateline after it",
          lambda n: _text(_repeat("ABCDEFGHIJ", n))),
    Shape("capitalised_words", "runs of capitalised words (names, places)",
          lambda n: _text(_repeat("Jordan Chad Georgia Niger Guinea Congo Korea Sudan Victoria Paris ", n))),
    Shape("many_countries", "every sentence names another country", lambda n: _text(_repeat(
        "France met Germany. Japan called Brazil. Kenya thanked Peru. Chile and Egypt agreed. ", n))),
    Shape("separators_after_names", "country names followed by long runs of hyphens",
          lambda n: _text(_repeat("South " + "-" * 200 + " ", n))),
    Shape("place_suffix_spaces", "a place then a comma and many spaces",
          lambda n: _text(_repeat("Paris," + " " * 200 + "x ", n))),
    Shape("prose", "ordinary prose (the baseline)", lambda n: _text(_repeat(PROSE, n))),
    # Evidence spans (models/evidence.py): the title is read whole, so a title of topic words makes every
    # word evidence; short paragraphs of topic words put evidence in many passages.
    Shape("evidence_title", "a title of topic words repeated, every word an evidence n-gram",
          lambda n: _text(PROSE, title=_repeat("Rocket launch puts satellite into orbit. ", n))),
    Shape("evidence_paragraphs", "one-line paragraphs of topic words, evidence in every passage",
          lambda n: _text(_repeat("Troops and tanks advanced with artillery on the front line.\n", n))),
    # HTML shapes.
    Shape("html_deep_nesting", "deeply nested elements", lambda n: _html(_repeat("<div>", n // 2) + PROSE)),
    Shape("html_many_attributes", "one tag with many attributes",
          lambda n: _html("<p " + _repeat('a="b" ', n) + ">" + PROSE + "</p>")),
    Shape("html_entities", "entities and broken entities", lambda n: _html(_repeat("&amp;&#x41;&bogus;&# ", n))),
    Shape("html_open_tags", "'<a ' openers with no '>'", lambda n: _html("<p>" + _repeat("<a x", n) + "</p>")),
    Shape("html_open_comments", "'<!--' openers never closed", lambda n: _html("<p>x</p>" + _repeat("<!-- x ", n) + "</p>")),
    Shape("html_closed_comments", "comments, each closed", lambda n: _html(_repeat("<!-- x -->y ", n))),
    Shape("html_open_declarations", "'<!DOCTYPE' and '<?' openers with no '>'",
          lambda n: _html("<p>x</p>" + _repeat("<!DOCTYPE x <? y ", n) + "</p>")),
    Shape("html_open_scripts", "'<script>' openers never closed",
          lambda n: _html("<p>x</p>" + _repeat("<script>x ", n) + "</p>")),
    Shape("html_skipped_nesting", "skipped elements opened and never closed",
          lambda n: _html(_repeat("<nav><div>", n // 2) + PROSE)),
    Shape("html_open_start_tags", "'<p ' openers, nothing closed", lambda n: _html(_repeat("<p ", n))),
    Shape("html_open_end_tags", "'</' openers, nothing closed", lambda n: _html(_repeat("</", n))),
    Shape("html_open_attribute_values", "attribute values never closed", lambda n: _html(_repeat("<a href='", n))),
    Shape("html_less_than_signs", "a page of '<'", lambda n: _html(_repeat("<", n))),
    Shape("html_paragraphs", "many short paragraphs", lambda n: _html(_repeat("<p>Talks go on.</p>", n))),
)

SHAPES_BY_NAME = {shape.name: shape for shape in SHAPES}
