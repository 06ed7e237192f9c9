"""Cue lists for the automatic labels, and the counting that turns them into evidence.

The label definitions of issue 3 are the contract; these lists are how the corpus builders read
them. A cue is a case-insensitive regular expression matched on word boundaries. Short texts (a
Wikipedia event) need one good cue; long documents (NASA, White House) need a density of cues, so
that a passing mention does not label a 5,000-character document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


class Cue:
    """Cue expressions compiled for speed: the case-insensitive ones run on lowercased text without
    re.IGNORECASE, merged into a prefix tree on their literal beginnings; the few with
    case-sensitive parts (`(?-i:NASA)`) run on the original text. (A flat case-insensitive
    alternation of a hundred cues made the White House build several times slower.)"""

    def __init__(self, alternatives: Iterable[str]):
        self.alternatives = tuple(alternatives)
        trie: dict = {}
        exact: list[str] = []
        for alternative in self.alternatives:
            if "(?-i:" in alternative:
                exact.append(alternative)
                continue
            lookbehinds, rest = _leading_lookbehinds(alternative)
            prefix, remainder = _literal_prefix(rest)
            guards = "".join(f"(?<!{behind}{re.escape(prefix)})" for behind in lookbehinds)
            node = trie
            for char in prefix:
                node = node.setdefault(char, {})
            node.setdefault("", []).append(guards + remainder)
        self.folded = re.compile(r"(?<!\w)(?=\w)" + _trie_pattern(trie) + r"\b") if trie else None
        self.exact = re.compile(r"\b(?:" + "|".join(exact) + r")\b", re.IGNORECASE) if exact else None

    def __add__(self, other: Cue) -> Cue:
        """One cue set matching either set's cues, in one pass over a text."""
        return Cue(self.alternatives + other.alternatives)

    def findall(self, text: str) -> list[str]:
        """The matched cue strings (lowercased for the case-insensitive cues)."""
        found = self.folded.findall(text.lower()) if self.folded else []
        return found + (self.exact.findall(text) if self.exact else [])

    def count(self, text: str) -> int:
        return len(self.findall(text))

    def search(self, text: str) -> bool:
        return bool(
            (self.folded and self.folded.search(text.lower())) or (self.exact and self.exact.search(text))
        )


def cue_pattern(*alternatives: str) -> Cue:
    """One cue set from several expressions, each matched case-insensitively between word edges."""
    return Cue(alternatives)


def count(cue: Cue, text: str) -> int:
    """How many times the cues occur in text."""
    return cue.count(text)


def any_match(cue: Cue, texts: Iterable[str]) -> bool:
    return any(cue.search(text) for text in texts)


def per_thousand(hits: float, text: str) -> float:
    """Cue density: hits per 1,000 characters (texts shorter than 1,000 count as 1,000)."""
    return 1000.0 * hits / max(len(text), 1000)


_LITERAL = re.compile(r"[a-z0-9 '’:/,-]*")
_LOOKBEHIND = re.compile(r"\(\?<!([^()]*)\)")


def _leading_lookbehinds(expression: str) -> tuple[list[str], str]:
    found = []
    while match := _LOOKBEHIND.match(expression):
        found.append(match[1])
        expression = expression[match.end() :]
    return found, expression


def _literal_prefix(expression: str) -> tuple[str, str]:
    """The literal (lowercase) beginning of a regular expression and the rest of it."""
    end = _LITERAL.match(expression).end()
    if end < len(expression) and expression[end] in "?*+{":
        end -= 1  # a quantifier applies to the last literal character
    return expression[:end], expression[end:]


def _trie_pattern(node: dict) -> str:
    options = [re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char]
    ends = sorted(node.get("", []), key=lambda rest: rest == "")
    options += [rest for rest in ends if rest] + ([""] if "" in ends else [])
    if len(options) == 1:
        return options[0]
    return "(?:" + "|".join(options) + ")"


# --- diplomacy -----------------------------------------------------------------------------------

