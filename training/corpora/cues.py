"""Cue lists for the automatic labels, and the counting that turns them into evidence.

The label definitions of issue 3 are the contract; these lists are how the corpus builders read
them. A cue is a case-insensitive regular expression matched on word boundaries. Short texts (a
Wikipedia event) need one good cue; long documents (NASA, White House) need a density of cues, so
that a passing mention does not label a 5,000-character document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def cue_pattern(*alternatives: str) -> re.Pattern[str]:
    """One case-insensitive pattern for several cue expressions, each bounded by word edges."""
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


def count(pattern: re.Pattern[str], text: str) -> int:
    """How many times a cue pattern occurs in text."""
    return sum(1 for _ in pattern.finditer(text))


def any_match(pattern: re.Pattern[str], texts: Iterable[str]) -> bool:
    return any(pattern.search(text) for text in texts)


def per_thousand(hits: int, text: str) -> float:
    """Cue density: hits per 1,000 characters (texts shorter than 1,000 count as 1,000)."""
    return 1000.0 * hits / max(len(text), 1000)


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
    r"\bprotests? (?:against|over)\b|\bterrorist attack\b",
    re.IGNORECASE,
)

DEFENCE_TEXT = cue_pattern(
    r"military", r"militar(?:y|ies|ily)", r"armed forces", r"army", r"armies", r"navy", r"naval",
    r"air force", r"airstrikes?", r"air strikes?", r"air raids?", r"warplanes?", r"fighter jets?",
    r"warships?", r"destroyers?", r"submarines?", r"aircraft carriers?", r"drone (?:strikes?|attacks?)",
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
    r"star wars", r"war of words", r"war crimes? tribunal",
)

# Attacks that are crime, terrorism or unrest rather than armed conflict, unless the military is in it.
CIVIL_VIOLENCE = cue_pattern(
    r"shootings?", r"shot", r"gunm[ae]n", r"shooter", r"stabbings?", r"stabbed", r"knife",
    r"terroris[mt]\w*", r"bombings?", r"bomb", r"explosive", r"car bomb", r"vehicle-ramming",
    r"ramming", r"arson", r"firebomb\w*", r"protest\w*", r"riots?", r"rioters", r"police",
    r"kidnapp\w+", r"abduct\w+", r"gangs?", r"cartels?", r"massacre", r"lynch\w*", r"mob",
    r"murder\w*", r"assassinat\w+", r"hostage", r"attack(?:er|ers)?",
)

# Veterans' benefits, memorials and ceremonies: military words without defence content.
VETERANS = cue_pattern(
    r"veterans?", r"veterans affairs", r"gi bill", r"gold star", r"medal of honor", r"memorial day",
    r"veterans day", r"arlington national cemetery", r"fallen heroes?", r"pow/mia", r"burial",
    r"military families", r"military spouses?", r"toxic exposures?", r"pact act", r"caregivers?",
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
    r"black holes?", r"supernovae?", r"solar eclipse", r"lunar eclipse", r"telescopes?", r"cosmodrome",
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
