"""Standard codes in the record: each assigned topic's IPTC Media Topic, each assigned region's M49 areas."""

from __future__ import annotations

import json
import re

from newsfeed import cli
from newsfeed.models.standard_codes import m49_areas, media_topics
from newsfeed.models.taxonomy import REGIONS, TOPICS, region_of

DIPLOMACY = "The foreign ministers of France and Germany met in Berlin for talks on the ceasefire and new sanctions."


def test_every_topic_has_a_media_topic_and_every_region_its_m49_areas():
    assert set(media_topics()) == set(TOPICS) and set(m49_areas()) == set(REGIONS)
    for topic in media_topics().values():
        code = re.fullmatch(r"medtop:([0-9]{8})", topic.qcode).group(1)
        assert topic.uri == f"http://cv.iptc.org/newscodes/mediatopic/{code}" and topic.label
    for areas in m49_areas().values():
        assert areas.codes and all(re.fullmatch(r"[0-9]{3}", code) for code in areas.codes)
        assert len(areas.names) == len(areas.codes)


def test_the_moves_named_in_the_m49_table_are_the_project_s_own_placement():
    """"+XX" says the country is in the slug although M49 puts it elsewhere, "-XX" that it is not."""
    for slug, areas in m49_areas().items():
        for move in areas.moves:
            sign, country = move[0], move[1:]
            assert sign in "+-" and (region_of(country) == slug) == (sign == "+"), (slug, move)
    # one region made of two M49 areas, as the contract says
    assert m49_areas()["middle-east-north-africa"].codes == ("145", "015")


def test_classify_writes_the_codes_of_the_assigned_labels_only(tmp_path, capsysbinary):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "d", "text": DIPLOMACY}) + "\n" + json.dumps({"id": "short", "text": "Talks."}))
    assert cli.main(["classify", str(source), "--log-level", "ERROR"]) == 0
    judged, short = [json.loads(line) for line in capsysbinary.readouterr().out.splitlines()]
    assert judged["topics"] == ["diplomacy", "defence"] and judged["regions"] == ["europe"]
    assert judged["topic_codes"] == {
        "diplomacy": {"qcode": "medtop:20000639", "label": "diplomacy",
                      "uri": "http://cv.iptc.org/newscodes/mediatopic/20000639"},
        "defence": {"qcode": "medtop:20000598", "label": "national security",
                    "uri": "http://cv.iptc.org/newscodes/mediatopic/20000598"}}
    assert judged["region_codes"] == {"europe": {"m49": ["150"]}}
    assert (short["topic_codes"], short["region_codes"]) == ({}, {})