# Wikipedia article titles (story threads and links) that make an event diplomacy.
DIPLOMACY_TITLE = cue_pattern(
    r"[\w.]+[–-][\w .'()-]+ relations", r"cross-strait relations", r"bilateral relations",
    r"diplomatic relations", r"international relations", r"foreign relations", r"foreign policy", r"diplomac\w*", r"diplomatic\w*", r"diplomat",
    r"negotiations?", r"peace (?:talks|process|plan|agreement|deal|summit|negotiations|treaty|accords?)",
    r"ceasefires?", r"cease-fire", r"truce", r"armistice", r"summit", r"sanctions?", r"treaty",
    r"accords?", r"state visit", r"official visit", r"memorandum of understanding",
    r"united nations (?:security council|general assembly)", r"security council resolution",
    r"minister of foreign affairs", r"foreign minister", r"ministry of foreign affairs",
    r"(?<!under-)secretary of state(?! for)", r"ambassadors?", r"embassy", r"embassies", r"trade war", r"tariffs?",
    r"trade (?:agreement|deal|dispute)", r"free trade", r"diplomatic recognition",
    r"international recognition", r"accession of", r"expulsion of diplomats", r"persona non grata",
)

# Tariffs as a state-to-state matter: tariffs on a country, its goods, or reciprocal tariffs.
_TARGETED_TARIFFS = (
    r"(?:reciprocal|retaliatory|counter) tariffs?|tariffs? (?:on|against) (?:(?-i:[A-Z])\w+|\w+ (?:goods|imports|products|exports))"
)

# The same subjects as words in an event summary. Embassies and ambassadors are left out here:
# an event summary mentions them as places (an attack on an embassy) as often as subjects.
DIPLOMACY_TEXT = cue_pattern(
    r"peace (?:talks|negotiations|process|plan|proposal|deal|agreement|summit|conference|framework)",
    r"(?:ceasefire|truce) (?:talks|negotiations|agreement|deal|proposal|plan|extension|terms)",
    r"agree[sd]? (?:to|on) (?:a |an )?(?:ceasefire|truce)", r"extend(?:s|ed)? the (?:ceasefire|truce)",
    r"negotiations", r"negotiators?", r"talks (?:with|between)", r"round of talks", r"summit",
    r"sanctions?", r"treaty", r"diplomatic\w*", r"diplomacy", r"diplomats?", r"bilateral",
    r"state visit", r"official visit", r"foreign ministers?", r"foreign minister's",
    r"foreign affairs minister", r"(?<!under-)secretary of state(?! for)", r"envoys?",
    r"mediat(?:e|es|ed|ion|ors?|ing)", r"trade (?:deal|agreement|talks|war|dispute)", _TARGETED_TARIFFS,
    r"(?:un|united nations) security council", r"(?:un|united nations) general assembly",
    r"memorandum of understanding", r"joint (?:statement|declaration|communiqu\w+)",
    r"recogni[sz]e[sd]? (?:the )?(?:state of )?(?:palestine|independence|sovereignty)",
    r"expels?", r"expelled", r"ambassadors?", r"embass(?:y|ies)",
)

# The strong subset: enough on its own in sections where diplomacy is not the default subject.
DIPLOMACY_STRONG_TEXT = cue_pattern(
    r"peace (?:talks|negotiations|process|plan|proposal|deal|agreement|summit|conference|framework)",
    r"(?:ceasefire|truce) (?:talks|negotiations|agreement|deal|proposal|plan|extension|terms)",
    r"agree[sd]? (?:to|on) (?:a |an )?(?:ceasefire|truce)", r"extend(?:s|ed)? the (?:ceasefire|truce)",
    r"(?:peace|ceasefire|trade|nuclear|bilateral|direct|indirect) (?:negotiations|talks)",
    r"negotiations (?:with|between)", r"round of talks", r"summit", r"sanctions (?:on|against)",
    r"(?:peace|trade|bilateral|security|defen[cs]e|border|nuclear|arms|international) treaty",
    r"treaty (?:with|between)",
    r"diplomatic (?:relations|talks|ties|row|crisis|efforts?)", r"foreign ministers?", r"envoys?",
    r"mediat(?:e|es|ed|ion|ors?|ing)", r"(?:un|united nations) security council",
    r"expels? (?:the )?\w+ (?:ambassador|diplomats?)", r"state visit", r"official visit", _TARGETED_TARIFFS,
)

# Fighting and harm: an event that reports them is not diplomacy because its story thread is a peace plan.
KINETIC = cue_pattern(
    r"kill(?:s|ed|ing)?", r"dead", r"deaths?", r"died", r"wounded", r"injur(?:ed|ing|ies)", r"airstrikes?",
    r"strikes?", r"struck", r"shelling", r"shot", r"attack(?:s|ed)?", r"bomb\w*", r"clashes", r"explo\w+",
    r"fire[sd]? (?:on|at|upon)", r"open(?:s|ed)? fire", r"massacre\w*",
)

