"""The country gazetteer: which countries a text names, and which of them the article is about.

Surfaces come from pycountry (names, common and official names) and from the curated files in
`models/data/`, read through `GazetteerData` (a saved model carries its own frozen copy of both) (demonyms, capitals, metonyms, aliases, ambiguous words, phrases to ignore). All
surfaces are compiled into one regex shaped as a prefix tree, so that each text position costs a
few character tests however many surfaces there are, and the longest surface at a position wins
("South Korea" never also counts as "Korea"). Context rules then drop or resolve ambiguous words,
and `score_countries` turns the mentions into a focus score per country from position, frequency,
share of all country mentions and role.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from newsfeed.models.gazetteer_data import (
    ALIASES_FILE, AMBIGUOUS_FILE, COUNTRIES_FILE, DATA_DIR, LEADERS_FILE, SUBDIVISIONS_FILE, GazetteerData,
)
from newsfeed.models.taxonomy import COUNTRY_REGION, REGIONS

# The version of the rules in this module (kind weights, context rules, patterns, focus features): the
# gazetteer's rows are frozen into each artifact, its rules are code, and an artifact records which
# rules it was saved with. A change that alters any mention or score bumps it; this code serves the
# artifacts of the versions in GAZETTEER_RULES_VERSIONS.
# v2 reads a wire dateline in capitals ("GAZA (Reuters) -", "JOHANNESBURG, Sept. 9 --") as the place
# it names, whatever kind of surface; v1 read capitals only for unambiguous names (_with_variants).
GAZETTEER_RULES_VERSION = "2"
GAZETTEER_RULES_VERSIONS = frozenset({"1", "2"})

# How much one mention says about the article, by what kind of surface it is. A demonym is often
# an adjective in passing ("Russian-made"); a city, group or agency is weaker evidence than a name.
KIND_WEIGHTS: dict[str, float] = {
    "name": 1.0,
    "alias": 1.0,
    "capital": 1.0,
    "place": 1.0,
    "metonym": 1.0,
    "demonym": 0.8,
    "city": 0.6,
    "org": 0.5,
    "leader": 1.0,
}
MATCHED_KINDS = frozenset(KIND_WEIGHTS) | {"block"}

TITLE_WEIGHT = 3.0  # a mention in the headline
LEAD_WEIGHT = 2.0  # a mention in the lead, the first LEAD_CHARS of the body
LEAD_CHARS = 300
ROLE_WEIGHT = 1.5  # a mention as sentence subject, leader or government ("the Kremlin", "Russian President")
MODIFIER_WEIGHT = 0.5  # a mention qualifying something else: "Russia-led exercises", "Iran-backed militia"
# One mention is strong evidence in a 200-character news item and weak in a 6,000-character
# article: the evidence a country needs grows by one weighted mention per this many characters.
CHARS_PER_EXPECTED_MENTION = 2000
# ... up to this length: in a 40,000-character interview the main country is named often, but not
# twenty times more often than in a 2,000-character story.
MAX_EVIDENCE_CHARS = 12_000
FOCUS_THRESHOLD = 0.3  # raw focus strength at which a country becomes focus (score 0.5)

# Capitalised words that open a sentence or clause rather than being someone's first name, so that
# "In Jordan" is the country while "Michael Jordan" is not.
CLAUSE_OPENERS = frozenset(
    "In To From With And Or Of For By At On As But Both While After Before Including Like Unlike "
    "Between Against About Across Near Via Neighbouring Neighboring Visiting The If When Where "
    "Whereas Also Only Then Meanwhile Northern Southern Eastern Western Central Rural".split()
)

# Abbreviations that stand before a name ("Rep. Jordan"); any other capitalised word that ends
# in a full stop ends a sentence, and an initial ("Lynndie R. England") is part of a name.
NAME_TITLES = frozenset("Mr. Mrs. Ms. Dr. Rep. Sen. Gov. Gen. Col. Lt. Sgt. Capt. Prof. Rev. St.".split())

# A country word after one of these is part of another place's name ("Puerto Valencia" is in
# Colombia, "Fort Washington" in Maryland); places that are themselves countries or cities of
# interest ("Puerto Rico", "Port Sudan") are longer surfaces and match whole before this applies.
_PLACE_PREFIXES = tuple(
    "Puerto Porto Port San Santa Santo São Saint St. Fort Mount Lake Cape Villa Ciudad Nueva Nuevo New Nova Novo Little".split()
)
_PLACE_PREFIX_BEFORE = re.compile(r"\b(?:" + "|".join(map(re.escape, _PLACE_PREFIXES)) + r")\s+$")
_STREET_AFTER = re.compile(r" (?:Street|St\.|Avenue|Ave\.|Road|Boulevard|Square|Drive|Lane|Place|Plaza|Bay|Lake)\b")
_TITLE_QUALIFIER = re.compile(r"(.+?) \(([^()]+)\)")
_ADMINISTRATIVE_SUFFIX = re.compile(r" (?:Oblast|Province|State|Region|Governorate|District|Prefecture|Raion|Krai|Department)$")
_WORD_BEFORE = re.compile(r"([A-Z][\w'’.-]*)\s+$")
_WORD_AFTER = re.compile(r"\s+[A-Z]")
_MODIFIER_AFTER = re.compile(
    r"-(?:led|backed|based|made|born|flagged|linked|aligned|allied|sponsored|funded|owned|brokered|style|bound)\b"
)
_SUBJECT_BEFORE = re.compile(r"(?:^\s*|[.!?][\"”’)]*\s+|\n\s*\n\s*)(?:[Tt]he\s+)?$")
_LEADER_AFTER = re.compile(
    r"(?:['’]s)?\s+(?:President|Prime\s+Minister|Premier|Chancellor|Foreign\s+Minister|Defen[cs]e\s+Minister|"
    r"Minister|King|Emir|Crown\s+Prince|leader|leadership|government|authorities|officials|delegation|"
    r"side|military|army|forces|troops)\b",
    re.IGNORECASE,
)
_LEADER_BEFORE = re.compile(
    r"(?:\b(?:[Pp]resident|[Pp]rime\s+[Mm]inister|[Mm]inister|[Ll]eader|[Hh]ead|[Gg]overnment|[Kk]ing|"
    r"[Ee]mir|[Aa]uthorities|[Pp]eople)|[A-Z][\w'’.-]*)\s+of\s+(?:the\s+)?$"
)


@dataclass(frozen=True)
class Mention:
    """One country surface in a text: `text[start:end] == surface`."""

    code: str
    start: int
    end: int
    surface: str
    kind: str


@dataclass(frozen=True)
class CountryScore:
    """A country of an article: `focus` when it is a principal actor or place (score >= 0.5)."""

    code: str
    name: str
    mentions: int
    focus: bool
    score: float


@dataclass(frozen=True)
class Surface:
    """What a surface form means: one country, candidates under context rules, or nothing (block)."""

    codes: tuple[str, ...]
    kind: str
    rules: frozenset[str] = frozenset()
    cues: re.Pattern[str] | None = None


class Gazetteer:
    """Surfaces, display names and lookup titles of countries, with the compiled matcher."""

    def __init__(self, surfaces: dict[str, Surface], names: dict[str, str], titles: dict[str, str],
                 place_suffixes: Iterable[str], country_regions: Mapping[str, str] = COUNTRY_REGION,
                 rules_version: str = GAZETTEER_RULES_VERSION):
        self.surfaces = surfaces
        self.rules_version = rules_version
        self._reads_capitals = rules_version != "1"
        self.country_regions = country_regions  # the region of each country code (a model's regions.json)
        self.names = names
        self.titles = titles
        self._matcher = _matcher(surfaces)
        # A few surfaces start in lower case ("mainland China", "al Shabaab"): with them the engine
        # enters the tree at every "a", "m", "o" of a text, which doubles the scan. A text that lacks
        # the longest literal word of each of them cannot contain one, and is scanned without them:
        # every other position matches as before, so the mentions are the same.
        lowercase = [key for key in surfaces if not key[0].isupper()]
        self._lowercase_words = tuple(sorted({max(re.split("[ ']", key), key=len) for key in lowercase}))
        self._capitalised_matcher = _matcher([key for key in surfaces if key[0].isupper()])
        # "Paris, Texas", "Moscow, Idaho", "London, Ontario": a place followed by a US state or
        # Canadian province is that North American town, not the foreign one.
        self._place_suffix = re.compile(r",\s{0,3}(?:" + "|".join(map(re.escape, sorted(place_suffixes))) + r")(?!\w)")

    @classmethod
    def load(cls, data_dir: Path = DATA_DIR) -> Gazetteer:
        """The gazetteer built from pycountry and the files in `data_dir`, built once per process: the one
        a model is fitted with. A saved model is served with its own (`from_data`)."""
        return _load(Path(data_dir))

    @classmethod
    def from_data(cls, data: GazetteerData, country_regions: Mapping[str, str] = COUNTRY_REGION,
                  rules_version: str = GAZETTEER_RULES_VERSION) -> Gazetteer:
        """The gazetteer built from these rows and no other source, applying the rules of `rules_version`
        (a saved model's: the rules it was fitted with)."""
        return _build(data, country_regions, rules_version)

    def find_mentions(self, text: str) -> list[Mention]:
        """Country mentions in `text`, in order, after the context rules of ambiguous words; with rules
        v2, also the place a dateline in capitals names ("GAZA (Reuters) -")."""
        mentions = self._find_mentions(text)
        datelines = [match.span(1) for match in _DATELINE.finditer(text)] if self._reads_capitals else []
        if not datelines:
            return mentions
        # The text with each dateline written as a name is written, the same length, so the matcher
        # and its context rules read "GAZA (Reuters)" as "Gaza (Reuters)". Only datelines: elsewhere a
        # headline in capitals holds words that are places only when capitalised ("NICE", "READING").
        parts, last = [], 0
        for start, end in datelines:
            parts += [text[last:start], _WORD.sub(lambda word: word[0][0] + word[0][1:].lower(), text[start:end])]
            last = end
        taken = [(m.start, m.end) for m in mentions]
        added = [Mention(m.code, m.start, m.end, text[m.start:m.end], m.kind)
                 for m in self._find_mentions("".join(parts) + text[last:])
                 if _overlaps(datelines, m.start, m.end) and not _overlaps(taken, m.start, m.end)]
        return sorted(mentions + added, key=lambda m: m.start) if added else mentions

    def _find_mentions(self, text: str) -> list[Mention]:
        found: list[tuple[Surface, re.Match[str]]] = []
        lowercase_possible = any(map(text.__contains__, self._lowercase_words))
        matcher = self._matcher if lowercase_possible else self._capitalised_matcher
        for match in matcher.finditer(text):
            surface = self.surfaces.get(match.group()) or self.surfaces[_key(match.group())]
            if not surface.codes or self._is_other_place(text, match, surface.kind):
                continue
            if "person" in surface.rules and _is_personal_name(text, match.start(), match.end()):
                continue
            found.append((surface, match))
        plain = Counter(s.codes[0] for s, _ in found if not s.rules - {"person", "veto"})
        # Whether each cue or veto pattern occurs in the text, searched once per text, not once per
        # mention: a name repeated a thousand times would otherwise scan the text a thousand times.
        cued: dict[re.Pattern[str], bool] = {}
        mentions = []
        for surface, match in found:
            if surface.cues is not None and surface.cues not in cued:
                cued[surface.cues] = surface.cues.search(text) is not None
            code = _resolve(surface, plain, cued.get(surface.cues, False))
            if code is not None:
                mentions.append(Mention(code, match.start(), match.end(), match.group(), surface.kind))
        return mentions

    def _is_other_place(self, text: str, match: re.Match[str], kind: str) -> bool:
        """A homonym in another country's place name ("Paris, Texas", "Puerto Valencia"), or a street,
        square or lake named after the country ("Georgia Avenue", "France Street")."""
        if self._place_suffix.match(text, match.end()) or _STREET_AFTER.match(text, match.end()):
            return True
        return kind != "demonym" and _found_before(_PLACE_PREFIX_BEFORE, _PLACE_PREFIXES, text, match.start(), 12)

    def country_for_name(self, name: str) -> str | None:
        """The code of a name, alias or Wikipedia article title ("Kyiv", "Gaza Strip"), else None.

        Exact, plus the title conventions of Wikipedia: a qualifier in parentheses ("Ministry of
        Foreign Affairs (Iran)", "Al-Shabaab (militant group)"), a place and its country or state
        ("Balochistan, Pakistan"), an administrative suffix ("Sumy Oblast", "Borno State").
        Underscores count as spaces. Words that need context (Georgia, Korea, Congo) give None
        unless a title says which ("Georgia (country)").
        """
        key = _key(name.replace("_", " ").strip())
        if (code := self._exact(key)) is not None:
            return code
        if qualified := _TITLE_QUALIFIER.fullmatch(key):
            return self._exact(qualified[2]) or self._exact(qualified[1])
        if ", " in key:
            return self._exact(key.rpartition(", ")[2])
        unsuffixed = _ADMINISTRATIVE_SUFFIX.sub("", key)
        return self._exact(unsuffixed) if unsuffixed != key else None

    def _exact(self, key: str) -> str | None:
        if key in self.titles:
            return self.titles[key]
        surface = self.surfaces.get(key)
        if surface is None or not surface.codes or surface.rules - {"person", "veto"}:
            return None
        return surface.codes[0]

    def name_of(self, code: str) -> str:
        """The short common name of a code: "Russia", "North Korea", "United States"."""
        return self.names[code.upper()]


def find_mentions(text: str, gazetteer: Gazetteer | None = None) -> list[Mention]:
    return (gazetteer or Gazetteer.load()).find_mentions(text)


@dataclass
class _Evidence:
    """What an article says of one country: its weighted mentions and how they were made."""

    weight: float = 0.0
    mentions: int = 0
    in_title: int = 0
    in_lead: int = 0
    as_actor: int = 0  # subject, leader or government reference
    as_modifier: int = 0  # "Russia-led", "Iran-backed"
    demonyms: int = 0
    leaders: int = 0
    orgs: int = 0


# The features of a country's evidence that the focus model weighs, in order (see focus_features).
FOCUS_FEATURES = (
    "log weight", "weight / top country's", "weight / all countries'", "log mentions", "in title", "in lead",
    "actor share", "modifier share", "demonym share", "named by a leader", "agency share", "is the top country",
    "log countries named", "log body length", "rule strength",
)


@dataclass
class FocusModel:
    """Learned focus: a logistic regression of "this country is a focus of the article" on
    FOCUS_FEATURES, fitted on articles whose focus countries were read (training.focus). Its output is
    a probability; a country is focus at 0.5 or more."""

    coef: list[float]
    intercept: float

    def probability(self, features: list[float]) -> float:
        logit = self.intercept + sum(w * x for w, x in zip(self.coef, features))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))


