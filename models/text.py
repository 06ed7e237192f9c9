"""Text preparation: from a raw article (title, scraped text or HTML) to the clean text a model reads.

Everything here is pure and deterministic, because it runs inside the versioned model pipeline:
training and serving must turn the same article into the same text. Any change to what these
functions return is a change of TEXT_PREP_VERSION, which every model artifact records.

`prepare_article` is the one entry point the classifier calls; the other public functions are its
steps, exposed so tests and corpus builders can use them one at a time.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from collections.abc import Iterable
from html.parser import HTMLParser

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


def limit_combining_runs(text: str) -> str:
    """`text` with every run of combining marks cut to its first MAX_COMBINING_RUN marks."""
    if text.isascii():
        return text
    basic, every = _combining_patterns()
    mark, long_run = every if _ASTRAL_RE.search(text) else basic
    if mark.search(text) is None:
        return text
    return long_run.sub(lambda run: run.group()[:MAX_COMBINING_RUN], text)


# ---------------------------------------------------------------------------------------------
# HTML to text

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


# ---------------------------------------------------------------------------------------------
# Whitespace

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
    return _join_lines(" ".join(line.split()) for line in text.splitlines())


def _join_lines(lines: Iterable[str]) -> str:
    """Lines joined with newlines, runs of empty lines kept as one blank line, none at the ends."""
    result: list[str] = []
    for line in lines:
        if line or (result and result[-1]):
            result.append(line)
    if result and not result[-1]:
        result.pop()
    return "\n".join(result)


# ---------------------------------------------------------------------------------------------
# Boilerplate
#
# A scraped page is the article plus the site around it. The article is prose: long lines, with
# sentence punctuation and a fair share of function words. The site is short lines: banners, crumbs,
# datelines, share buttons, and after the article, sections (most popular, comments, bios) that
# start with a recognisable heading. So: patterns drop single lines anywhere; the chrome above the
# first prose line goes; a tail-section marker drops what follows it until prose resumes.
# Lines are matched case-folded (`lower`) unless a pattern needs capitals to find names.

# Whole lines that open a section of site content. After one, everything is dropped until a run of
# real prose starts again (so a "Related" box in the middle of a story costs nothing of the story).
_TAIL_MARKER_RE = re.compile(
    r"[\W_]*(?:"
    r"most (?:popular|read|viewed|shared|commented)|popular(?: now| posts| stories| articles)?"
    r"|trending(?: now| stories| topics)?|recent (?:comments|posts|articles|stories)"
    r"|latest (?:news|stories|posts|articles|headlines)|top stories|more (?:stories|news|headlines)"
    r"|more from [\w' ]{1,30}|more (?:like this|on this (?:story|topic))|read next|up next"
    r"|what to read next|editor'?s'? picks?|related(?: (?:articles?|stories|posts|news|content|coverage"
    r"|reading|links|topics))?|recommended(?: for you| stories| articles| reading)?|we recommend"
    r"|you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|around the web|from the web"
    r"|(?:sponsored|promoted|partner) (?:stories|content|links)|leave a (?:reply|comment)"
    r"|post a comment|add a comment|join the (?:conversation|discussion)|(?:show |view )?comments"
    r"|\d+ comments?|about the (?:authors?|writers?|reporters?)|disclaimer|end|media contacts?"
    r"|press contacts?|references|external links|further reading|see also"
    r")[\W_]*|[\W_]*(?:# ?){3}[\W_]*|-30-"
)
# A disclaimer or copyright notice is itself a tail marker, at any length.
_NOTICE_RE = re.compile(
    r"[\W_]*(?:disclaimer\b|this (?:web)?site provides (?:news )?content"
    r"|the views (?:and opinions )?expressed (?:in|here|by)|(?:we are|the (?:site|publisher) is) not"
    r" responsible for the accuracy|©|\(c\) ?\d{4}|copyright ?(?:©|\(c\)|\d{4}))"
)
_RIGHTS_RESERVED_RE = re.compile(r"\ball rights reserved\b")

# Single lines of site chrome, dropped wherever they are (on case-folded short lines).
_SOCIAL_WORD = (
    r"(?:share(?: this(?: article| story| post| page)?| on \w+)?|tweet|pin(?: it)?|e-?mail|print|facebook"
    r"|twitter|x|linkedin|whatsapp|telegram|reddit|pinterest|messenger|copy(?: the)? link|link copied"
    r"|comments?|\d+ (?:comments?|shares?))"
)
_CHROME_LINE_PATTERNS = (
    # A row of share buttons.
    rf"{_SOCIAL_WORD}(?:[\s,|·•/:;-]+{_SOCIAL_WORD})*\W*",
    # Advertising slots.
    (
        r"(?:advertisement|advertising|ads?|sponsored(?: content| links?)?|paid (?:content|post)"
        r"|promoted(?: content)?|(?:scroll|story|article|content) continues below(?: this)?(?: ad(?:vertisement)?)?"
        r"|scroll to continue(?: with content)?|skip advert(?:isement)?|remove ads?)\W*"
    ),
    # Links to other pages: "Read more", "READ MORE: <headline>", "Related: <headline>".
    (
        r"(?:read more|continue reading|read (?:the )?full (?:story|article|report)|full story|see more"
        r"|show more|load more|view (?:more|all)|click to read)\W*"
    ),
    r"(?:read more|read also|also read|read next|see also|more|related|watch|listen|recommended)\s*[:>»|].{0,200}",
    # Reading-time badges, photo credits, tag lists, wire-service credits.
    r"\d+[- ]min(?:ute)?s? read",
    r"(?:(?:photo|image|picture|video) )?credits?\s*:.{0,120}",
    r"(?:tags|tagged|filed under|topics|categories|category|keywords)\s*:.{0,300}",
    r"(?:additional )?(?:reporting|writing|editing|compiled) by\b.{0,300}",
    # Crumbs: "Home » Latest News"; and see _CRUMBS_RE.
    r"home ?[>»›|/].*",
)
# Crumbs: "News > World > Asia". (French quotes « » are not spaced so.) Apart from the other chrome
# patterns so that it runs only on lines with a separator: it backtracks through up to 40 characters
# per part, and was the costliest of them all.
_CRUMB_SEPARATORS = ">»›"
_CRUMBS_RE = re.compile(r"[^.!?>»›]{1,40}(?: [>»›] [^.!?>»›]{1,40}){2,}")
# Invitations to subscribe, follow, sign in, accept cookies: a line that starts so (up to 120 chars).
_INVITATION_PATTERNS = (
    (
        r"\W*(?:subscribe|sign up|signup|register now|log ?in|sign in|create (?:an|a free) account"
        r"|click here|tap here|follow us|like us on|join (?:us|our)|download (?:our|the) app"
        r"|get (?:our|the) (?:app|newsletter)|don'?t miss|never miss)\b"
    ),
    r"\W*(?:sign up|subscribe|get|receive|join)\b.{0,60}\b(?:newsletters?|inbox|alerts)\b",
)
# Cookie banners, anywhere in the line. Apart, and only on lines that say "cookie": at each position
# of a line it tries every phrase.
_COOKIE_NOTICE_RE = re.compile(
    r".*\b(?:(?:we|this (?:web)?site) uses? cookies|cookies? (?:policy|settings|preferences|consent)"
    r"|accept (?:all )?cookies)\b"
)
_CHROME_LINE_RE = re.compile("|".join(f"(?:{pattern})" for pattern in _CHROME_LINE_PATTERNS))
_INVITATION_RE = re.compile("|".join(f"(?:{pattern})" for pattern in _INVITATION_PATTERNS))
# A byline, in original case: "By Jane Doe", "By Jane Doe and John Roe, Reuters".
_NAME = r"[A-Z][\w'’.-]*(?: (?:[A-Z][\w'’.-]*|de|van|von|der|al|bin|and|&))*"
_BYLINE_RE = re.compile(rf"(?:By|Written by|Posted by|Reported by|Words by|Author:)\s+{_NAME}(?:\s*[,|–—-]\s*{_NAME})?")
# An author bio: "Jane Doe is a senior editor at Example News covering ...", after a line with her name.
_BIO_RE = re.compile(
    r"(?P<name>[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){1,3}) (?:is|was) (?:an?|the) [^.]{0,120}?\b(?:editor|writer"
    r"|reporter|journalist|correspondent|contributor|columnist|author|blogger|freelancer|producer)s?\b"
)

# Chrome that only appears above the article: banners, glued crumbs ("HomeLatest NewsTitle..."),
# and (below) datelines and a repeat of the headline.
_BANNER_RE = re.compile(
    r"\W*(?:hit tracker|skip to (?:main )?(?:content|navigation)|toggle navigation|(?:main |open )?menu"
    r"|search|close|home|breaking(?: news)?|live|e-?paper|login|log in|sign in)\W*"
)
_SHORT_LOWERCASE_RE = re.compile(r"[a-z]+(?: [a-z]+){0,2}")
_GLUED_CRUMB_RE = re.compile(r"Home(?=[A-Z])")

_DATE_WORDS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday "
    "saturday sunday mon tue tues wed thu thur thurs fri sat sun".split()
)
_DATELINE_FILLER = frozenset(
    "date time updated update published posted last modified on at am pm a m p of st nd rd th ago "
    "hour hours min mins minute minutes day days yesterday today utc gmt et est edt ct cst cdt pt pst "
    "pdt cet cest bst ist msk jst kst aest".split()
)
_DIGIT_RE = re.compile(r"\d")
_DATELINE_TOKEN_RE = re.compile(r"[a-z]+|\d+")
_TIME_OR_DATE_RE = re.compile(r"\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}")

# Prose-likeness.
_WORD_RE = re.compile(r"[^\W\d_]+")
_SENTENCE_END_RE = re.compile(r"[^.][.!?]['\"”’»)\]]*(?:\s|$)|[。！？؟।]")
_NO_SPACE_SCRIPT_RE = re.compile(r"[\u0e00-\u0eff\u3040-\u30ff\u3400-\u9fff]")
_SHORT_LINE_CHARS = 200  # chrome patterns only look at lines up to this long
_RESUME_WORDS = 40  # prose of this many words after a tail marker is the article again
_MAX_BIO_CHARS = 400
_HEADLINE_WINDOW = 40  # a repeated headline is looked for among the first lines only


def strip_boilerplate(text: str, title: str = "") -> str:
    """The article's own paragraphs of a scraped page, without the site's banners, links and tails.

    One line of the result is one paragraph (hard-wrapped paragraphs are joined); a dropped line
    leaves a paragraph break. A clean text comes back unchanged apart from whitespace."""
    lines = _unwrap_hard_wrapped(normalize_whitespace(text).split("\n"))
    lowers = [line.casefold() for line in lines]
    keep = [bool(line) for line in lines]
    first_prose = next((i for i, line in enumerate(lines) if _is_prose(line)), 0)
    _drop_head_chrome(lines, lowers, keep, first_prose, title)
    _drop_chrome_lines(lines, lowers, keep)
    _drop_tail_sections(lines, lowers, keep, first_prose)
    _drop_author_bios(lines, keep)
    _drop_repeated_lines(lines, keep)
    return _join_lines(line if kept else "" for line, kept in zip(lines, keep))


def _unwrap_hard_wrapped(lines: list[str]) -> list[str]:
    """Join paragraphs that were hard-wrapped at a fixed width (press releases, mail), so that every
    line is a paragraph and can be judged as one."""
    result: list[str] = []
    block: list[str] = []
    for line in lines + [""]:
        if line:
            block.append(line)
            continue
        result.append(" ".join(block) if _is_hard_wrapped(block) else "\n".join(block))
        result.append("")
        block = []
    return "\n".join(result).split("\n")


def _is_hard_wrapped(block: list[str]) -> bool:
    """Most lines full-width, and breaks that fall mid-sentence (no end punctuation, next line in
    lowercase): a wrapped paragraph. Headlines, lists and crumbs break at their own ends."""
    if len(block) < 2:
        return False
    breaks = len(block) - 1
    full_width = sum(1 for line in block[:-1] if len(line) >= 30)
    mid_sentence = sum(1 for a, b in zip(block, block[1:]) if a[-1] not in ".!?:;\"”" and b[0].islower())
    return full_width * 3 >= breaks * 2 and mid_sentence * 3 >= breaks


def _is_prose(line: str, min_words: int = 8, min_stopword_share: float = 0.1) -> bool:
    """A line that reads like running text: long enough, with sentences and function words."""
    if _NO_SPACE_SCRIPT_RE.search(line):
        return len(line) >= 4 * min_words and bool(_SENTENCE_END_RE.search(line))
    words = line.lower().split()
    if len(words) < min_words or not _SENTENCE_END_RE.search(line):
        return False
    if _NON_LATIN_RE.search(line[:100]):
        return True  # the function-word lists cover Latin-script languages only
    stopwords = sum(map(_STOPWORD_WEIGHTS.__contains__, words))
    return stopwords >= min_stopword_share * len(words)


def _drop_head_chrome(lines: list[str], lowers: list[str], keep: list[bool], first_prose: int, title: str) -> None:
    """Above the first prose line: banners, glued crumbs, widget headings and a headline repeated."""
    head_keys = [_fold(line) for line in lines[: min(first_prose, _HEADLINE_WINDOW)]]
    title_key = _fold(title)
    for i in range(first_prose):
        line, lower = lines[i], lowers[i]
        # The line patterns backtrack over runs of punctuation, so they only see short lines, as in
        # _drop_chrome_lines: a banner or a section heading is never longer.
        short = len(line) <= _SHORT_LINE_CHARS
        if (
            (short and (_BANNER_RE.fullmatch(lower) or _TAIL_MARKER_RE.fullmatch(lower)))
            or _SHORT_LOWERCASE_RE.fullmatch(line)
            or _GLUED_CRUMB_RE.match(line)
            or (i < len(head_keys) and _repeats_headline(head_keys[i], title_key, head_keys[:i] + head_keys[i + 1 :]))
        ):
            keep[i] = False


def _fold(line: str) -> str:
    return " ".join(_WORD_RE.findall(line.casefold()))


def _repeats_headline(key: str, title_key: str, other_keys: list[str]) -> bool:
    """The title again (perhaps with the site's name after it, or cut short), or a line whose start
    another line of the head contains: crumbs often end with the headline."""
    if not key:
        return False
    if key == title_key:
        return True
    if title_key and min(len(key), len(title_key)) >= 20:
        if key.startswith(title_key) or title_key.startswith(key):
            return True
    return len(key) >= 30 and any(key[:40] in other for other in other_keys)


def _drop_chrome_lines(lines: list[str], lowers: list[str], keep: list[bool]) -> None:
    for i, line in enumerate(lines):
        if keep[i] and len(line) <= _SHORT_LINE_CHARS and _is_chrome_line(line, lowers[i]):
            keep[i] = False


def _is_chrome_line(line: str, lower: str) -> bool:
    if _CHROME_LINE_RE.fullmatch(lower) or _is_crumbs(lower) or (len(lower) <= 120 and _is_invitation(lower)):
        return True
    # The byline pattern first: anchored on "By ...", it fails at once on almost every line.
    return _is_dateline(lower) or (
        len(line) <= 100 and bool(_BYLINE_RE.fullmatch(line)) and not _SENTENCE_END_RE.search(line)
    )


def _is_crumbs(lower: str) -> bool:
    return any(separator in lower for separator in _CRUMB_SEPARATORS) and _CRUMBS_RE.fullmatch(lower) is not None


def _is_invitation(lower: str) -> bool:
    return _INVITATION_RE.match(lower) is not None or ("cookie" in lower and _COOKIE_NOTICE_RE.match(lower) is not None)


def _is_dateline(lower: str) -> bool:
    """A line made only of a date and/or time: "Sunday, September 8, 2024", "Updated 06:22 EDT"."""
    if len(lower) > 80 or not _DIGIT_RE.search(lower):
        return False
    tokens = _DATELINE_TOKEN_RE.findall(lower)
    if not all(t.isdigit() or t in _DATE_WORDS or t in _DATELINE_FILLER for t in tokens):
        return False
    return any(t in _DATE_WORDS for t in tokens) or bool(_TIME_OR_DATE_RE.search(lower))


def _drop_tail_sections(lines: list[str], lowers: list[str], keep: list[bool], first_prose: int) -> None:
    """From a section marker or a notice below the first prose line, drop lines until prose resumes."""
    skipping = False
    for i in range(first_prose + 1, len(lines)):
        line = lines[i]
        if not line:
            continue
        if _is_tail_marker(lowers[i]):
            skipping = True
        elif skipping and keep[i] and _prose_run_words(lines, keep, i) >= _RESUME_WORDS:
            skipping = False
        if skipping:
            keep[i] = False


def _is_tail_marker(lower: str) -> bool:
    if _NOTICE_RE.match(lower):
        return True
    return len(lower) <= _SHORT_LINE_CHARS and bool(
        _TAIL_MARKER_RE.fullmatch(lower) or _RIGHTS_RESERVED_RE.search(lower)
    )


def _prose_run_words(lines: list[str], keep: list[bool], start: int) -> int:
    """Words in the run of kept, clearly prose lines that starts at `start` (0 if it is not prose)."""
    words = 0
    for i in range(start, len(lines)):
        if not lines[i] or not keep[i]:
            continue
        if not _is_prose(lines[i], min_words=12, min_stopword_share=0.15):
            break
        words += len(lines[i].split())
        if words >= _RESUME_WORDS:
            break
    return words


def _drop_author_bios(lines: list[str], keep: list[bool]) -> None:
    """A bio line ("Jane Doe is a staff writer ...") right after her name, or as the last line, goes
    with the name lines just above it."""
    last = max((i for i, kept in enumerate(keep) if kept), default=-1)
    for i, line in enumerate(lines):
        if not keep[i] or len(line) > _MAX_BIO_CHARS:
            continue
        bio = _BIO_RE.match(line)
        if not bio:
            continue
        name = bio.group("name")
        name_lines = (name, f"By {name}", f"About {name}")
        above = [j for j in range(i - 1, max(i - 6, -1), -1) if keep[j] and lines[j] in name_lines]
        if above or i == last:
            for j in [i, *above]:
                keep[j] = False


def _drop_repeated_lines(lines: list[str], keep: list[bool]) -> None:
    """A line identical to the kept line before it (a doubled headline or caption) adds nothing."""
    previous = None
    for i, line in enumerate(lines):
        if not keep[i]:
            continue
        if line == previous:
            keep[i] = False
        previous = line


# ---------------------------------------------------------------------------------------------
# Language

# Function words of each Latin-script language: the most frequent words, which any paragraph uses.
_STOPWORDS: dict[str, str] = {
    "en": "the of and to in is that for it was on with as be by at this are from have has had not but or an "
          "which were been their they he she his her its will would said there who also than more about after into "
          "a over against during including between under amid while whether what when them if we our can all",
    "fr": "le la les des du un une et est dans que qui pour pas sur au aux avec par ce cette sont ont été il elle "
          "ils nous vous mais ou plus se ne son sa ses leur était selon lors être aussi entre",
    "de": "der die das und ist nicht den dem des ein eine einer einen mit auf für von zu sich auch es im sie er "
          "wird wurde werden sind hat haben bei nach aus als dass oder noch wie über nur",
    "es": "el la los las de del y que en un una es por con para se no su sus al lo como más pero fue ha han "
          "este esta son según también sobre entre",
    "it": "il lo la gli le di del della dei delle e che è un una per con non si sono da dal nel nella al alla "
          "anche come più ma ha hanno questo questa stato dopo",
    "pt": "o a os as de do da dos das e que em um uma para com não se por no na nos nas ao é foi são mais mas "
          "também pelo pela seu sua como",
    "nl": "de het een en van in is op te dat die niet met voor zijn er aan ook als maar bij door naar heeft "
          "hebben werd wordt om tot uit over nog dan",
    "sv": "och att det som en ett är på för med av till inte den har de om var men ska kan från efter också "
          "när vid eller sin hade blev",
    "da": "og at det som en et er på for med af til ikke den har de om var men skal kan fra efter også når "
          "ved eller sin havde blev",
    "pl": "i w na z do nie się że to jest jak o po od za przez dla jego ale czy tak już być są który która "
          "które także oraz tym może był była",
    "cs": "a v na se je že to s z do o ve k i jako by byl byla jsou jeho ale pro po od které který která také "
          "podle už při jak",
    "tr": "ve bir bu da de için ile olarak olan çok daha gibi en ama değil ne o her kadar sonra ise veya mi "
          "mı ya şu göre tarafından",
    "id": "yang dan di ke dari ini itu untuk dengan tidak dalam pada akan adalah juga oleh ada tersebut atau "
          "sebagai karena telah bahwa mereka kami",
    "ro": "și în de la cu a al ale cel care ce nu se pe din pentru este sunt un o fost mai dar sau după prin "
          "lui acest această",
    "hu": "a az és hogy nem is egy van volt meg de ez azt mint már csak el ki be még kell lesz vagy után "
          "szerint pedig",
    "fi": "ja on ei se että oli hän mutta kun myös tai ovat ole joka mukaan sen kuin ne jo nyt voi vain jälkeen",
}
_LATIN_LANGUAGES = tuple(_STOPWORDS)


_WEIGHT_UNIT = 720720  # divisible by 1..16, the most languages one word can be in


def _stopword_weights() -> dict[str, tuple[tuple[int, int], ...]]:
    """word -> ((language index, weight), ...). A word shared by k languages weighs 1/k in each, so
    "de" says little and "the" says a lot. Integer weights keep sums exact in any order."""
    owners: dict[str, list[int]] = {}
    for index, words in enumerate(_STOPWORDS.values()):
        for word in set(words.split()):
            owners.setdefault(word, []).append(index)
    return {word: tuple((i, _WEIGHT_UNIT // len(langs)) for i in langs) for word, langs in owners.items()}


_STOPWORD_WEIGHTS = _stopword_weights()

# Scripts other than Latin, as (first code point, last code point, script). Sorted by start.
_SCRIPT_RANGES = sorted(
    [
        (0x0370, 0x03FF, "el"), (0x1F00, 0x1FFF, "el"), (0x0400, 0x052F, "cyrillic"),
        (0x0530, 0x058F, "hy"), (0x0590, 0x05FF, "he"), (0x0600, 0x06FF, "arabic"),
        (0x0750, 0x077F, "arabic"), (0xFB50, 0xFDFF, "arabic"), (0xFE70, 0xFEFF, "arabic"),
        (0x0900, 0x097F, "hi"), (0x0980, 0x09FF, "bn"), (0x0A00, 0x0A7F, "pa"), (0x0A80, 0x0AFF, "gu"),
        (0x0B80, 0x0BFF, "ta"), (0x0C00, 0x0C7F, "te"), (0x0C80, 0x0CFF, "kn"), (0x0D00, 0x0D7F, "ml"),
        (0x0D80, 0x0DFF, "si"), (0x0E00, 0x0E7F, "th"), (0x0E80, 0x0EFF, "lo"), (0x1000, 0x109F, "my"),
        (0x10A0, 0x10FF, "ka"), (0x1100, 0x11FF, "ko"), (0x3130, 0x318F, "ko"), (0xAC00, 0xD7AF, "ko"),
        (0x1200, 0x137F, "am"), (0x1780, 0x17FF, "km"), (0x3040, 0x30FF, "kana"), (0x31F0, 0x31FF, "kana"),
        (0x3400, 0x4DBF, "han"), (0x4E00, 0x9FFF, "han"), (0xF900, 0xFAFF, "han"),
    ]
)
_SCRIPT_STARTS = [start for start, _, _ in _SCRIPT_RANGES]
_NON_LATIN_RE = re.compile(
    r"[\u0370-\u03ff\u0400-\u052f\u0530-\u1fff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufb50-\ufdff\ufe70-\ufeff]"
)

_LANGUAGE_SAMPLE_CHARS = 2000
_MIN_LATIN_WORDS = 4
_MIN_LATIN_LETTERS = 15
_MIN_SCRIPT_LETTERS = 10  # alphabets: Cyrillic, Greek, Arabic, ...
_MIN_IDEOGRAPHS = 4  # Chinese and Japanese: one character is about a word
_CONFIDENT_LETTERS = 60  # below this many letters, confidence is scaled down


def detect_language(text: str) -> tuple[str | None, float]:
    """ISO 639-1 code of the text's language and a confidence in [0, 1]; (None, 0.0) when the text is
    too short or gives no clue. Reads only the first ~2,000 characters."""
    sample = text[:_LANGUAGE_SAMPLE_CHARS]
    # Split on spaces rather than a word regex (four times faster): a function word is rarely the
    # one that carries the comma, and the letter count needs no precision.
    words = sample.lower().split()
    letters = sum(map(len, words))
    non_latin = _NON_LATIN_RE.findall(sample)
    if len(non_latin) * 2 > letters:
        return _detect_by_script(Counter(c for c in non_latin if c.isalpha()), letters)
    return _detect_latin(words, letters)


def _detect_latin(words: list[str], letters: int) -> tuple[str | None, float]:
    if len(words) < _MIN_LATIN_WORDS or letters < _MIN_LATIN_LETTERS:
        return None, 0.0
    scores = [0] * len(_LATIN_LANGUAGES)
    # Only the function words are counted (filtered in C): they are all that scores, a third of the words.
    for word, count in Counter(filter(_STOPWORD_WEIGHTS.__contains__, words)).items():
        for index, weight in _STOPWORD_WEIGHTS[word]:
            scores[index] += weight * count
    ranked = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    best, second = scores[ranked[0]], scores[ranked[1]]
    if best == 0:
        return None, 0.0
    margin = (best - second) / best
    coverage = min(1.0, best / _WEIGHT_UNIT / len(words) / 0.2)  # news prose: ~20-40% of words are these
    return _LATIN_LANGUAGES[ranked[0]], _confidence(margin * 0.5 + coverage * 0.5, letters)


def _detect_by_script(counts: Counter[str], letters: int) -> tuple[str | None, float]:
    by_script: Counter[str] = Counter()
    for char, count in counts.items():
        index = bisect_right(_SCRIPT_STARTS, ord(char)) - 1
        if index >= 0 and ord(char) <= _SCRIPT_RANGES[index][1]:
            by_script[_SCRIPT_RANGES[index][2]] += count
    # Chinese characters are also part of Japanese writing: judge kana and han together.
    by_script["cjk"] = by_script.pop("han", 0) + by_script.pop("kana", 0)
    script, count = max(by_script.items(), key=lambda item: (item[1], item[0]))
    minimum = _MIN_IDEOGRAPHS if script == "cjk" else _MIN_SCRIPT_LETTERS
    if count < minimum:
        return None, 0.0
    language = _LANGUAGE_OF_SCRIPT.get(script, lambda _counts, _n: script)(counts, count)
    # An ideograph carries about as much as three letters of an alphabet.
    size = count * 3 if script == "cjk" else count
    return language, _confidence(count / max(letters, count), size)


def _share(counts: Counter[str], chars: str, total: int) -> float:
    return sum(counts[c] for c in chars) / total


def _cyrillic_language(counts: Counter[str], total: int) -> str:
    if counts["ў"]:
        return "be"
    if _share(counts, "їєґ", total) > 0.002 or (counts["і"] and not counts["ы"]):
        return "uk"
    if _share(counts, "ѓќѕ", total) > 0.002:
        return "mk"
    if _share(counts, "ђјљњћџ", total) > 0.002:
        return "sr"
    # Bulgarian writes ъ as a common vowel and has no ы or э.
    if _share(counts, "ъ", total) > 0.01 and not counts["ы"] and not counts["э"]:
        return "bg"
    return "ru"


def _arabic_script_language(counts: Counter[str], total: int) -> str:
    if _share(counts, "ٹڈڑںے", total) > 0.01:
        return "ur"
    if _share(counts, "پچژگ", total) > 0.01:
        return "fa"
    return "ar"


def _cjk_language(counts: Counter[str], total: int) -> str:
    kana = sum(count for char, count in counts.items() if "\u3040" <= char <= "\u30ff" or "\u31f0" <= char <= "\u31ff")
    return "ja" if kana / total > 0.05 else "zh"


_LANGUAGE_OF_SCRIPT = {"cyrillic": _cyrillic_language, "arabic": _arabic_script_language, "cjk": _cjk_language}


def _confidence(raw: float, letters: int) -> float:
    """Scale a raw score down for short samples, clamp to [0, 1], round for stable output."""
    return round(max(0.0, min(1.0, raw * min(1.0, letters / _CONFIDENT_LETTERS))), 3)