# --- defence -------------------------------------------------------------------------------------

# Threads that are wars, armed conflicts or military affairs ...
DEFENCE_TITLE = cue_pattern(
    r"(?<!trade )(?<!culture )(?<!price )(?<!tariff )(?<!currency )(?<!cold )(?<!world )(?<!star )wars?", r"warfare",
    r"invasions?", r"insurgenc\w+", r"(?<!conflict of )(?:armed )?conflicts?(?! of interest)",
    r"military", r"militar\w+", r"armed forces", r"army", r"navy", r"naval", r"air force",
    r"defen[cs]e forces?", r"ministry of defen[cs]e", r"secretary of defense", r"department of defense",
    r"offensive(?! \(disambiguation\))", r"counteroffensive", r"airstrikes?", r"air strikes?",
    r"drone (?:strikes?|attacks?|warfare)", r"missile\w*", r"strikes (?:on|in|against)",
    r"attacks (?:on|in|against)", r"bombing (?:of|campaign)", r"bombardment", r"shelling",
    r"clashes", r"battle", r"siege", r"nuclear (?:program\w*|weapons?|arsenal|test)",
    r"weapons of mass destruction", r"(?-i:NATO)", r"blockade", r"military operation",
    r"red sea crisis", r"intervention in",
    r"re-?armament", r"arms (?:race|control|embargo|sales|trade|deal)", r"rebellion", r"mutiny", r"coup",
    r"hezbollah", r"hamas", r"houthis?", r"rapid support forces", r"wagner group", r"(?-i:IDF)",
    r"israel defense forces", r"islamic revolutionary guard corps", r"unmanned combat aerial vehicle",
    r"ballistic missiles?", r"artillery", r"prisoners of war", r"prisoner of war",
)

# ... unless they are about a consequence away from the fighting (protests, hate crimes, markets).
DEFENCE_TITLE_EXCLUDED = re.compile(
    r"^(?:antisemitism|islamophobia|protests?|reactions?|impact|economic impact|effects?|boycott|"
    r"violent incidents in reaction|humanitarian|refugees|evacuation|censorship|disinformation|"
    r"misinformation|media coverage|terrorism in|list of terrorist)\b|\bduring the\b|\bin reaction to\b|"
    r"^[\w .'’-]+ and the\b[^()]*\bwar\b|"
    r"\bprotests? (?:against|over)\b|\bterrorist attack\b",
    re.IGNORECASE,
)

DEFENCE_TEXT = cue_pattern(
    r"military", r"militar(?:y|ies|ily)", r"armed forces", r"army", r"armies", r"navy", r"naval",
    r"air force", r"airstrikes?", r"air strikes?", r"air raids?", r"warplanes?", r"fighter jets?",
    r"warships?", r"destroyers?", r"submarines?(?! (?:cables?|fib\w+|internet))", r"aircraft carriers?", r"drone (?:strikes?|attacks?)",
    r"(?:ballistic |cruise |anti-ship |hypersonic )?missiles?", r"troops", r"soldiers?", r"servicemen",
    r"servicemembers?", r"shelling", r"artillery", r"bombardment", r"frontline", r"front line",
    r"(?:counter)?offensive(?! (?:remarks?|comments?|language|content|posts?))", r"invasion", r"invade[sd]?",
    r"insurgents?", r"rebels?", r"militias?", r"militants?", r"jihadists?", r"paramilitary",
    r"combatants?", r"armed groups?",
    r"nuclear (?:weapons?|warheads?|arsenal|tests?|program\w*|deterrent)", r"weapons? systems?",
    r"arms (?:sales?|deals?|exports?|embargo|supplies|shipments?)", r"(?-i:NATO)", r"defen[cs]e (?:minister|ministry|secretary|spending|budget|forces?|pact|cooperation|industry|contractor)",
    r"pentagon", r"hezbollah", r"hamas", r"houthis?", r"(?-i:IDF)", r"rapid support forces",
    r"military exercises?", r"(?:joint|naval|military) drills?", r"intercept(?:s|ed)? (?:a |the )?(?:missiles?|drones?)",
    r"clash(?:es|ed)? with (?:the )?(?:army|military|troops|soldiers|forces|rebels|militants)",
    r"killed in action", r"prisoners? of war", r"mobili[sz]ation", r"conscription",
)