def score_countries(title: str, body: str, gazetteer: Gazetteer, focus: FocusModel | None = None,
                    mentions: tuple[list[Mention], list[Mention]] | None = None) -> list[CountryScore]:
    """Every country the article names, most relevant first, each with its focus score in [0, 1]: the
    focus model's probability when one is given, else the rule strength mapped so that 0.5 is focus.
    `mentions`, the title's and the body's, when the caller has found them already."""
    evidence = country_evidence(title, body, gazetteer, mentions)
    scores = []
    for code, features in focus_features(evidence, body).items():
        score = focus.probability(features) if focus is not None else _calibrated(features[-1])
        scores.append(CountryScore(code, gazetteer.name_of(code), evidence[code].mentions, score >= 0.5, round(score, 4)))
    return sorted(scores, key=lambda s: (-s.score, -s.mentions, s.code))


def country_evidence(title: str, body: str, gazetteer: Gazetteer,
                     mentions: tuple[list[Mention], list[Mention]] | None = None) -> dict[str, _Evidence]:
    """Per country code, the evidence of its mentions in the title and body."""
    evidence: dict[str, _Evidence] = defaultdict(_Evidence)
    if mentions is None:
        mentions = (gazetteer.find_mentions(title), gazetteer.find_mentions(body))
    for text, in_title, found in ((title, True, mentions[0]), (body, False, mentions[1])):
        previous = None
        for mention in found:
            facts = evidence[mention.code]
            facts.mentions += 1
            facts.demonyms += mention.kind == "demonym"
            facts.leaders += mention.kind == "leader"
            facts.orgs += mention.kind == "org"
            if not _is_locator(text, previous, mention):
                weight = KIND_WEIGHTS[mention.kind]
                if in_title:
                    weight *= TITLE_WEIGHT
                    facts.in_title += 1
                elif mention.start < LEAD_CHARS:
                    weight *= LEAD_WEIGHT
                    facts.in_lead += 1
                if _MODIFIER_AFTER.match(text, mention.end):
                    weight *= MODIFIER_WEIGHT
                    facts.as_modifier += 1
                elif _has_role(text, mention):
                    weight *= ROLE_WEIGHT
                    facts.as_actor += 1
                facts.weight += weight
            previous = mention
    return evidence


