"""White House briefing-room documents (2021-2026): Markdown with YAML front matter, one file each.

The folder is the document type only (statements, readouts, fact sheets...), so labels come from
the title and from cue densities in the text. Two administrations and one press office: the
genre is uniform, which is why same-source negatives (domestic items) matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsfeed.models.gazetteer import Gazetteer
from newsfeed.training.corpora import cues

BRIEFING_ROOM_DIR = "whitehouse-briefing-room"


@dataclass(frozen=True)
class WhiteHouseDocument:
    id: str
    date: str | None
    title: str
    text: str
    kind: str  # the folder: articles, briefings-statements, fact-sheets, releases, ...


def iter_documents(data_dir: str | Path) -> Iterator[WhiteHouseDocument]:
    """Every document under `data_dir`, front matter parsed and Markdown flattened, in path order."""
    root = Path(data_dir)
    for path in sorted((root / BRIEFING_ROOM_DIR).rglob("*.md")):
        yield parse_document(path.read_text(encoding="utf-8"), path.relative_to(root).as_posix())


def parse_document(markdown: str, document_id: str) -> WhiteHouseDocument:
    """One document: title and date from the front matter, the body as plain text."""
    front, body = split_front_matter(markdown)
    kind = document_id.split("/")[1] if document_id.count("/") >= 2 else front.get("tags", "")
    date = front.get("date") or None
    return WhiteHouseDocument(
        id=document_id,
        date=date[:10] if date else None,
        title=" ".join(front.get("title", "").split()),
        text=plain_text(body),
        kind=kind,
    )


# --- YAML front matter -----------------------------------------------------------------------------

_YAML_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
    "L": "\u2028", "P": "\u2029",
}
_YAML_HEX = {"x": 2, "u": 4, "U": 8}


def split_front_matter(markdown: str) -> tuple[dict[str, str], str]:
    """The front matter's top-level scalars (plain, single- or double-quoted, folded over lines)
    and the body. A small reader for what these files hold, not a YAML parser."""
    lines = markdown.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, markdown
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return {}, markdown
    fields: dict[str, str] = {}
    key, raw = None, []
    for line in lines[1:end] + ["end:"]:
        if line and not line[0].isspace() and ":" in line:
            if key is not None:
                fields[key] = _yaml_scalar(raw)
            key, _, value = line.partition(":")
            key, raw = key.strip(), [value.strip()]
        elif key is not None:
            raw.append(line)
    return fields, "\n".join(lines[end + 1 :])


def _yaml_scalar(raw: list[str]) -> str:
    first = raw[0]
    if first.startswith('"'):
        return _double_quoted("\n".join(raw)[1:])
    if first.startswith("'"):
        body = _fold("\n".join(raw)[1:].rstrip())
        return (body[:-1] if body.endswith("'") else body).replace("''", "'")
    return _fold("\n".join(raw)).strip()


def _fold(text: str) -> str:
    """YAML line folding: a line break and the indentation around it become one space."""
    return re.sub(r"[ \t]*\n[ \t]*", " ", text)


def _double_quoted(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == '"':
            break
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "\n":  # an escaped line break joins the lines without a space
                i += 2
                while i < len(text) and text[i] in " \t":
                    i += 1
                continue
            if nxt in _YAML_HEX:
                width = _YAML_HEX[nxt]
                out.append(chr(int(text[i + 2 : i + 2 + width], 16)))
                i += 2 + width
                continue
            out.append(_YAML_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        if char == "\n":
            while out and out[-1] in " \t":
                out.pop()
            out.append(" ")
            i += 1
            while i < len(text) and text[i] in " \t":
                i += 1
            continue
        out.append(char)
        i += 1
    return "".join(out)


# --- Markdown to text ------------------------------------------------------------------------------

_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<(?:https?://|mailto:)[^>]*>")
_HTML = re.compile(r"<!--.*?-->|</?[A-Za-z][^>]*>", re.DOTALL)
_END_MARK = re.compile(r"^\s*(?:\*\*)?\\?#\s*\\?#\s*\\?#(?:\*\*)?\s*$|^\s*END\s*$")
_TABLE_RULE = re.compile(r"^\s*[+|]?[-=:+| ]{3,}[+|]?\s*$")
_BACKSLASH_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|'\"$&<>~^])")


def plain_text(markdown: str) -> str:
    """Pandoc Markdown as plain paragraphs: links to their text, no images, HTML, emphasis,
    "###" end marks, table rules or hard line wraps."""
    text = _HTML.sub(" ", markdown)
    text = _IMAGE.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(" ", text)
    paragraphs: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if _END_MARK.match(line) or _TABLE_RULE.match(line):
            line = ""
        line = line.strip().strip("|").strip()
        if not line:
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        line = re.sub(r"^(?:[-*+]|\d+[.)])\s+", "", line)
        line = re.sub(r"^#+\s*", "", line)
        current.append(line)
    if current:
        paragraphs.append(" ".join(current))
    cleaned = []
    for paragraph in paragraphs:
        paragraph = _BACKSLASH_ESCAPE.sub(r"\1", paragraph.replace("\\\n", " "))
        paragraph = re.sub(r"\*+|(?<!\w)_+|_+(?!\w)", "", paragraph)
        paragraph = " ".join(paragraph.replace("\xa0", " ").split())
        if paragraph:
            cleaned.append(paragraph)
    return "\n\n".join(cleaned)


# --- labels ----------------------------------------------------------------------------------------

LEAD_CHARS = 400

# Personnel announcements and honours lists: their biographies name countries and military
# service, which says nothing about the document's subject.
_PERSONNEL = re.compile(
    r"\b(?:nominat\w+|nominees?|appoint\w+|to (?:boards|commissions)|recipients|honorees)\b", re.IGNORECASE
)
_READOUT = re.compile(r"^readout (?:of|from)\b", re.IGNORECASE)
_JOINT_STATEMENT = re.compile(r"\bjoint (?:statement|declaration|communiqu\w+|fact sheet)\b", re.IGNORECASE)

# Minimum cue count and density (hits per 1,000 characters) for a label on a long document.
DIPLOMACY_MIN_HITS, DIPLOMACY_MIN_DENSITY = 4, 2.0
DEFENCE_MIN_HITS, DEFENCE_MIN_DENSITY = 3, 1.5
# A long document is also defence when military matters fill several sentences (a summit's
# security-cooperation section), at a lower density.
DEFENCE_MIN_SENTENCES, DEFENCE_SECTION_DENSITY = 4, 0.5
SPACE_MIN_HITS, SPACE_MIN_DENSITY = 5, 1.5


@dataclass(frozen=True)
class CueCounts:
    """What the labels of one document are decided on; `foreign` counts mentions of other states."""

    diplomacy: int
    defence: int
    veterans: int
    space: int
    foreign: int
    chars: int


def count_cues(document: WhiteHouseDocument, foreign_mentions: int) -> CueCounts:
    whole = f"{document.title}\n{document.text}"
    defence = cues.count(cues.DEFENCE_DOC, whole) - cues.count(cues.DEFENCE_TEXT_FALSE, whole)
    return CueCounts(
        diplomacy=cues.count(cues.DIPLOMACY_DOC, whole),
        defence=max(defence, 0),
        veterans=cues.count(cues.VETERANS, whole),
        space=cues.count(cues.SPACE_DOC, whole),
        foreign=foreign_mentions,
        chars=len(whole),
    )


def names_foreign_party(lead: str, gazetteer: Gazetteer) -> bool:
    """Whether a title and lead name a foreign state, leader, official or international body."""
    if cues.FOREIGN_OFFICIAL.search(lead):
        return True
    return any(mention.code != "US" for mention in gazetteer.find_mentions(lead))


def document_topics(document: WhiteHouseDocument, counts: CueCounts, foreign_in_lead: bool) -> frozenset[str]:
    """Labels from the title and the cue densities of the whole document.

    - diplomacy: a readout of a call or meeting, or a joint statement, with a foreign state,
      leader or official in the title or lead (`foreign_in_lead`); or diplomacy cues
      (cues.DIPLOMACY_DOC: bilateral, allies, summit, sanctions, treaty, tariffs, foreign leaders'
      titles...) plus half the mentions of other states reaching DIPLOMACY_MIN_HITS and
      DIPLOMACY_MIN_DENSITY per 1,000 characters.
    - defence: military and armed-conflict cues (cues.DEFENCE_DOC: DEFENCE_TEXT, WAR_TEXT and
      DEFENCE_DOC_EXTRA)
      less the veterans' and ceremonies' cues (cues.VETERANS) reaching DEFENCE_MIN_HITS and
      DEFENCE_MIN_DENSITY, or DEFENCE_SECTION_DENSITY when they fill DEFENCE_MIN_SENTENCES
      sentences: one sentence on Ukraine in a long fact sheet is not enough, a summit's security
      section is; a Memorial Day proclamation is not defence.
    - space: space cues (cues.SPACE_DOC: NASA, Artemis, Space Force, launch sites, the Moon...)
      reaching SPACE_MIN_HITS and SPACE_MIN_DENSITY.
    Personnel announcements and honours lists (nominations, appointments, medal recipients) get
    neither diplomacy nor defence by density: their biographies name countries and military service.
    Everything else, the domestic agenda, gets no label: the same-source negatives.
    """
    topics: set[str] = set()
    if (_READOUT.search(document.title) or _JOINT_STATEMENT.search(document.title)) and foreign_in_lead:
        topics.add("diplomacy")
    personnel = bool(_PERSONNEL.search(document.title))
    dense = _dense(counts.diplomacy + counts.foreign / 2, counts.chars, DIPLOMACY_MIN_HITS, DIPLOMACY_MIN_DENSITY)
    if dense and not personnel:
        topics.add("diplomacy")
    if not personnel and _is_defence(document, counts):
        topics.add("defence")
    if _dense(counts.space, counts.chars, SPACE_MIN_HITS, SPACE_MIN_DENSITY):
        topics.add("space")
    return frozenset(topics)


def _is_defence(document: WhiteHouseDocument, counts: CueCounts) -> bool:
    hits = counts.defence - counts.veterans
    if _dense(hits, counts.chars, DEFENCE_MIN_HITS, DEFENCE_MIN_DENSITY):
        return True
    return _dense(hits, counts.chars, DEFENCE_MIN_HITS, DEFENCE_SECTION_DENSITY) and (
        _defence_sentences(document) >= DEFENCE_MIN_SENTENCES
    )


def _defence_sentences(document: WhiteHouseDocument) -> int:
    sentences = _SENTENCE_END.split(f"{document.title}\n{document.text}")
    return sum(
        1 for sentence in sentences
        if cues.DEFENCE_DOC.search(sentence) and not cues.VETERANS.search(sentence)
    )


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def _dense(hits: float, chars: int, min_hits: float, min_density: float) -> bool:
    return hits >= min_hits and 1000.0 * hits / max(chars, 1000) >= min_density
