import json

import numpy as np
import pytest

from newsfeed.training.corpora.passages import passage_examples
from newsfeed.training.corpora import Example
from newsfeed.training.gold import load_gold, resolve_texts, text_fingerprint
from newsfeed.models.schema import Enrichment, ModelRef
from newsfeed.models.taxonomy import TOPICS
from newsfeed.training.evaluate import Scored, without_source
from newsfeed.training.fit import FitConfig, consensus_weights, label_matrix
from newsfeed.training.promote import allowed_net_new_errors, bootstrap_macro_difference, gate_reasons, net_new_errors
from newsfeed.models.gazetteer import Gazetteer
from newsfeed.models.pipeline import split_passages


def _row(item, truth, predicted):
    enrichment = Enrichment(topics=list(predicted), topic_scores={t: 0.0 for t in TOPICS}, regions=[],
                            region_scores={}, countries=[], evidence={}, status="ok", language="en",
                            model=ModelRef("m", "0" * 64))
    return Scored(str(item), "wikipedia", frozenset(truth), frozenset(), frozenset(), enrichment)


def _rows(truths, predictions):
    return [_row(i, t, p) for i, (t, p) in enumerate(zip(truths, predictions))]


TRUTH = [{"space"}] * 40 + [{"defence"}] * 40 + [set()] * 120


def test_net_new_errors_count_items_the_candidate_breaks_less_those_it_fixes():
    champion = _rows(TRUTH, TRUTH[:-3] + [{"defence"}] * 3)  # 3 false defence alarms
    candidate = _rows(TRUTH, [set()] * 5 + TRUTH[5:])  # misses 5 space items, fixes the alarms
    net = net_new_errors(champion, candidate)
    assert net["space"] == 5 and net["defence"] == -3 and net["diplomacy"] == 0


def test_gate_refuses_more_net_new_errors_than_allowed_and_a_lower_macro_f1():
    items = 700
    assert allowed_net_new_errors(items) == 7 and allowed_net_new_errors(100) == 2
    f1 = {"diplomacy": 0.9, "space": 0.9, "defence": 0.9, "macro": 0.9}
    assert gate_reasons(f1, f1, {"space": 7, "defence": -3}, items) == []
    assert gate_reasons(f1, f1, {"space": 8}, items) == ["space: 8 net new errors on the gold set (at most 7 allowed)"]
    lower = {**f1, "macro": 0.89}
    assert gate_reasons(lower, f1, {}, items) == ["topic macro F1 0.890 is below the champion's 0.900"]


def test_the_bootstrap_interval_brackets_a_real_gain_and_straddles_zero_for_none():
    champion = _rows(TRUTH, [set()] * 20 + TRUTH[20:])
    better = _rows(TRUTH, TRUTH)
    low, high = bootstrap_macro_difference(champion, better, samples=300)
    assert 0 < low <= high
    low, high = bootstrap_macro_difference(champion, champion, samples=300)
    assert low == high == 0


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


def test_a_source_held_out_leaves_out_its_sentences_spliced_into_other_sources():
    def example(id, source, **meta):
        return Example(id=id, source=source, date=None, title="", text="t", topics=frozenset(),
                       regions=frozenset(), countries=frozenset(), meta=meta)
    examples = [example("w1", "wikipedia"), example("h1", "whitehouse"),
                example("h1@splice-defence", "whitehouse", spliced="defence", spliced_from="wikipedia")]
    assert [e.id for e in without_source(examples, "wikipedia")] == ["h1"]
    assert [e.id for e in without_source(examples, "whitehouse")] == ["w1"]