def focus_features(evidence: dict[str, _Evidence], body: str) -> dict[str, list[float]]:
    """FOCUS_FEATURES of each country with weighted mentions (a country named only as its own city's
    locator has none, and is left out)."""
    weighted = {code: facts for code, facts in evidence.items() if facts.weight > 0}
    if not weighted:
        return {}
    total = sum(f.weight for f in weighted.values())
    top = max(f.weight for f in weighted.values())
    needed = 1.0 + min(len(body), MAX_EVIDENCE_CHARS) / CHARS_PER_EXPECTED_MENTION
    features = {}
    for code, f in weighted.items():
        # The rule of the first models: salience against the other countries (relative to the top one,
        # and as a share of all, so a list of twenty countries has no focus) times the evidence for it
        # in a text this long.
        strength = math.sqrt((f.weight / top) * (f.weight / total)) * (1.0 - math.exp(-f.weight / needed))
        features[code] = [
            math.log1p(f.weight), f.weight / top, f.weight / total, math.log1p(f.mentions), float(f.in_title > 0),
            float(f.in_lead > 0), f.as_actor / f.mentions, f.as_modifier / f.mentions, f.demonyms / f.mentions,
            float(f.leaders > 0), f.orgs / f.mentions, float(f.weight == top), math.log1p(len(weighted)),
            math.log1p(len(body) / 1000), strength,
        ]
    return features