# Words that name a war rather than military action: a war is the subject of an event in the
# conflict and politics sections, but only a backdrop ("amid the Iran war") in business or sports.
WAR_TEXT = cue_pattern(r"war(?:time)?", r"wars", r"ceasefire", r"truce", r"armistice", r"invasion", r"invade[sd]?")
WAR_TITLE = cue_pattern(r"wars?", r"invasion", r"conflicts?", r"insurgenc\w+", r"crisis", r"offensive", r"clashes")

# Military words that do not make a defence story: the "war" of the trade war and the culture war.
DEFENCE_TEXT_FALSE = cue_pattern(
    r"trade wars?", r"culture wars?", r"price wars?", r"tariff wars?", r"war on (?:drugs|poverty|cancer|terror)",
    r"star wars", r"war of words", r"war crimes? tribunal", r"(?:border|migrant|mass) invasion",
    r"invasion (?:at|of|on) (?:our|the) (?:southern )?border", r"(?:ending|end|stop|stopped|stopping) the invasion",
    r"invasion of (?:illegal|criminal|migrants|aliens|cartels)",
)

# Attacks that are crime, terrorism or unrest rather than armed conflict, unless the military is in it.
CIVIL_VIOLENCE = cue_pattern(
    r"shootings?", r"shot", r"gunm[ae]n", r"shooter", r"stabbings?", r"stabbed", r"knife",
    r"terroris[mt]\w*", r"bombings?", r"bomb", r"explosive", r"car bomb", r"vehicle-ramming",
    r"ramming", r"arson", r"firebomb\w*", r"protest\w*", r"riots?", r"rioters", r"police",
    r"kidnapp\w+", r"abduct\w+", r"gangs?", r"cartels?", r"massacre", r"lynch\w*", r"mob",
    r"murder\w*", r"assassinat\w+", r"hostage", r"attack(?:er|ers)?",
)

# Veterans' benefits, memorials and ceremonies: military words without defence content. Each hit
# cancels one defence cue in a long document.
VETERANS = cue_pattern(
    r"veterans?", r"veterans affairs", r"gi bill", r"gold star", r"medal of honor", r"memorial day",
    r"veterans day", r"arlington national cemetery", r"fallen heroes?", r"pow/mia", r"burial",
    r"military families", r"military spouses?", r"toxic exposures?", r"pact act", r"caregivers?",
    r"commemorat\w+", r"wreaths?", r"remembrance", r"moment of silence", r"never forget", r"honor guard",
)

# --- space ---------------------------------------------------------------------------------------

SPACE_TITLE = cue_pattern(
    r"spaceflight", r"space ?craft", r"space station", r"space telescope", r"space probe", r"spaceport",
    r"space exploration", r"space program\w*", r"space agency", r"space policy", r"(?<!air and )space force",
    r"space industry", r"space tourism", r"space debris", r"space launch", r"outer space",
    r"astronauts?", r"cosmonauts?", r"taikonauts?", r"launch vehicles?", r"rocket launch", r"orbital",
    r"satellites?(?! (?:imagery|images?|phones?|television|tv|internet|radio|state|city|campus|communications?|company))", r"(?-i:NASA)", r"european space agency", r"roscosmos",
    r"(?-i:JAXA)", r"(?-i:ISRO)", r"indian space research organisation", r"china national space administration",
    r"spacex", r"blue origin", r"rocket lab", r"starship", r"falcon (?:9|heavy)",
    r"new glenn", r"ariane ?\d*", r"long march", r"soyuz", r"shenzhou", r"tiangong", r"chang'e",
    r"artemis(?: program| [ivx]+)", r"apollo program", r"lunar(?! new year)", r"asteroids?", r"comets?", r"meteors?", r"meteorites?", r"exoplanets?",
    r"galax(?:y|ies)", r"black holes?", r"supernovae?", r"solar eclipse", r"lunar eclipse",
    r"telescope", r"cosmodrome", r"baikonur", r"astronomy", r"astrophysics",
    r"planetary science", r"solar system", r"interstellar", r"spacewalks?", r"extravehicular activity",
    r"international space station", r"hubble", r"james webb", r"kuiper", r"oort cloud",
)

