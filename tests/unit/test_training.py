import json

import pytest

from training.corpora.passages import passage_examples
from training.corpora import Example
from training.gold import load_gold, resolve_texts, text_fingerprint
from training.promote import gate_reasons
from models.gazetteer import Gazetteer
from models.pipeline import split_passages


def _f1(diplomacy, space, defence):
    return {"diplomacy": diplomacy, "space": space, "defence": defence, "macro": (diplomacy + space + defence) / 3}


def test_gate_passes_an_equal_or_better_candidate():
    assert gate_reasons(_f1(0.90, 0.92, 0.80), _f1(0.90, 0.92, 0.80)) == []
    assert gate_reasons(_f1(0.89, 0.95, 0.80), _f1(0.90, 0.92, 0.80)) == []


def test_gate_refuses_a_label_that_drops_more_than_two_points():
    reasons = gate_reasons(_f1(0.95, 0.95, 0.77), _f1(0.90, 0.92, 0.80))
    assert len(reasons) == 1 and reasons[0].startswith("defence F1 0.770")


def test_gate_refuses_a_lower_macro_f1_even_within_the_per_label_margin():
    reasons = gate_reasons(_f1(0.89, 0.91, 0.79), _f1(0.90, 0.92, 0.80))
    assert reasons == ["macro F1 0.863 is below the champion's 0.873"]


def test_passages_merge_short_paragraphs_and_keep_order():
    body = "One short line.\nAnother short line.\n\n" + "A long paragraph " * 20 + "\nTail."
    passages = split_passages(body)
    assert passages[0].startswith("One short line. Another short line. A long paragraph")
    assert passages[-1] == "Tail."


def _document(text, topics):
    return Example(id="whitehouse-briefing-room/x.md", source="whitehouse", date=None, title="T", text=text,
                   topics=frozenset(topics), regions=frozenset({"europe", "north-america"}),
                   countries=frozenset({"FR", "US"}), weight=0.5)


def test_a_passage_inherits_a_document_label_only_with_its_own_cues():
    military = ("The armed forces and the navy held an exercise with warships and submarines while the army "
                "moved troops and the air force flew fighter jets over the region near France. " * 2)
    domestic = ("The president also spoke about new jobs in manufacturing, lower prices for families, and a plan "
                "to build more homes in every state across the whole country this year. " * 2)
    text = "\n".join([military, domestic, domestic, military])
    passages = passage_examples([_document(text, {"defence"})], Gazetteer.load(), seed=1)
    labelled = [p for p in passages if p.topics]
    assert labelled and all(p.topics == {"defence"} and "armed forces" in p.text for p in labelled)
    assert all(p.id.startswith("whitehouse-briefing-room/x.md@passage") and p.weight == 0.25 for p in passages)
    assert {p.regions for p in labelled} == {frozenset({"europe"})}, "a passage keeps only regions it names"
    unlabelled = [p for p in passages if not p.topics]
    assert unlabelled and all(p.meta["unknown_topics"] == ["defence", "diplomacy"] for p in unlabelled), \
        "a passage without its document's cues is no evidence against the document's topic"


def test_passages_never_carry_diplomacy_evidence():
    talks = ("The foreign ministers held bilateral talks on the treaty and the ambassadors discussed sanctions at the "
             "summit with their counterparts from the European Union. " * 2)
    passages = passage_examples([_document("\n".join([talks] * 4), {"diplomacy"})], Gazetteer.load())
    assert passages and all(not p.topics and "diplomacy" in p.meta["unknown_topics"] for p in passages)


def test_gold_ids_resolve_and_a_changed_text_is_left_out(tmp_path):
    (tmp_path / "nasa-news-2024" / "articles").mkdir(parents=True)
    raw = "Rocket launch\nThe rocket lifted off from the pad carrying a satellite.\n"
    (tmp_path / "nasa-news-2024" / "articles" / "a.md").write_text(raw)
    gold = tmp_path / "gold.jsonl"
    rows = [
        {"id": "nasa-news-2024/articles/a.md", "source": "nasa", "topics": ["space"], "regions": [], "countries": [],
         "full_length": True, "text_sha256": text_fingerprint(raw)},
        {"id": "nasa-news-2024/articles/b.md", "source": "nasa", "topics": [], "regions": [], "countries": [],
         "full_length": True, "text_sha256": "0" * 16},
    ]
    gold.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    resolved, missing = resolve_texts(tmp_path, load_gold(gold))
    assert [(g.item.id, g.title) for g in resolved] == [("nasa-news-2024/articles/a.md", "Rocket launch")]
    assert missing == ["nasa-news-2024/articles/b.md"]
    (tmp_path / "nasa-news-2024" / "articles" / "a.md").write_text(raw + "edited\n")
    assert resolve_texts(tmp_path, load_gold(gold))[1] == ["nasa-news-2024/articles/a.md", "nasa-news-2024/articles/b.md"]


def test_the_shipped_gold_set_is_large_and_well_formed():
    items = load_gold()
    assert len(items) >= 300 and len({i.id for i in items}) == len(items)
    assert sum(i.full_length for i in items) >= 100
    assert all(i.topics <= {"diplomacy", "space", "defence"} for i in items)