def regions_from_countries(scores: Iterable[CountryScore],
                           country_regions: Mapping[str, str] = COUNTRY_REGION) -> dict[str, float]:
    """Region scores: a region scores as its best-scoring country in the text, so it reaches 0.5 (the
    focus threshold) exactly when one of its countries is a focus country, and is 0 when none of its
    countries is named. `country_regions` maps country codes to regions (a model's own map when served)."""
    regions = {slug: 0.0 for slug in REGIONS}
    for country in scores:
        region = country_regions.get(country.code.upper())
        if region is not None:
            regions[region] = max(regions[region], country.score)
    return regions


def _is_locator(text: str, previous: Mention | None, mention: Mention) -> bool:
    # "Munich, Germany", "Kyiv, Ukraine": the country after its own city only locates the city.
    return (
        previous is not None
        and previous.code == mention.code
        and text[previous.end : mention.start].strip() == ","
    )


def _has_role(text: str, mention: Mention) -> bool:
    """Subject of a sentence, or a leader or government reference: cheap patterns around the mention."""
    start, end = mention.start, mention.end
    return (
        mention.kind in ("metonym", "leader")
        or (_may_open_sentence(text, start) and _SUBJECT_BEFORE.search(text, max(0, start - 16), start) is not None)
        or _LEADER_AFTER.match(text, end, end + 40) is not None
        or _found_before(_LEADER_BEFORE, ("of", "the"), text, start, 40)  # "President of", "Government of the"
    )


