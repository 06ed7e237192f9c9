"""Labels read by people: agreement with automatic labels decides what else is trusted, and spliced
negatives teach that a mention is not a subject."""

from newsfeed.training.corpora import Example
from newsfeed.training.corpora.passages import UNKNOWN_TOPICS
from newsfeed.training.corpora.read import (
    AUTOMATIC_TOPICS, DISTRUSTED_TOPICS, auto_agreement, distrust_disagreeing_topics, labelled_text,
    spliced_negatives, with_automatic_topics,
)


def _example(id, topics, source="whitehouse", text="x", **meta):
    return Example(id=id, source=source, date=None, title="", text=text, topics=frozenset(topics),
                   regions=frozenset(), countries=frozenset(), meta=meta)


def test_automatic_labels_are_trusted_only_for_topics_where_they_agree_with_reading():
    automatic = [_example(f"d{i}", {"diplomacy"} if i < 10 else set()) for i in range(20)]
    automatic += [_example(f"s{i}", {"defence"} if i % 2 else set()) for i in range(20)]
    read = [_example(f"d{i}", {"diplomacy"} if i < 10 else set(), read=True) for i in range(20)]
    read += [_example(f"s{i}", {"defence"} if i % 3 == 0 else set(), read=True) for i in range(20)]
    agreement = auto_agreement(automatic, read)["whitehouse"]
    assert agreement["diplomacy"] == 1.0 and agreement["defence"] < 0.8 and agreement["space"] is None
    kept = distrust_disagreeing_topics([_example("new", {"diplomacy"})], {"whitehouse": agreement})
    assert kept[0].meta[UNKNOWN_TOPICS] == ["defence"] and kept[0].topics == {"diplomacy"}
    assert kept[0].meta[DISTRUSTED_TOPICS] == ["defence"]  # the fit's consensus filter may restore it
    nothing_trusted = {"whitehouse": {"diplomacy": 0.1, "space": 0.2, "defence": 0.3}}
    (kept,) = distrust_disagreeing_topics([_example("new", set())], nothing_trusted)
    assert kept.meta[UNKNOWN_TOPICS] == kept.meta[DISTRUSTED_TOPICS] == ["defence", "diplomacy", "space"]


def test_a_read_item_carries_the_automatic_topics_of_the_same_item():
    read = [_example("a", {"defence"}, read=True), _example("b", set(), read=True)]
    marked = with_automatic_topics(read, [_example("a", {"defence", "diplomacy"})])
    assert marked[0].meta[AUTOMATIC_TOPICS] == ["defence", "diplomacy"] and AUTOMATIC_TOPICS not in marked[1].meta


def test_a_spliced_negative_keeps_its_host_s_labels_and_id_family():
    host_text = "\n".join(f"Paragraph {n} about the city budget and the new school buildings downtown." * 3
                          for n in range(8))
    read = [_example("host.md", set(), text=host_text, read=True),
            _example("event#1", {"space"}, source="wikipedia", text="A rocket put a satellite in orbit. It was late.",
                     read=True)]
    (spliced,) = [e for e in spliced_negatives(read, seed=0, per_topic=5, weight=0.5) if e.meta["spliced"] == "space"]
    assert spliced.id == "host.md@splice-space" and spliced.topics == frozenset() and spliced.weight == 0.5
    assert "A rocket put a satellite in orbit." in spliced.text and "It was late." not in spliced.text
    assert not spliced.text.split("\n")[0].startswith("A rocket")  # never the lead


def test_documents_are_labelled_on_their_first_paragraphs_up_to_the_limit():
    first = "First paragraph. " * 20  # 340 characters: past a third of the limit
    text = first + "\n" + "Second " * 200 + "\nThird."
    assert labelled_text(text, limit=500) == first.rstrip()
    assert labelled_text("Lead.\n" + "x" * 1000, limit=500) == ("Lead.\n" + "x" * 1000)[:500]  # no usable break
    assert labelled_text("short", limit=500) == "short"


def test_a_document_read_whole_is_trained_on_whole_and_replaces_its_automatic_example(tmp_path):
    from newsfeed.training.corpora import whitehouse
    from newsfeed.training.corpora.read import ReadLabel, document_id, read_examples, text_fingerprint

    body = "\n\n".join(f"Paragraph {n}: the budget for schools and roads, line by line." * 8 for n in range(12))
    doc = tmp_path / "whitehouse-briefing-room" / "fact-sheets" / "2025-01" / "long.md"
    doc.parent.mkdir(parents=True)
    doc.write_text(f'---\ntitle: "A long fact sheet"\ndate: 2025-01-02\n---\n{body}\n', encoding="utf-8")
    doc_id = doc.relative_to(tmp_path).as_posix()
    whole_text = whitehouse.parse_document(doc.read_text(encoding="utf-8"), doc_id).text
    assert len(whole_text) > 3_000 + 1_000

    def label(read_id, text):
        return ReadLabel(read_id, "whitehouse", "whole/whitehouse/other", frozenset({"defence"}), frozenset(),
                         frozenset(), text_fingerprint(text))

    first_part = labelled_text(whole_text)
    (whole,), _ = read_examples(tmp_path, [label(doc_id + "@whole", whole_text)], Example, weight=2.0)
    (first,), _ = read_examples(tmp_path, [label(doc_id, first_part)], Example, weight=2.0)
    assert whole.text == whole_text and first.text == first_part and len(whole.text) > len(first.text)
    assert document_id(whole.id) == document_id(first.id) == doc_id

    # Its automatic example is the same document: the read label is what it is compared with.
    agreement = auto_agreement([_example(doc_id, {"defence"})], [whole])
    assert agreement["whitehouse"]["defence"] is None  # one item, both say defence: compared, no kappa defined
    assert with_automatic_topics([whole], [_example(doc_id, {"defence"})])[0].meta[AUTOMATIC_TOPICS] == ["defence"]
