"""NASA news articles and blog posts (first half of 2024): one Markdown file each, title on line 1.

Nearly all of it is space, so the builder's work is twofold: strip the press office's boilerplate
(a model would otherwise learn "-end-" and media-contact blocks as the sign of space), and find the
items that are not space so that they stay in as same-source negatives.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsfeed.training.corpora import cues

ARTICLES_DIR = "nasa-news-2024/articles"

# Everything after one of these lines is contacts, credits and links.
_END_OF_STORY = re.compile(
    r"^\s*(?:-end-|-\s*end\s*-|#+\s*$|news media contacts?:?|media contacts?:?|media contact information|"
    r"for (?:further|more) information,? (?:contact|please contact)\b.*)\s*$",
    re.IGNORECASE,
)
# Single lines of boilerplate anywhere in the text.
_BOILERPLATE_LINE = re.compile(
    r"NASA\+|^\s*(?:image |photo |video )?credits?:|^\s*›|back to top|enable javascript|^\s*\d+ min read\s*$|"
    r"^\s*(?:learn more|read more|find out more|for more information|more information|to learn more|"
    r"follow (?:us|along|the)|get the latest|watch)\b.*(?::|https?://\S+)\s*$|"
    r"^\s*(?:https?://|www\.)\S+\s*$|^\s*\S+@\S+\.\w+(?:\s*/\s*\S+@\S+\.\w+)*\s*$|"
    r"^\s*\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4}(?:\s*/\s*\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4})*\s*$|"
    r"^\s*by [A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3}\s*$|"
    r"a media fusion employee|supports the marshall office of communications|"
    r"^\s*(?:editor|layout|design|credits):|^\s*the next full moon is\b",
    re.IGNORECASE,
)

_NASA_NAME = re.compile(r"\bNASA(?:[’']s)?\b")

# In a NASA article these words are space too: NASA launches spacecraft, not missiles, and its
# Mars is the planet. (Not in cues.SPACE_TEXT, where "launch", "stars" and "sun" mean other things.)
_NASA_SPACE_EXTRA = cues.cue_pattern(
    r"launch(?:es|ed|ing)?", r"mars", r"sols? \d+", r"curiosity", r"perseverance", r"ingenuity",
    r"mastcam", r"chemcam", r"crater", r"stars?", r"stellar", r"planets?", r"(?:the )?sun",
    r"solar(?! (?:panels?|cells?|energy|power|farms?|arrays? on))", r"cosmic", r"universe",
    r"astronomers?", r"gamma[- ]rays?", r"x-rays?", r"nebula\w*", r"neutron stars?", r"white dwarfs?",
    r"brown dwarfs?", r"aurora\w*", r"sunspots?", r"magnetosphere", r"ionosphere", r"heliophysics",
    r"artemis", r"orion", r"(?-i:SLS)", r"space launch system", r"gateway", r"starliner", r"crew dragon",
    r"cygnus", r"commercial crew", r"(?-i:CLPS)", r"sounding rockets?", r"chandra", r"europa clipper",
    r"osiris-rex", r"psyche", r"(?-i:VIPER)", r"parker solar probe", r"(?-i:TESS)", r"(?-i:NICER)",
    r"(?-i:JPL)", r"deep space network", r"microgravity", r"expedition \d+", r"crew-\d+", r"swift",
    r"constellations?", r"space weather", r"jovian", r"jupiter", r"(?-i:OSAM)-\d", r"(?-i:GPM)", r"pressure vessels?",
)

# "Tech Today" spinoff stories: commercial products that grew out of agency work, not space activity.
_SPINOFF = re.compile(r"^\s*tech today\b", re.IGNORECASE)

_SPANISH = re.compile(r"\b(?:el|la|los|las|del|para|que|una|por|con|es)\b")
_ENGLISH = re.compile(r"\b(?:the|and|of|to|is|for|with|that)\b")


@dataclass(frozen=True)
class NasaArticle:
    id: str
    title: str
    text: str


def iter_articles(data_dir: str | Path) -> Iterator[NasaArticle]:
    """Every article under `data_dir`, cleaned, in file-name order."""
    root = Path(data_dir)
    for path in sorted((root / ARTICLES_DIR).glob("*.md"), key=_natural_key):
        yield parse_article(path.read_text(encoding="utf-8"), path.relative_to(root).as_posix())


def is_english(article: NasaArticle) -> bool:
    """False for the agency's Spanish-language items (the product does not classify Spanish)."""
    whole = f"{article.title} {article.text}".lower()
    return len(_SPANISH.findall(whole)) <= 2 * len(_ENGLISH.findall(whole))