def _may_open_sentence(text: str, start: int) -> bool:
    """Whether _SUBJECT_BEFORE can match in the 16 characters before `start`: each of its branches needs the
    text's start ("^" matches only there) or one of ".!?" or a line break in that window. Tested with
    string methods first: most mentions are mid-sentence, where the pattern is tried at every position."""
    if start <= 16:
        return True
    window = text[start - 16:start]
    return "." in window or "\n" in window or "!" in window or "?" in window


# A dateline: words in capitals opening a line, then the wire's "(Reuters)", a comma and date, a colon
# or a dash. Bounded (at most five words), so a line of capitals costs one short attempt per line.
_DATELINE = re.compile(r"(?m)^[ \t]*((?:[A-Z][A-Z.'’]+[ \t]){0,4}[A-Z][A-Z.'’]+)(?=[ \t]*(?:\(|,|:|--|-[ \t]|—))")
_WORD = re.compile(r"[A-Z][A-Z'’]*")


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of `spans` (sorted, not overlapping): a binary search."""
    i = bisect.bisect_right(spans, (start, float("inf"))) - 1
    return (i >= 0 and spans[i][1] > start) or (i + 1 < len(spans) and spans[i + 1][0] < end)


def _found_before(pattern: re.Pattern[str], last_words: tuple[str, ...], text: str, start: int, width: int) -> bool:
    """Whether `pattern`, anchored at the end, matches in the `width` characters before `start`.

    Every match of the pattern ends in one of `last_words` and then spaces: that is tested first, with
    string methods, because the pattern itself is tried from each position of the window and fails on
    most mentions.
    """
    window_start = max(0, start - width)
    return (text[window_start:start].rstrip().endswith(last_words)
            and pattern.search(text, window_start, start) is not None)


def _calibrated(strength: float) -> float:
    # Piecewise-linear map of the raw strength so that the focus threshold sits at 0.5.
    if strength < FOCUS_THRESHOLD:
        return 0.5 * strength / FOCUS_THRESHOLD
    return min(1.0, 0.5 + 0.5 * (strength - FOCUS_THRESHOLD) / (1.0 - FOCUS_THRESHOLD))


def _is_personal_name(text: str, start: int, end: int) -> bool:
    """A capitalised word glued on by a space: "Michael Jordan", "Chad Wolf", "Lake Chad"."""
    before = _WORD_BEFORE.search(text, max(0, start - 30), start)
    if before and "\n\n" not in before.group():
        word = before.group(1)
        sentence_end = word.endswith(".") and len(word) > 2 and word not in NAME_TITLES
        if word not in CLAUSE_OPENERS and not sentence_end:
            return True
    after = _WORD_AFTER.match(text, end, end + 30)
    return after is not None and "\n\n" not in after.group()


def _resolve(surface: Surface, plain: Counter[str], cue_in_text: bool) -> str | None:
    """The country an accepted surface stands for here, given the unambiguous mentions of the text
    and whether the surface's cue (or veto) pattern occurs in it."""
    if "cue" in surface.rules:
        code = surface.codes[0]
        return code if plain[code] > 0 or cue_in_text else None
    if "veto" in surface.rules:
        return None if cue_in_text else surface.codes[0]
    if "majority" in surface.rules:
        # max() keeps the first of equals, and the default is first.
        return max(surface.codes, key=lambda code: plain[code])
    return surface.codes[0]