# Article titles that are space only as a whole title ("Mars", not "Bruno Mars").
SPACE_TITLE_EXACT = frozenset({
    "mars", "moon", "venus", "mercury (planet)", "jupiter", "saturn", "uranus", "neptune", "pluto",
    "sun", "planet", "orbit", "low earth orbit", "eclipse", "launch pad", "rocket launch",
})

SPACE_TEXT = cue_pattern(
    r"spacecraft", r"spaceflights?", r"space ?ships?", r"space stations?", r"space telescopes?",
    r"space probes?", r"spaceports?", r"space (?:exploration|program\w*|agenc(?:y|ies)|policy|industry)",
    r"space tourism", r"space debris", r"space launch", r"outer space", r"into space", r"in space",
    r"(?<!air and )space force", r"astronauts?", r"cosmonauts?", r"taikonauts?",
    r"satellites?(?! (?:images?|imagery|photos?|pictures?|phones?|tv|television|dish\w*|city|cities|state|states|campus|offices?|internet|equipment|communications?|terminals?|links?|uplinks?|radio|broadband|company))",
    r"launch vehicles?", r"rocket launch(?:es)?", r"(?:into|in|low earth|geostationary|lunar) orbit",
    r"orbit(?:s|ed|ing)? (?:the )?(?:earth|moon|sun|mars)", r"orbital", r"(?-i:NASA)", r"european space agency",
    r"(?-i:ESA)", r"roscosmos", r"(?-i:JAXA)", r"(?-i:ISRO)", r"(?-i:CNSA)", r"spacex", r"blue origin", r"rocket lab",
    r"starship", r"falcon (?:9|heavy)", r"new glenn", r"ariane ?\d*", r"long march \d*", r"soyuz",
    r"shenzhou", r"tiangong", r"chang'e", r"artemis(?: [ivx]+)?", r"(?<!pyramid of )the moon", r"lunar(?! new year)", r"moon landing",
    r"(?:on|to|from|of) mars", r"martian", r"mars (?:rover|mission|orbiter|lander|sample)",
    r"asteroids?", r"comets?", r"meteors?", r"meteorites?", r"exoplanets?", r"(?-i:galax(?:y|ies))",
    r"black holes?", r"supernovae?", r"eclipses?", r"telescopes?", r"cosmodrome",
    r"astronom\w+", r"astrophysic\w+", r"planetary", r"solar system", r"interstellar", r"spacewalks?",
    r"(?<!land )(?<!range )rovers?", r"landers?", r"crewed (?:mission|flight|launch)", r"space station", r"(?-i:ISS)",
    r"hubble", r"webb (?:space )?telescope", r"james webb", r"solar (?:wind|flares?|storms?|corona|cycle|physics|probe|orbiter)",
    r"heliophysics", r"cubesats?", r"payloads?", r"launch pad", r"liftoff", r"lift-off", r"splashdown",
)

# Rockets and launches are space only away from armed conflict ("Hamas launches rockets").
SPACE_AMBIGUOUS_TEXT = cue_pattern(r"rockets?", r"launch(?:es|ed)? (?:a |the )?\w* ?rocket")

# --- NASA's items that are not about space activity ---------------------------------------------

AERONAUTICS = cue_pattern(
    r"aeronautic\w*", r"aircraft", r"airplanes?", r"aviation", r"airliners?", r"x-59", r"x-57",
    r"x-66", r"supersonic", r"sonic booms?", r"quesst", r"air taxis?", r"evtol", r"advanced air mobility",
    r"air traffic", r"airspace", r"jet engines?", r"wind tunnels?", r"wing", r"wings", r"flight tests?",
    r"sustainable flight", r"airframe", r"drones?", r"helicopters?", r"rotorcraft", r"airports?",
    r"piloted", r"pilots?", r"uncrewed aircraft", r"unmanned aircraft", r"hypersonic",
)

EARTH_SCIENCE = cue_pattern(
    r"climate", r"weather", r"hurricanes?", r"wildfires?", r"floods?", r"flooding", r"drought",
    r"sea ice", r"sea level", r"glaciers?", r"ice sheets?", r"greenhouse gas\w*", r"carbon dioxide",
    r"methane", r"air quality", r"pollution", r"ozone", r"oceans?", r"coral", r"phytoplankton",
    r"crops?", r"agricultur\w+", r"forests?", r"ecosystems?", r"earth science", r"earth system",
    r"atmospheric", r"rainfall", r"snow", r"permafrost", r"wetlands?", r"coastal", r"heat waves?",
)