def parse_article(markdown: str, article_id: str) -> NasaArticle:
    """Title (first line) and boilerplate-free text of one article."""
    first, _, rest = markdown.partition("\n")
    return NasaArticle(id=article_id, title=first.strip(), text=strip_boilerplate(rest))


def strip_boilerplate(text: str) -> str:
    """The story without "-end-" and what follows, NASA+ lines, credits, contacts and link lines."""
    kept: list[str] = []
    for line in text.splitlines():
        if _END_OF_STORY.match(line):
            break
        if _BOILERPLATE_LINE.search(line):
            continue
        kept.append(line.strip())
    paragraphs = "\n".join(kept)
    return re.sub(r"\n{3,}", "\n\n", paragraphs).strip()


def article_topics(article: NasaArticle) -> frozenset[str]:
    """Space by default; no label for aeronautics, Earth science not about a mission, or no space.

    Cues are counted over title and text, the title's counted twice, the agency's own name not at
    all (every article says it); space cues are cues.SPACE_TEXT plus rockets and the NASA-only
    extras above (launches, Mars, stars, the Sun, mission names, Curiosity's "Sols" logs).
    - aeronautics: at least 3 aeronautics cues (cues.AERONAUTICS: aircraft, X-59, supersonic,
      aviation, "Aeronautics" directorate...) outnumbering the space cues, and no space cue in the
      title (the Ingenuity Mars helicopter stays space);
    - Earth science: at least 3 Earth-science cues (cues.EARTH_SCIENCE) outnumbering the space cues,
      and no satellite or mission named in the title or lead (cues.EARTH_MISSION): a study of
      wildfires is not space, the PACE satellite's first data is;
    - not about space activity: no space cue, or under 0.5 per 1,000 characters (agency
      administration, contracts, awards, heritage months), or a "Tech Today" spinoff story.
    """
    if _SPINOFF.match(article.title):
        return frozenset()
    title_space = _space_cues(article.title)
    space = _space_cues(article.text) + 2 * title_space
    aero = cues.count(cues.AERONAUTICS, article.text) + 2 * cues.count(cues.AERONAUTICS, article.title)
    earth = cues.count(cues.EARTH_SCIENCE, article.text) + 2 * cues.count(cues.EARTH_SCIENCE, article.title)
    if aero >= 3 and aero > space and not title_space:
        return frozenset()
    lead = f"{article.title}\n{article.text[:800]}"
    if earth >= 3 and earth > space and not cues.EARTH_MISSION.search(lead):
        return frozenset()
    if space == 0 or cues.per_thousand(space, f"{article.title}\n{article.text}") < 0.5:
        return frozenset()
    return frozenset({"space"})


def _space_cues(text: str) -> int:
    hits = cues.count(cues.SPACE_TEXT, text) - len(_NASA_NAME.findall(text))
    return hits + cues.count(cues.SPACE_AMBIGUOUS_TEXT, text) + cues.count(_NASA_SPACE_EXTRA, text)


def _natural_key(path: Path) -> tuple[str, int]:
    match = re.search(r"(\d+)", path.stem)
    return (path.stem.rstrip("0123456789"), int(match[1]) if match else -1)
