"""Boilerplate: the site around a scraped article (banners, crumbs, datelines, share buttons, bios,
"most popular" sections), told from the article's prose and dropped.

Part of text preparation (models/text.py): a change to what it returns is a change of TEXT_PREP_VERSION.
"""

from __future__ import annotations

import re

from newsfeed.models.language import FUNCTION_WORDS, NON_LATIN_RE
from newsfeed.models.whitespace import join_lines, normalize_whitespace

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
    return join_lines(line if kept else "" for line, kept in zip(lines, keep))


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
    if NON_LATIN_RE.search(line[:100]):
        return True  # the function-word lists cover Latin-script languages only
    stopwords = sum(map(FUNCTION_WORDS.__contains__, words))
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