def _key(surface: str) -> str:
    """How a surface is looked up: one space for any run of spaces, line breaks or hyphens."""
    return re.sub(r"[\s\-]+", " ", surface.replace("’", "'"))


def _folded(surface: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", surface) if not unicodedata.combining(ch))


def _plural(demonym: str) -> str | None:
    # "Russians", "Israelis", "Czechs" (listed in the data); not "Chineses", "Frenchmens", "Swisss".
    if demonym.endswith(("s", "sh", "ch", "x", "z", "y", "ese", "man", "men")):
        return None
    return demonym + "s"


def _matcher(keys: Iterable[str]) -> re.Pattern[str]:
    """One regex for all `keys`, shaped as a prefix tree; a surface matches only where a word starts."""
    trie = _trie(keys)
    if not trie:
        return re.compile(r"(?!)")
    # Each branch opens on its first character, then looks behind it for a word character: so the
    # pattern starts with a set of literal characters, which the regex engine scans for in C and
    # enters the tree only there (twice as fast as a leading lookahead, tried at every position).
    branches = [_char_pattern(char) + rf"(?<!\w{_char_pattern(char)})" + _node_pattern(child)
                for char, child in sorted(trie.items())]
    # A surface ends at a word boundary, or on its own punctuation ("US$" in "US$100").
    return re.compile("(?:" + "|".join(branches) + r")(?:(?<!\w)|(?!\w))")


def _trie(keys: Iterable[str]) -> dict:
    trie: dict = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}
    if "" in trie:
        raise ValueError("the gazetteer has an empty surface")
    return trie