def _consensus_case(read_defence_word: str):
    """Read documents about troops and about police; a rule that calls both defence; automatic
    documents of both kinds whose rule label for defence is distrusted."""
    import random
    rng = random.Random(0)
    fillers = ["in the north", "near the border", "on Tuesday", "after dawn", "in the capital", "overnight"]
    def text(word):
        return f"{word} moved {rng.choice(fillers)} and {rng.choice(fillers)} while {word} officers watched"
    def example(id, word, topics, **meta):
        return Example(id=id, source="whitehouse", date=None, title="", text=text(word), topics=frozenset(topics),
                       regions=frozenset(), countries=frozenset(), meta=meta)
    read = [example(f"r{i}", word, {"defence"} if word == read_defence_word else set(), read=True,
                    automatic_topics=["defence"] if word == "troops" else [])
            for i, word in enumerate(["troops", "police"] * 30)]
    automatic = [example(f"a{i}", word, {"defence"} if word == "troops" else set(),
                         unknown_topics=["defence"], distrusted_topics=["defence"])
                 for i, word in enumerate(["troops", "police"] * 20)]
    examples = read + automatic
    titles, bodies = [e.title for e in examples], [e.text for e in examples]
    y = label_matrix(examples, "topics", TOPICS)
    weights = np.ones((len(examples), len(TOPICS))) * (1 - label_matrix(examples, "unknown_topics", TOPICS))
    restored, report = consensus_weights(examples, titles, bodies, y, weights, FitConfig(min_df=1))
    defence = TOPICS.index("defence")
    return restored[len(read):, defence], report["whitehouse"]["defence"]


def test_distrusted_automatic_labels_come_back_where_a_model_of_the_read_labels_agrees():
    # The rule is right about troops (read: defence) and about police (read: not defence).
    restored, report = _consensus_case(read_defence_word="troops")
    assert restored.tolist() == [1.0] * 40  # troops as defence, police as not: each label known again
    assert report["kappa_kept"] >= 0.8 and report["restored"] == 40


def test_distrusted_automatic_labels_stay_unknown_when_the_filter_does_not_agree_with_reading():
    # The read labels call police defence and troops not: the rule is wrong on every document.
    restored, report = _consensus_case(read_defence_word="police")
    assert restored.sum() == 0 and report["restored"] == 0 and report["kappa_kept"] < 0.8


def test_the_news_check_set_is_agnews_only_and_never_overlaps_the_gold_set():
    from newsfeed.training.gold import NEWS_CHECK_FILE, gold_ids
    items = load_gold(NEWS_CHECK_FILE)
    assert len(items) >= 400 and len({i.id for i in items}) == len(items)
    assert {i.source for i in items} == {"agnews"} and not {i.id for i in items} & gold_ids()
    assert all(i.topics <= {"diplomacy", "space", "defence"} for i in items)
    assert sum("defence" in i.topics for i in items) >= 30 and sum("diplomacy" in i.topics for i in items) >= 20


def test_the_news_check_judges_the_read_agnews_items_and_leaves_out_a_changed_one(tmp_path, monkeypatch, tiny_model):
    from newsfeed.training import evaluate
    rows = [("Troops and tanks advance", "The army launched a military offensive with artillery strikes near the front."),
            ("Club wins the final", "The football club won the championship final with a late goal in the stadium.")]
    (tmp_path / "agnews-test").mkdir()
    (tmp_path / "agnews-test" / "test.csv").write_text(
        "label,title,description\n" + "".join(f'1,"{t}","{d}"\n' for t, d in rows))
    labels = tmp_path / "read.jsonl"
    labels.write_text("".join(json.dumps({
        "id": f"agnews-test/test.csv#{n}", "source": "agnews", "topics": topics, "regions": [], "countries": [],
        "full_length": False, "text_sha256": text_fingerprint(f"{t} {d}" if n == 1 else "another text")}) + "\n"
        for n, ((t, d), topics) in enumerate(zip(rows, [["defence"], []]), start=1)))
    monkeypatch.setattr(evaluate, "NEWS_CHECK_FILE", labels)
    report = evaluate.evaluate_news_check(tiny_model, tmp_path)
    assert report["present"] and report["items"] == 1
    assert report["missing_ids"] == ["agnews-test/test.csv#2"]
    assert report["topics"]["per_label"]["defence"]["support"] == 1
    assert not evaluate.evaluate_news_check(tiny_model, tmp_path / "nothing")["present"]
