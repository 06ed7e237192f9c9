"""Wikipedia "Portal:Current events" day pages: leaf events with their section, story threads and links.

A day page is Markdown: `#### Section` headings, each holding nested bullets. A bullet with a more
deeply indented bullet directly beneath it is a story thread (e.g. `Gaza war`, `Russia–United States
relations`); a bullet without one is a leaf, the event summary. Bullets are marked `*` (and, at the
deepest levels, `+` or `-`, which are the same Markdown list items).

Event ids are `wikipedia-current-events/days/<file name>#<n>`, n the 0-based index of the leaf in
document order over the whole file. The hand-labelled gold set uses these ids: keep the scheme.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from newsfeed.training.corpora import cues

DAYS_DIR = "wikipedia-current-events/days"

SECTIONS: tuple[str, ...] = (
    "Armed conflicts and attacks",
    "International relations",
    "Politics and elections",
    "Law and crime",
    "Disasters and accidents",
    "Business and economy",
    "Health and environment",
    "Science and technology",
    "Arts and culture",
    "Sports",
)

# Variants seen in the pages that a plain case-fold or a close spelling match would not catch.
_SECTION_ALIASES = {
    "attacks and armed conflicts": "Armed conflicts and attacks",
    "disasters and incidents": "Disasters and accidents",
}

_BULLET = re.compile(r"^(?P<indent>[ \t]*)[*+-](?:[ \t]+(?P<body>.*))?$")
_HEADING = re.compile(r"^####[ \t]+(?P<name>.+?)[ \t]*#*[ \t]*$")
# A Markdown link; the URL may hold one level of balanced parentheses, and an optional "title".
_LINK = re.compile(
    r"\[(?P<text>[^\]]*)\]"
    r"\((?P<url>[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:[ \t]+\"(?P<title>[^\"]*)\")?\)"
)
_WIKI_URL = re.compile(r"^https?://en\.(?:m\.)?wikipedia\.org/wiki/(?P<page>[^#?]+)")


@dataclass(frozen=True)
class WikiEvent:
    """One leaf event. `threads` are the ancestors' story titles, outermost first; `links` are the
    Wikipedia article titles linked in the leaf (`leaf_links`) followed by those of its threads."""

    id: str
    day: str | None
    section: str
    threads: tuple[str, ...]
    text: str
    links: tuple[str, ...]
    leaf_links: tuple[str, ...]


@dataclass(frozen=True)
class _Bullet:
    indent: int
    body: str
    block: int  # index of the section block it sits in; a heading ends every open bullet


def iter_events(data_dir: str | Path) -> Iterator[WikiEvent]:
    """Every leaf event of every day page under `data_dir`, files in name order."""
    days = Path(data_dir) / DAYS_DIR
    for path in sorted(days.glob("*.md")):
        yield from parse_day(path.read_text(encoding="utf-8"), path.name)


def parse_day(markdown: str, file_name: str) -> Iterator[WikiEvent]:
    """The leaf events of one day page, given its text and file name (for the ids)."""
    front, body = split_front_matter(markdown)
    day = front.get("date") or _date_from_name(file_name)
    bullets: list[_Bullet] = []
    sections: list[str] = []
    for line in body.splitlines():
        heading = _HEADING.match(line)
        if heading:
            sections.append(normalise_section(heading["name"]))
            continue
        bullet = _BULLET.match(line)
        if bullet and bullet["body"] and bullet["body"].strip():
            indent = len(bullet["indent"].expandtabs(4))
            bullets.append(_Bullet(indent, bullet["body"].strip(), len(sections)))
    stack: list[_Bullet] = []
    n = 0
    for i, bullet in enumerate(bullets):
        while stack and (stack[-1].indent >= bullet.indent or stack[-1].block != bullet.block):
            stack.pop()
        nxt = bullets[i + 1] if i + 1 < len(bullets) else None
        if nxt is not None and nxt.block == bullet.block and nxt.indent > bullet.indent:
            stack.append(bullet)
            continue
        section = sections[bullet.block - 1] if bullet.block > 0 else ""
        leaf_links = tuple(_wiki_titles(bullet.body))
        thread_links = [title for parent in stack for title in _wiki_titles(parent.body)]
        yield WikiEvent(
            id=f"{DAYS_DIR}/{file_name}#{n}",
            day=day,
            section=section,
            threads=tuple(title for parent in stack for title in _thread_titles(parent.body)),
            text=plain_text(bullet.body),
            links=tuple(dict.fromkeys(leaf_links + tuple(thread_links))),
            leaf_links=tuple(dict.fromkeys(leaf_links)),
        )
        n += 1


def split_front_matter(markdown: str) -> tuple[dict[str, str], str]:
    """YAML front matter (flat `key: value` lines only) and the body after it."""
    if not markdown.startswith("---"):
        return {}, markdown
    end = markdown.find("\n---", 3)
    if end < 0:
        return {}, markdown
    fields: dict[str, str] = {}
    for line in markdown[3:end].splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t", "-")):
            fields[key.strip()] = _unquote_yaml(value.strip())
    rest = markdown[end + 4 :]
    return fields, rest[rest.find("\n") + 1 :] if "\n" in rest else ""


def normalise_section(name: str) -> str:
    """The canonical section name for a heading, tolerant of case and the misspellings seen."""
    folded = " ".join(name.split()).lower()
    for canonical in SECTIONS:
        if canonical.lower() == folded:
            return canonical
    if folded in _SECTION_ALIASES:
        return _SECTION_ALIASES[folded]
    close = difflib.get_close_matches(folded, [s.lower() for s in SECTIONS], n=1, cutoff=0.85)
    if close:
        return next(s for s in SECTIONS if s.lower() == close[0])
    return " ".join(name.split())


def plain_text(markdown: str) -> str:
    """Bullet Markdown as plain text: links become their text, cited outlets `[(Reuters)](url)` go."""

    def replace(match: re.Match[str]) -> str:
        text = match["text"].strip()
        return "" if _is_citation(text) else text

    text = _LINK.sub(replace, markdown)
    text = text.replace("**", "").replace("*", "")
    text = html.unescape(text)
    text = " ".join(text.split())
    return re.sub(r"\s+([.,;:!?])(?=\s|$)", r"\1", text)


def link_title(url: str, title: str | None) -> str | None:
    """The Wikipedia article title a link points at, or None when it is not a Wikipedia article."""
    match = _WIKI_URL.match(url)
    if not match:
        return None
    if title:
        return html.unescape(title).strip()
    return unquote(match["page"]).replace("_", " ").strip()


def _wiki_titles(markdown: str) -> Iterator[str]:
    for match in _LINK.finditer(markdown):
        if _is_citation(match["text"].strip()):
            continue
        title = link_title(match["url"], match["title"])
        if title:
            yield title


def _thread_titles(markdown: str) -> list[str]:
    titles = list(_wiki_titles(markdown))
    return titles or [plain_text(markdown)]


def _is_citation(link_text: str) -> bool:
    return link_text.startswith("(") and link_text.endswith(")")


def _date_from_name(file_name: str) -> str | None:
    match = re.match(r"(\d{4}-\d{2}-\d{2})", file_name)
    return match[1] if match else None


def _unquote_yaml(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


# --- labels ----------------------------------------------------------------------------------------

# Sections in which an event summary's own words are read with suspicion for diplomacy: their
# embassies are places of attacks and protests, their foreign ministers are appointed and resign,
# and their negotiations are between parties. There only strong cues count, and a diplomatic story
# thread counts unless the event reports fighting or harm.
_NOT_DIPLOMATIC_SECTIONS = frozenset({
    "Armed conflicts and attacks", "Law and crime", "Disasters and accidents", "Sports", "Arts and culture",
    "Politics and elections",
})

# Sections in which a war named in the summary or its links is a backdrop ("amid the Iran war"):
# there only military action and institutions (troops, airstrikes, an air force) make defence.
_WAR_AS_BACKDROP_SECTIONS = frozenset({
    "Business and economy", "Sports", "Arts and culture", "Disasters and accidents", "Health and environment",
    "Science and technology",
})


def event_topics(event: WikiEvent) -> frozenset[str]:
    """The automatic topic labels of an event, from its section, story threads, links and words.

    - diplomacy: the "International relations" section; or strong diplomacy words in the summary
      (peace/ceasefire talks, summits, sanctions on, treaties between... cues.DIPLOMACY_STRONG_TEXT);
      or a story thread about relations, negotiations, ceasefires, summits, sanctions, treaties,
      tariffs (cues.DIPLOMACY_TITLE), except, in the conflict, crime, disaster, politics, sports and
      arts sections, for an event that reports fighting or harm (cues.KINETIC: an airstrike under
      "Gaza peace plan" is not diplomacy); in the other sections also a diplomatic link or any
      diplomacy word (cues.DIPLOMACY_TEXT).
    - defence: the "Armed conflicts and attacks" section, unless the event is a shooting, bombing,
      protest or other crime (cues.CIVIL_VIOLENCE) with no armed-conflict or military context; or,
      in any section, a war/invasion/insurgency/military story thread (cues.DEFENCE_TITLE, minus
      consequences away from the fighting such as "Antisemitism during the ... war"), or a military
      link or military words in the summary (cues.DEFENCE_TEXT). In business, sports, arts,
      disaster, health and science sections a war named in the summary or a link is a backdrop
      (cues.WAR_TEXT, WAR_TITLE) and does not count: only military action and institutions do.
    - space: a space cue in the links, threads or summary (cues.SPACE_TITLE, SPACE_TEXT); rockets
      and launches count only away from armed conflict. "Science and technology" alone is not space.
    """
    titles = event.links + event.threads
    military = _military_context(event)
    topics: set[str] = set()
    if _is_diplomacy(event):
        topics.add("diplomacy")
    if military or (event.section == "Armed conflicts and attacks" and not cues.CIVIL_VIOLENCE.search(
        " ".join((event.text,) + event.threads)
    )):
        topics.add("defence")
    if _is_space(event, titles, military or event.section == "Armed conflicts and attacks"):
        topics.add("space")
    return frozenset(topics)


def _is_diplomacy(event: WikiEvent) -> bool:
    if event.section == "International relations":
        return True
    thread = cues.any_match(cues.DIPLOMACY_TITLE, event.threads)
    if cues.DIPLOMACY_STRONG_TEXT.search(event.text):
        return True
    if event.section in _NOT_DIPLOMATIC_SECTIONS:
        return thread and not cues.KINETIC.search(event.text)
    return (
        thread
        or cues.any_match(cues.DIPLOMACY_TITLE, event.leaf_links)
        or bool(cues.DIPLOMACY_TEXT.search(event.text))
    )


def _military_context(event: WikiEvent) -> bool:
    threads = [t for t in event.threads if not cues.DEFENCE_TITLE_EXCLUDED.search(t)]
    if cues.any_match(cues.DEFENCE_TITLE, threads):
        return True
    backdrop = event.section in _WAR_AS_BACKDROP_SECTIONS
    for title in event.leaf_links:
        if cues.DEFENCE_TITLE_EXCLUDED.search(title) or not cues.DEFENCE_TITLE.search(title):
            continue
        if not (backdrop and cues.WAR_TITLE.search(title)):
            return True
    hits = cues.count(cues.DEFENCE_TEXT, event.text)
    if not backdrop:
        hits += cues.count(cues.WAR_TEXT, event.text) - cues.count(cues.DEFENCE_TEXT_FALSE, event.text)
    return hits > 0


def _is_space(event: WikiEvent, titles: tuple[str, ...], armed_conflict: bool) -> bool:
    space_titles = [t for t in titles if t.lower() in cues.SPACE_TITLE_EXACT or cues.SPACE_TITLE.search(t)]
    if len(space_titles) > 1 or (space_titles and event.section != "Health and environment"):
        return True
    hits = cues.count(cues.SPACE_TEXT, event.text)
    if hits and (hits > 1 or event.section != "Health and environment"):
        return True
    return not armed_conflict and bool(cues.SPACE_AMBIGUOUS_TEXT.search(event.text))
