"""Corpus builders over tiny in-file snippets written in each source's format."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsfeed.models.gazetteer import Gazetteer
from newsfeed.training.corpora import (
    Example,
    build_agnews,
    build_corpus,
    label_statistics,
    weight_sources,
)
from newsfeed.training.corpora import __main__ as corpora_cli
from newsfeed.training.corpora import cues, nasa, whitehouse, wikipedia
from newsfeed.training.corpora.geography import event_countries, regions_of


def wiki_link(title: str, text: str | None = None) -> str:
    return f'[{text or title}](https://en.wikipedia.org/wiki/{title.replace(" ", "_")} "{title}")'


DAY = f"""---
layout: post
title: 2026 March 03
date: 2026-03-03
published: true
---


#### Armed conflicts and attacks

* {wiki_link("Russo-Ukrainian war")}
  * {wiki_link("Russian invasion of Ukraine")}
    * {wiki_link("Russia", "Russian")} forces shell {wiki_link("Kharkiv")}, {wiki_link("Ukraine")}, killing three people. [(Reuters)](https://www.reuters.com/x) [(*Kyiv Independent*)](https://kyivindependent.com/y)
  * {wiki_link("Peace negotiations in the Russian invasion of Ukraine")}
    + Delegations of {wiki_link("Russia")} and {wiki_link("Ukraine")} hold a round of talks in {wiki_link("Istanbul")}. [(AP)](https://apnews.com/z)
* {wiki_link("2026 Munich stabbing")}
  * A man stabs two people in {wiki_link("Munich")}, {wiki_link("Germany")}; police arrest the attacker. [(DW)](https://dw.com/a)

#### International Relations

* {wiki_link("Japan–South Korea relations")}
  * The foreign ministers of {wiki_link("Japan")} and {wiki_link("South Korea")} meet in {wiki_link("Seoul")}. [(NHK)](https://nhk.jp/b)

#### Science and Technology

* {wiki_link("OpenAI")} releases a new language model. [(The Verge)](https://theverge.com/c)
* {wiki_link("SpaceX")} launches a {wiki_link("Falcon 9")} carrying 24 {wiki_link("Starlink")} satellites into orbit. [(Space.com)](https://space.com/d)

#### Business and econony

* {wiki_link("Economic impact of the 2026 Iran war")}
  * Oil prices rise amid the {wiki_link("2026 Iran war")}. [(CNBC)](https://cnbc.com/e)
"""

DAY_FILE = "2026-03-03-index.md"


def day_events() -> list[wikipedia.WikiEvent]:
    return list(wikipedia.parse_day(DAY, DAY_FILE))


def test_wikipedia_ids_count_leaf_bullets_in_document_order():
    events = day_events()
    assert [e.id for e in events] == [f"wikipedia-current-events/days/{DAY_FILE}#{n}" for n in range(7)]
    assert [e.day for e in events] == ["2026-03-03"] * 7


def test_wikipedia_sections_are_normalised_and_threads_are_ancestor_titles():
    events = day_events()
    assert [e.section for e in events] == [
        "Armed conflicts and attacks", "Armed conflicts and attacks", "Armed conflicts and attacks",
        "International relations", "Science and technology", "Science and technology", "Business and economy",
    ]
    assert events[0].threads == ("Russo-Ukrainian war", "Russian invasion of Ukraine")
    assert events[1].threads == ("Russo-Ukrainian war", "Peace negotiations in the Russian invasion of Ukraine")
    assert events[4].threads == ()


def test_wikipedia_text_drops_markup_and_cited_outlets_and_keeps_link_titles():
    event = day_events()[0]
    assert event.text == "Russian forces shell Kharkiv, Ukraine, killing three people."
    assert event.leaf_links == ("Russia", "Kharkiv", "Ukraine")
    assert event.links == ("Russia", "Kharkiv", "Ukraine", "Russo-Ukrainian war", "Russian invasion of Ukraine")


def test_wikipedia_topics_from_sections_threads_and_words():
    topics = [wikipedia.event_topics(e) for e in day_events()]
    assert topics[0] == {"defence"}  # war thread, fighting: not diplomacy despite no peace cue
    assert topics[1] == {"defence", "diplomacy"}  # peace-negotiation thread, talks, in a war
    assert topics[2] == frozenset()  # a stabbing with no armed-conflict context
    assert topics[3] == {"diplomacy"}
    assert topics[4] == frozenset()  # science without a space cue
    assert topics[5] == {"space"}
    assert topics[6] == frozenset()  # the war as a backdrop of oil prices


def test_wikipedia_airstrike_under_a_peace_plan_thread_is_not_diplomacy():
    markdown = (
        f"#### Armed conflicts and attacks\n\n* {wiki_link('Gaza war')}\n  * {wiki_link('Gaza peace plan')}\n"
        f"    * Israeli airstrikes kill 12 people in {wiki_link('Khan Yunis')}.\n"
    )
    (event,) = wikipedia.parse_day(markdown, "2026-01-01-index.md")
    assert wikipedia.event_topics(event) == {"defence"}


def test_wikipedia_rocket_attack_is_not_space():
    markdown = (
        f"#### Armed conflicts and attacks\n\n* {wiki_link('Israel–Hezbollah conflict')}\n"
        f"  * Hezbollah fires rockets at northern Israel.\n"
    )
    (event,) = wikipedia.parse_day(markdown, "2026-01-01-index.md")
    assert wikipedia.event_topics(event) == {"defence"}


def test_wikipedia_events_are_read_from_the_days_folder(tmp_path: Path):
    days = tmp_path / wikipedia.DAYS_DIR
    days.mkdir(parents=True)
    (days / DAY_FILE).write_text(DAY, encoding="utf-8")
    assert [e.id for e in wikipedia.iter_events(tmp_path)] == [e.id for e in day_events()]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


def test_wikipedia_countries_come_from_links_and_words(gazetteer: Gazetteer):
    events = day_events()
    assert event_countries(events[0], gazetteer) == {"RU", "UA"}
    assert event_countries(events[3], gazetteer) == {"JP", "KR"}
    assert regions_of({"JP", "KR", "RU"}) == {"east-asia", "europe"}


NASA_ARTICLE = """NASA's Artemis II Crew Visits Launch Pad 39B 
 Credit: NASA

The four astronauts of Artemis II toured the launch pad at Kennedy Space Center, where the SLS rocket
will lift off with the Orion spacecraft on a mission around the Moon.

The visit will stream live on NASA+ and the agency's website.

Learn more about Artemis at:

https://www.nasa.gov/artemis

-end-

Jane Doe

Headquarters, Washington

202-358-1600

jane.doe@nasa.gov
"""

NASA_AERONAUTICS = """X-59 Completes Engine Run 
 The X-59 quiet supersonic aircraft ran its engine for the first time at Palmdale. The aircraft
will fly over communities to measure how people hear its sonic thump; the aviation data will go
to regulators. Engineers checked the aircraft's airframe and wing after the run.
"""

NASA_ADMIN = """NASA Awards Facilities Maintenance Contract 
 NASA has selected a company to provide facilities maintenance, janitorial work and grounds keeping
at its Cleveland offices under a five-year contract worth $40 million. The work includes heating,
ventilation, roofing and parking lots, and the contractor will report to the facilities office.
"""


def test_nasa_strips_boilerplate():
    article = nasa.parse_article(NASA_ARTICLE, "nasa-news-2024/articles/nasa_article_1.md")
    assert article.title == "NASA's Artemis II Crew Visits Launch Pad 39B"
    assert article.text.startswith("The four astronauts of Artemis II")
    for boilerplate in ("Credit: NASA", "NASA+", "Learn more", "https://", "-end-", "202-358-1600", "@nasa.gov", "Headquarters"):
        assert boilerplate not in article.text


def test_nasa_topics_are_space_unless_aeronautics_or_no_space_activity():
    def topics(markdown: str) -> frozenset[str]:
        return nasa.article_topics(nasa.parse_article(markdown, "x.md"))

    assert topics(NASA_ARTICLE) == {"space"}
    assert topics(NASA_AERONAUTICS) == frozenset()
    assert topics(NASA_ADMIN) == frozenset()


WH_READOUT = """---
date: '2025-04-18'
published_time: 2025-04-18 16:50:25-04:00
source_url: https://www.whitehouse.gov/briefings-statements/2025/04/readout/
tags: briefings-statements
title: "Readout of President Donald J. Trump\\u2019s Call with Prime Minister Starmer\\
  \\ of the United\\_Kingdom"
---
 
Today, President Donald J. Trump held a call with Prime Minister Keir
Starmer of the [United Kingdom](https://www.gov.uk). The two leaders discussed bilateral
trade and **regional security**. They agreed to stay in close touch.

\\###
"""

WH_DOMESTIC = """---
date: '2022-03-01'
tags: statements-releases
title: 'Readout of White House Meeting with Governors on Broadband: ''Internet for
  All'''
---

Senior officials met with governors to discuss broadband grants for rural communities, permits
for fiber lines, and how states can apply for funds before the deadline this summer.
"""

WH_DEFENCE = """---
date: '2024-02-01'
tags: statements-releases
title: Statement on Strikes Against Houthi Targets
---

At my direction, U.S. military forces, together with the United Kingdom, conducted strikes against
Houthi missile launchers and drone storage sites in Yemen. Our troops and warships will continue to
defend against these attacks. The strikes were a defensive military operation.
"""

WH_VETERANS = """---
date: '2023-11-11'
tags: statements-releases
title: A Proclamation on Veterans Day
---

On Veterans Day we honor the veterans who served in our military, and their military families and
caregivers. We expanded benefits for veterans under the PACT Act, and veterans now get care for
toxic exposures faster. We owe our veterans and their caregivers our gratitude.
"""


def label_wh(markdown: str, gazetteer: Gazetteer) -> frozenset[str]:
    document = whitehouse.parse_document(markdown, "whitehouse-briefing-room/statements-releases/2024-01/x.md")
    lead = f"{document.title}\n{document.text[:whitehouse.LEAD_CHARS]}"
    counts = whitehouse.count_cues(document, foreign_mentions=0)
    return whitehouse.document_topics(document, counts, whitehouse.names_foreign_party(lead, gazetteer))


def test_whitehouse_front_matter_gives_title_and_date_and_is_not_text():
    document = whitehouse.parse_document(WH_READOUT, "whitehouse-briefing-room/briefings-statements/2025-04/r.md")
    assert document.title == "Readout of President Donald J. Trump’s Call with Prime Minister Starmer of the United Kingdom"
    assert document.date == "2025-04-18"
    assert document.kind == "briefings-statements"
    assert document.text == (
        "Today, President Donald J. Trump held a call with Prime Minister Keir Starmer of the United Kingdom. "
        "The two leaders discussed bilateral trade and regional security. They agreed to stay in close touch."
    )
    domestic = whitehouse.parse_document(WH_DOMESTIC, "whitehouse-briefing-room/statements-releases/2022-03/d.md")
    assert domestic.title == "Readout of White House Meeting with Governors on Broadband: 'Internet for All'"


def test_whitehouse_topics(gazetteer: Gazetteer):
    assert label_wh(WH_READOUT, gazetteer) == {"diplomacy"}
    assert label_wh(WH_DOMESTIC, gazetteer) == frozenset()
    assert "defence" in label_wh(WH_DEFENCE, gazetteer)
    assert label_wh(WH_VETERANS, gazetteer) == frozenset()


def test_cues_match_whole_words_with_guards_and_case_sensitive_acronyms():
    assert cues.DEFENCE_TITLE.findall("trade war; World War II; Russian invasion of Ukraine") == ["invasion"]
    assert cues.SPACE_TEXT.findall("Samsung Galaxy, the Lunar New Year, a Land Rover, esa") == []
    assert sorted(cues.SPACE_TEXT.findall("ESA and NASA study a galaxy with a rover")) == ["ESA", "NASA", "galaxy", "rover"]
    assert cues.count(cues.WAR_TEXT, "warfare warden war wars") == 2


def example(source: str, n: int, weight: float = 1.0) -> list[Example]:
    return [
        Example(f"{source}-{i}", source, None, "", "text", frozenset(), frozenset(), frozenset(), weight)
        for i in range(n)
    ]


def test_weight_sources_caps_each_press_office_share():
    examples = example("wikipedia", 60) + example("nasa", 10) + example("whitehouse", 90)
    weighted = weight_sources(examples, {"nasa": 0.25, "whitehouse": 0.30})
    totals = label_statistics(weighted)
    total = sum(row["weight"] for row in totals.values())
    assert totals["wikipedia"]["weight"] == 60
    assert totals["nasa"]["weight"] == 10
    assert totals["whitehouse"]["weight"] == pytest.approx(0.30 * total)
    assert totals["whitehouse"]["examples"] == 90


def write_data_dir(root: Path) -> Path:
    days = root / wikipedia.DAYS_DIR
    days.mkdir(parents=True)
    (days / DAY_FILE).write_text(DAY, encoding="utf-8")
    articles = root / nasa.ARTICLES_DIR
    articles.mkdir(parents=True)
    for name, text in (("nasa_article_0.md", NASA_ARTICLE), ("nasa_article_1.md", NASA_AERONAUTICS)):
        (articles / name).write_text(text, encoding="utf-8")
    briefings = root / whitehouse.BRIEFING_ROOM_DIR / "briefings-statements" / "2025-04"
    briefings.mkdir(parents=True)
    (briefings / "readout.md").write_text(WH_READOUT, encoding="utf-8")
    (briefings / "strikes.md").write_text(WH_DEFENCE, encoding="utf-8")
    agnews_dir = root / "agnews-test"
    agnews_dir.mkdir()
    (agnews_dir / "test.csv").write_text(
        'label,title,description\n4,Rocket Team Sets Launch Date,"A team sets a #36;10 million\\launch date."\n'
        "2,Cup Final Tonight,The final is tonight.\n",
        encoding="utf-8",
    )
    return root


def test_build_corpus_is_deterministic_holds_out_ids_and_never_includes_agnews(tmp_path: Path, gazetteer: Gazetteer):
    data_dir = write_data_dir(tmp_path)
    held_out = "nasa-news-2024/articles/nasa_article_0.md"
    first = build_corpus(data_dir, exclude_ids={held_out}, seed=3, gazetteer=gazetteer)
    again = build_corpus(data_dir, exclude_ids={held_out}, seed=3, gazetteer=gazetteer)
    assert [e.id for e in first] == [e.id for e in again]
    ids = {e.id for e in first}
    assert held_out not in ids
    assert "nasa-news-2024/articles/nasa_article_1.md" in ids
    assert "whitehouse-briefing-room/briefings-statements/2025-04/readout.md" in ids
    assert f"wikipedia-current-events/days/{DAY_FILE}#5" in ids
    assert {e.source for e in first} == {"wikipedia", "nasa", "whitehouse"}
    readout = next(e for e in first if e.id.endswith("readout.md"))
    assert readout.topics == {"diplomacy"}
    assert {"GB", "US"} <= readout.countries
    assert "europe" in readout.regions


def test_build_agnews_keeps_the_class_and_no_topics(tmp_path: Path):
    items = build_agnews(write_data_dir(tmp_path))
    assert [e.id for e in items] == ["agnews-test/test.csv#1", "agnews-test/test.csv#2"]
    assert items[0].source == "agnews"
    assert items[0].text == "A team sets a $10 million launch date."
    assert items[0].meta == {"class": 4, "class_name": "Sci/Tech"}
    assert items[0].topics == frozenset()


def test_cli_prints_label_statistics(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert corpora_cli.main([str(write_data_dir(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "wikipedia" in out and "whitehouse" in out and "nasa" in out
    assert "agnews (evaluation only, never trained on): 2 items" in out