# What makes an Earth-science item about a satellite or a mission, hence space after all.
EARTH_MISSION = cue_pattern(
    r"satellites?", r"spacecraft", r"mission", r"launch(?:es|ed)?", r"orbit\w*", r"instruments? (?:on|aboard)",
    r"space station", r"(?-i:ISS)", r"(?-i:PACE)", r"(?-i:SWOT)", r"grace-?\w*", r"landsat", r"(?-i:TEMPO)", r"(?-i:NISAR)",
    r"(?-i:TROPICS)", r"(?-i:GOES)-\w+", r"(?-i:JPSS)", r"ice ?sat\w*", r"sentinel-\w+", r"cubesats?",
)

# --- long documents (White House) ----------------------------------------------------------------

DIPLOMACY_DOC = cue_pattern(
    r"bilateral", r"multilateral", r"allies", r"ally", r"alliances?", r"summit", r"foreign ministers?",
    r"prime ministers?", r"president \w+ of", r"chancellor \w+", r"(?:king|queen|emir|amir|sultan|crown prince) \w+",
    r"embass(?:y|ies)", r"ambassadors?", r"treat(?:y|ies)", r"sanctions?", r"tariffs?",
    r"trade (?:deal|agreement|negotiations|talks|partners?|relationship)", r"free trade",
    r"(?-i:G7|G-7|G20|G-20|ASEAN|APEC|Quad|OSCE|AUKUS)", r"united nations", r"(?-i:UN)", r"security council",
    r"our two (?:countries|nations|peoples)", r"the two leaders", r"both leaders", r"leaders (?:discussed|reaffirmed|agreed)",
    r"diplomatic", r"diplomacy", r"negotiations?", r"ceasefire", r"peace (?:talks|deal|agreement|process|plan)",
    r"state visit", r"official visit", r"foreign (?:policy|counterparts?|leaders?|governments?|ministry)",
    r"counterparts?", r"secretary of state", r"envoys?", r"international partners", r"partner (?:countries|nations)",
    r"heads? of state", r"head of government", r"memorandum of understanding", r"joint statement",
    r"reciprocal", r"sovereignty", r"territorial integrity", r"strategic partnership", r"cooperation between",
)

# Military words of the long documents besides cues.DEFENCE_TEXT and WAR_TEXT.
DEFENCE_DOC_EXTRA = cue_pattern(
    r"department of (?:defense|war)", r"secretary of (?:defense|war)", r"security assistance",
    r"deterrence", r"defense industrial base", r"munitions", r"national defense", r"marines?",
    r"service members?", r"warfighters?", r"combat (?:operations|troops|forces|missions?)",
    r"air defense", r"hostilities", r"(?-i:ISIS|ISIL)",
)

SPACE_DOC_EXTRA = cue_pattern(
    r"national space council", r"space (?:policy|exploration|industry|economy|traffic|situational|sector)",
    r"commercial space", r"space-based", r"launch(?:es)? (?:site|range|providers?|licens\w+)", r"lunar",
    r"moon", r"mars",
)

# A foreign leader, official or organisation named in a title or lead: makes a readout diplomacy.
FOREIGN_OFFICIAL = cue_pattern(
    r"prime minister", r"president \w+(?: \w+)? of", r"chancellor", r"(?:king|queen|emir|amir|sultan|crown prince)",
    r"foreign minister", r"minister of", r"taoiseach", r"premier \w+ of", r"secretary[- ]general",
    r"director[- ]general", r"(?-i:NATO|G7|G20|ASEAN|Quad|AUKUS|APEC)", r"european (?:union|commission|council)",
    r"united nations", r"world health organization", r"ambassadors?", r"counterparts?", r"bilateral",
    r"foreign (?:minister|leaders?|counterparts?|officials?|governments?)", r"heads? of (?:state|government)",
)

# One pass each over a long document: every military cue, every space cue.
DEFENCE_DOC = DEFENCE_TEXT + WAR_TEXT + DEFENCE_DOC_EXTRA
SPACE_DOC = SPACE_TEXT + SPACE_DOC_EXTRA
