from pathlib import Path

import pytest

from newsfeed.models.gazetteer import CountryScore, Gazetteer, Mention, find_mentions, regions_from_countries, score_countries

SEED_ARTICLE = Path(__file__).resolve().parents[2].parent / "shared" / "examples" / "seed-article.txt"


def codes(text: str) -> list[str]:
    return [m.code for m in find_mentions(text)]


def focus(title: str, body: str) -> list[str]:
    return [c.code for c in score_countries(title, body, Gazetteer.load()) if c.focus]


def test_mentions_carry_character_offsets_and_kind():
    text = "Moscow said the Kremlin and Russian troops stay."
    assert find_mentions(text) == [
        Mention("RU", 0, 6, "Moscow", "capital"),
        Mention("RU", 16, 23, "Kremlin", "metonym"),
        Mention("RU", 28, 35, "Russian", "demonym"),
    ]


def test_offsets_hold_across_line_breaks_hyphens_and_curly_apostrophes():
    text = "the United\nStates, Guinea Bissau and the Quai d’Orsay"
    mentions = find_mentions(text)
    assert [(m.code, text[m.start : m.end]) for m in mentions] == [
        ("US", "United\nStates"),
        ("GW", "Guinea Bissau"),
        ("FR", "Quai d’Orsay"),
    ]


def test_longest_surface_wins_and_the_shorter_word_inside_never_counts():
    assert codes("South Korea and North Korea") == ["KR", "KP"]
    assert codes("Papua New Guinea, Guinea-Bissau, Equatorial Guinea and Guinea") == ["PG", "GW", "GQ", "GN"]
    assert codes("South Sudan and Sudan") == ["SS", "SD"]
    assert codes("the Dominican Republic and Dominica") == ["DO", "DM"]
    assert codes("Nigeria and Niger, the Niger Delta") == ["NG", "NE", "NG"]


def test_plural_demonyms_and_unaccented_spellings():
    assert codes("Israelis, Emiratis and Czechs met in Turkiye and Bogota") == ["IL", "AE", "CZ", "TR", "CO"]


def test_acronyms_are_case_sensitive():
    assert codes("Tell us what the US, the UK and the DRC said") == ["US", "GB", "CD"]
    assert codes("the U.S. and the DPRK, the U.S.-led coalition") == ["US", "KP", "US"]


def test_currency_is_not_the_country():
    assert codes("a fine of US$15.2 million and HK$3 billion") == []


def test_turkey_only_capitalised_and_not_the_thanksgiving_bird():
    assert codes("turkey for dinner; Turkey and Türkiye; the National Thanksgiving Turkey") == ["TR", "TR"]


def test_georgia_needs_a_caucasus_cue():
    assert codes("Voters in Atlanta, Georgia, went to the polls") == []
    assert codes("Protesters in Georgia filled the streets of Tbilisi") == ["GE", "GE"]
    assert codes("Georgia, in the South Caucasus, held elections") == ["GE"]


def test_jordan_and_chad_are_not_people_or_lakes():
    assert codes("Michael Jordan, Rep. Jim Jordan and Mr. Jordan") == []
    assert codes("He met Lynndie R. England. Jordan said no.") == ["JO"]
    assert codes("Chad Wolf spoke; Lake Chad shrinks") == []
    assert codes("In Jordan, King Abdullah II of Jordan met envoys from Chad.") == ["JO", "JO", "TD"]


def test_korea_follows_whichever_korea_the_text_names():
    assert codes("Pyongyang said Korea will reunify") == ["KP", "KP"]
    assert codes("Seoul said Korean exports rose") == ["KR", "KR"]
    assert codes("Korean exports rose") == ["KR"]


def test_congo_defaults_to_the_drc_unless_brazzaville_is_named():
    assert codes("fighting in eastern Congo") == ["CD"]
    assert codes("Brazzaville said Congo will vote") == ["CG", "CG"]


def test_washington_is_the_us_but_not_a_person_or_newspaper():
    assert codes("Washington and Beijing agreed") == ["US", "CN"]
    assert codes("George Washington, Denzel Washington and the Washington Post") == []


def test_places_named_after_foreign_ones():
    assert codes("Paris, Texas and Moscow, Idaho") == ["US", "US"]
    assert codes("New Mexico, not Mexico") == ["US", "MX"]
    assert codes("the Gulf of Mexico and the South China Sea") == []
    assert codes("raids near Puerto Valencia") == []