def _node_pattern(node: dict) -> str:
    # Children before the end of a key, greedily: the regex engine tries the longest surface first
    # and backs off to a shorter one only when the longer one does not match.
    branches = [_char_pattern(char) + _node_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def _char_pattern(char: str) -> str:
    if char == " ":
        return r"[\s\-]+"
    if char == "'":
        return "['’]"
    return re.escape(char)


def _pycountry_surfaces(data: GazetteerData) -> tuple[dict[str, Surface], dict[str, str]]:
    surfaces, names = {}, {}
    for alpha_2, name, common_name, official_name in data.rows(COUNTRIES_FILE):
        names[alpha_2] = common_name or name
        for value in (name, common_name, official_name):
            # "Korea, Republic of" and "Cocos (Keeling) Islands" are catalogue forms, not text.
            if value and "," not in value and "(" not in value:
                surfaces[_key(value.removeprefix("the "))] = Surface((alpha_2,), "name")
    return surfaces, names


# Kinds whose surfaces are also matched written in capitals ("RUSSIA", "NORTH KOREAN"), as headlines
# and some wires write them; not the words whose capitalised form is all that tells them apart.
_CAPITALS_KINDS = frozenset({"name", "alias", "capital", "demonym", "leader"})
_NOT_IN_CAPITALS = frozenset({"Turkey", "Turkish"})


def _with_variants(surfaces: dict[str, Surface]) -> dict[str, Surface]:
    """Add plural demonyms, unaccented spellings ("Turkiye", "Quai d'Orsay" without accents), "&"
    for "and" ("Trinidad & Tobago") and the capitals of plain names of four letters or more."""
    extended = dict(surfaces)
    for key, surface in surfaces.items():
        plural = _plural(key) if surface.kind == "demonym" else None
        variants = [plural, _folded(key), _folded(plural) if plural else None]
        if " and " in key:
            variants.append(key.replace(" and ", " & "))
        if surface.kind in _CAPITALS_KINDS and not surface.rules and len(key) >= 4 and key not in _NOT_IN_CAPITALS:
            variants += [key.upper(), plural.upper() if plural else None]
        for variant in variants:
            if variant and variant not in extended:
                extended[variant] = surface
    return extended


@functools.cache
def _load(data_dir: Path) -> Gazetteer:
    return _build(GazetteerData.from_package(data_dir), COUNTRY_REGION)


def _build(data: GazetteerData, country_regions: Mapping[str, str],
           rules_version: str = GAZETTEER_RULES_VERSION) -> Gazetteer:
    surfaces, names = _pycountry_surfaces(data)
    titles = {}
    for code, kind, surface in data.rows(ALIASES_FILE):
        if kind == "title":
            titles[_key(surface)] = code
        elif kind == "name":
            names[code] = surface
            surfaces[_key(surface)] = Surface((code,), "name")
        elif kind in MATCHED_KINDS:
            surfaces[_key(surface)] = Surface(() if kind == "block" else (code,), kind)
        else:
            raise ValueError(f"country-aliases.tsv: unknown kind {kind!r} for {surface!r}")
    for row in data.rows(LEADERS_FILE):
        code, forms = row[0], row[5]
        for form in filter(None, forms.split("|")):
            surfaces[_key(form)] = Surface((code,), "leader")
    for row in data.rows(AMBIGUOUS_FILE):
        surface, kind, rules, codes = row[:4]
        cues = row[4].split("|") if len(row) > 4 and row[4] else []
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, cues)) + r")(?!\w)") if cues else None
        surfaces[_key(surface)] = Surface(tuple(codes.split()), kind, frozenset(rules.split(",")), pattern)
    # A state or province is a place of its country, unless the curated data says otherwise
    # (Georgia is ambiguous); only those that stayed places end a "Paris, Texas" town name.
    place_suffixes = []
    # US states and Canadian provinces: where domestic stories happen, and what "Paris, Texas" ends in.
    for name, code in data.rows(SUBDIVISIONS_FILE):
        surface = surfaces.setdefault(_key(name), Surface((code,), "place"))
        if surface.codes == (code,):
            place_suffixes.append(name)
    return Gazetteer(_with_variants(surfaces), names, titles, place_suffixes, country_regions, rules_version)