def test_america_is_the_us_but_latin_america_is_no_country():
    assert codes("America and American voters") == ["US", "US"]
    assert codes("Latin American and South American leaders") == []
    assert codes("Cuban American leaders") == ["US"]


def test_indian_means_india_except_in_tribal_texts():
    assert codes("Indian officials met Pakistani diplomats") == ["IN", "PK"]
    assert codes("aid to the Poarch Band of Creek Indians and other Tribal nations") == []
    assert codes("the Indian Ocean") == []


def test_territories_have_their_own_codes():
    assert codes("Hong Kong, Macau, Greenland, Puerto Rico, the Gaza Strip and Kosovo") == ["HK", "MO", "GL", "PR", "PS", "XK"]
    assert codes("Crimea, Donbas, Kharkiv, Darfur, the Taiwan Strait") == ["UA", "UA", "UA", "SD", "TW"]


def test_the_principal_countries_are_focus_and_a_passing_mention_is_not():
    body = (
        "Russian and North Korean officials met in Vladivostok on Tuesday. "
        "The Kremlin said Russia and North Korea would expand rail links. "
        "Pyongyang thanked Moscow for its support. "
        + "Officials discussed freight, ports and customs procedures at length. " * 20
        + "A similar rail project once involved China."
    )
    scores = score_countries("Russia and North Korea agree rail links", body, Gazetteer.load())
    assert [(c.code, c.name, c.mentions, c.focus) for c in scores] == [
        ("RU", "Russia", 6, True),
        ("KP", "North Korea", 4, True),
        ("CN", "China", 1, False),
    ]
    assert all(0.0 <= c.score <= 1.0 for c in scores)


def test_a_short_news_item_makes_each_named_actor_focus():
    assert focus("", "Poland reopens its border with Belarus after closing it during Russia-led exercises.") == ["PL", "BY"]


def test_a_country_after_its_own_city_only_locates_it():
    text = "The Philippines signs defence pacts with Estonia and Italy at a conference in Munich, Germany."
    assert focus("", text) == ["PH", "EE", "IT"]


def test_no_countries_gives_no_scores():
    assert score_countries("Local council approves budget", "The council voted on Tuesday.", Gazetteer.load()) == []


def test_seed_article_is_about_russia_and_north_korea():
    if not SEED_ARTICLE.is_file():
        pytest.skip(f"seed article not found at {SEED_ARTICLE}")
    scores = score_countries("", SEED_ARTICLE.read_text(encoding="utf-8"), Gazetteer.load())
    assert [c.code for c in scores if c.focus] == ["RU", "KP"]
    incidental = {c.code for c in scores if not c.focus}
    assert {"CN", "JP"} <= incidental  # "Europe" is no country; the mistranslated "Republic of Korea" stays minor


def test_regions_roll_up_focus_countries_only():
    scores = [
        CountryScore("RU", "Russia", 9, True, 0.8),
        CountryScore("KP", "North Korea", 6, True, 0.7),
        CountryScore("CN", "China", 1, False, 0.1),
    ]
    regions = regions_from_countries(scores)
    assert regions["europe"] == 0.8 and regions["east-asia"] == 0.7
    assert sum(regions.values()) == pytest.approx(1.5)


def test_country_for_name_looks_up_names_aliases_and_wikipedia_titles():
    gazetteer = Gazetteer.load()
    lookups = {
        "Russia": "RU",
        "Gaza_Strip": "PS",
        "Democratic Republic of the Congo": "CD",
        "Kyiv": "UA",
        "Israelis": "IL",
        "Georgia (country)": "GE",
        "Georgia (U.S. state)": "US",
        "Ministry of Foreign Affairs (Iran)": "IR",
        "Balochistan, Pakistan": "PK",
        "Sumy Oblast": "UA",
        "Georgia": None,
        "Korea": None,
        "Gaza war": None,
        "us": None,
    }
    assert {name: gazetteer.country_for_name(name) for name in lookups} == lookups


def test_name_of_gives_short_common_names():
    gazetteer = Gazetteer.load()
    assert [gazetteer.name_of(code) for code in ("RU", "KP", "US", "XK", "TW", "cd")] == [
        "Russia",
        "North Korea",
        "United States",
        "Kosovo",
        "Taiwan",
        "DR Congo",
    ]


def test_load_is_built_once():
    assert Gazetteer.load() is Gazetteer.load()


def test_a_leader_named_alone_stands_for_the_country():
    assert focus("Putin warns the West", "Putin said on Tuesday that talks could resume. Zelenskyy rejected it.") == ["RU", "UA"]


def test_us_federal_bodies_and_ships_stand_for_the_us_but_shared_names_do_not():
    assert codes("HHS issued guidance; the Environmental Protection Agency (EPA) and FEMA will act") == ["US", "US", "US", "US"]
    assert codes("the Department of Homeland Security, the Treasury Department and the USS Harry S. Truman") == ["US", "US", "US"]
    # Names other states' bodies also go by are no country: "Department of Agriculture" is the
    # Philippines' too, "Congress" and "Senate" are many states', the USS scheme is a UK pension.
    assert codes("the Department of Agriculture, Congress, the Senate and the Supreme Court") == []
    assert codes("members of the USS pension scheme; Africa CDC said") == []


def test_the_us_in_spanish_and_french_but_mexico_by_its_official_name():
    assert codes("EE. UU. y Estados Unidos, la Casa Blanca; les États-Unis") == ["US", "US", "US", "US"]
    assert codes("los Estados Unidos Mexicanos") == ["MX"]


def test_bodies_with_names_of_their_own():
    assert codes("the Storting, the Taoiseach, Shin Bet, MI6 and the Legislative Yuan") == ["NO", "IE", "IL", "GB", "TW"]
    assert codes("Botswana president Duma Boko; the State Duma") == ["BW", "BW", "RU"]


def test_a_war_or_protest_named_after_a_country_is_not_about_it():
    assert codes("fuel prices linked to the Iran war; a pro-Palestinian protest; Palestine Action") == []
    assert codes("West Texas Intermediate rose; a fire in Crans-Montana") == ["CH"]


@pytest.mark.parametrize("text, code, surface", [
    ("GAZA (Reuters) - Israeli tanks stormed a refugee camp.", "PS", "GAZA"),
    ("JOHANNESBURG, Sept. 9 -- Two men appeared in court.", "ZA", "JOHANNESBURG"),
    ("NEW YORK (Reuters) - Stocks rose on Monday.", "US", "NEW YORK"),
    ("The first paragraph.\nKHAN YOUNIS, Gaza Strip (AP) - Troops moved in.", "PS", "KHAN YOUNIS"),
])
def test_a_dateline_in_capitals_names_its_place(text, code, surface):
    assert (code, surface) in [(m.code, m.surface) for m in find_mentions(text)]


def test_capitals_outside_a_dateline_are_not_read_as_places():
    # A headline in capitals holds words that are places only when capitalised.
    assert find_mentions("NICE DAY FOR A PICNIC AS READING SOARS") == []
    assert find_mentions("The report said GAZA was quiet") == []


def test_a_model_saved_with_rules_v1_keeps_reading_datelines_as_it_did():
    from newsfeed.models.gazetteer_data import GazetteerData
    v1 = Gazetteer.from_data(GazetteerData.from_package(), rules_version="1")
    assert [m.code for m in v1.find_mentions("GAZA (Reuters) - Tanks moved in.")] == []
    assert [m.code for m in Gazetteer.load().find_mentions("GAZA (Reuters) - Tanks moved in.")] == ["PS"]


@pytest.mark.parametrize("unit", ["GAZA CITY NEW YORK SOUTH Reuters said\n", "ABCDEFGHIJ", "NEW YORK (AP) - x\n"])
def test_reading_datelines_costs_time_linear_in_the_text(unit):
    from bench.worst_case import GROWTH_SIZES, MAX_GROWTH_EXPONENT, cpu_seconds, growth_exponent
    gazetteer = Gazetteer.load()
    texts = [unit * (size // len(unit)) for size in GROWTH_SIZES]
    costs = [cpu_seconds(lambda: gazetteer.find_mentions(text)) for text in texts]
    assert growth_exponent(costs) <= MAX_GROWTH_EXPONENT, costs


def test_an_artifact_is_served_with_the_gazetteer_rules_it_was_saved_with(tiny_model_dir):
    import json
    from newsfeed.models.artifact import load_model
    from newsfeed.models.model_registry import resolve_model_dir
    registry = resolve_model_dir(None).parent
    for version in ("20261203.165628", "20261126.200901"):  # saved before rules v2
        assert load_model(registry / version).gazetteer.rules_version == "1"
    assert json.loads((tiny_model_dir / "manifest.json").read_text())["gazetteer_rules_version"] == "2"
    assert load_model(tiny_model_dir).gazetteer.rules_version == "2"
