"""Evidence a reader can see: every span, applied to the record's `prepared_text`, gives what it claims,
the spans are few, and the record stays bounded on the largest input the limits allow."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest

from newsfeed.models.artifact import load_model
from newsfeed.models.classifier import classify_batch
from newsfeed.models.evidence import (
    MENTION_SPANS, NGRAMS_PER_LABEL, SPANS_PER_NGRAM, TITLE_SEPARATOR, OffsetMap, analysis_map,
)
from newsfeed.models.gazetteer import Gazetteer
from newsfeed.models.pipeline import mask_names, masked_regions, passage_paragraphs, split_passages
from newsfeed.models.model_registry import resolve_model_dir
from newsfeed.models.schema import enriched_record
from newsfeed.models.text import prepare_article
from newsfeed.models.tfidf import lower_and_strip_accents
from newsfeed.stream.codec import Limits, decode_article, encode_record

SEED = Path(__file__).resolve().parents[3] / "shared" / "examples" / "seed-article.txt"
LIMITS = Limits(max_input_bytes=524_288, max_json_depth=64, max_text_chars=100_000)  # the worker's defaults


@pytest.fixture(scope="module")
def shipped():
    return load_model(resolve_model_dir(None))


def article(fields: dict):
    return decode_article(json.dumps(fields).encode(), LIMITS)


ARTICLES = {
    "seed": lambda: {"title": "Peskov: Moscow will develop relations with Pyongyang",
                     "text": SEED.read_text(encoding="utf-8")},
    # Accents, a ligature, an ellipsis and an emoji before the words: the model's analysis changes the
    # length of each, and the spans must still land on the words as written.
    "accents": lambda: {"title": "Le Président’s ﬁnal TALKS… 🚀 with Ukraine",
                        "text": "Élysée officials said the ﬁnal round of négociations on the ceasefire treaty… 🚀 "
                                "opened in Geneva.\nThe Ukrainian and Russian delegations met the French "
                                "foreign minister for talks.\n\nMilitary officers from the army joined later."},
    "html": lambda: {"title": "Summit &amp; treaty",
                     "html": "<nav>Home | World</nav><p>The foreign ministers of <b>France</b> and Germany "
                             "opened talks on a treaty.</p><p>Diplomats from the embassy said the summit "
                             "would go on.</p><script>var x = 'war';</script>"},
}


def check_spans(record: dict, gazetteer: Gazetteer, model) -> int:
    """Assert every span of a record against its prepared_text; the number of spans checked."""
    text = record["prepared_text"]
    analyser = model.text_model.analyser()
    title, _, body = text.partition(TITLE_SEPARATOR)
    checked = 0
    for label, evidence in record["evidence"].items():
        assert len(evidence["ngrams"]) <= NGRAMS_PER_LABEL
        for ngram in evidence["ngrams"]:
            assert 0 < len(ngram["spans"]) <= SPANS_PER_NGRAM, (label, ngram)
            assert ngram["spans"] == sorted(ngram["spans"])
            for start, end in ngram["spans"]:
                # The words of the span, read as the model reads them, are the n-gram's words.
                assert analyser.tokens(text[start:end]) == ngram["ngram"].split(), (label, ngram, text[start:end])
                checked += 1
        if evidence["passage"] is not None:
            start, end = evidence["passage"]
            passages = split_passages(body)
            assert " ".join(line.strip() for line in text[start:end].split("\n") if line.strip()) in passages
            checked += 1
    prepared_mentions = [m for m in gazetteer.find_mentions(title)] + [
        dataclasses.replace(m, start=m.start + len(title) + 2, end=m.end + len(title) + 2)
        for m in gazetteer.find_mentions(body)]
    for country in record["countries"]:
        assert len(country["spans"]) <= MENTION_SPANS
        for start, end in country["spans"]:
            # The span is one of the country's mentions, as the gazetteer finds them in the text.
            assert any(m.code == country["code"] and (m.start, m.end) == (start, end) for m in prepared_mentions), (
                country["code"], text[start:end])
            checked += 1
    return checked


@pytest.mark.parametrize("name", ARTICLES)
def test_every_span_gives_what_it_claims(shipped, name):
    item = article(ARTICLES[name]())
    (enrichment,) = classify_batch([item], shipped)
    record = enriched_record(item, enrichment, "2026-01-01T00:00:00.000Z")
    assert record["evidence"], "the article has labels, so evidence to check"
    assert check_spans(record, shipped.gazetteer, shipped) >= 5


def test_the_seed_article_s_evidence_is_where_a_reader_would_look(shipped):
    item = article(ARTICLES["seed"]())
    (enrichment,) = classify_batch([item], shipped)
    text = enrichment.prepared_text
    assert text.startswith("Peskov: Moscow will develop relations with Pyongyang\n\n")
    words = {n.ngram: [text[a:b] for a, b in n.spans] for n in enrichment.evidence["diplomacy"].ngrams}
    assert words["negotiations"] == ["negotiations"] * 3
    russia = next(c for c in enrichment.countries if c.code == "RU")
    assert text[slice(*russia.spans[0])] == "Moscow"  # the first mention is in the title
    start, end = enrichment.evidence["diplomacy"].passage
    assert "negotiations" in text[start:end] and "meeting between the two leaders" in text[start:end]


def test_prepared_text_is_the_title_and_the_body_the_model_read(shipped):
    fields = {"title": "  Talks   on the treaty ", "html": "<p>" + "The minister met the envoy. " * 400 + "</p>"}
    item = article(fields)
    (enrichment,) = classify_batch([item], shipped)
    prepared = prepare_article(item.title, item.text, item.html)
    body_read = prepared.body[:shipped.text_model.max_body_chars]
    assert enrichment.prepared_text == f"Talks on the treaty\n\n{body_read}"
    assert len(body_read) == shipped.text_model.max_body_chars < len(prepared.body)


def test_an_article_without_labels_has_its_text_and_no_evidence(shipped):
    (short,) = classify_batch([article({"title": "Rocket launch"})], shipped)
    assert (short.status, short.evidence, short.prepared_text) == ("too_short", {}, "Rocket launch\n\n")


def test_a_model_that_masks_names_gets_spans_outside_the_names(shipped):
    """A model fitted with masks_names reads country and agency names as neutral tokens: its spans are
    found in the masked text and mapped back, so they still give their words, and never a name."""
    text_model = copy.copy(shipped.text_model)
    text_model.masks_names = True
    masking = dataclasses.replace(shipped, text_model=text_model)
    item = article(ARTICLES["seed"]())
    (enrichment,) = classify_batch([item], masking)
    record = enriched_record(item, enrichment, "2026-01-01T00:00:00.000Z")
    assert check_spans(record, shipped.gazetteer, shipped) >= 5
    names = [span for country in record["countries"] for span in country["spans"]]
    for evidence in record["evidence"].values():
        for ngram in evidence["ngrams"]:
            for start, end in ngram["spans"]:
                assert not any(a < end and start < b for a, b in names), ngram


def test_masked_regions_map_the_masked_text_back():
    gazetteer = Gazetteer.load()
    text = "The Kremlin said Russia and ESA would talk, and the Foreign Ministry agreed with France."
    mentions = gazetteer.find_mentions(text)
    masked = mask_names(text, mentions)
    places, agencies = masked_regions(text, mentions)
    assert [text[a:b] for a, b, _, _ in places] == [m.surface for m in mentions]
    assert agencies and [masked[s:e] for _, _, s, e in agencies] == ["xagency"] * len(agencies)
    to_places, to_text = OffsetMap(agencies), OffsetMap(places)
    talk = masked.index("talk")
    start, end = to_text.start(to_places.start(talk)), to_text.end(to_places.end(talk + 4))
    assert text[start:end] == "talk"


def test_offsets_survive_the_model_s_lowercasing_and_accent_stripping():
    text = "İstanbul’s ﬁnal … Élysée 🚀 talks"
    analysed = lower_and_strip_accents(text)
    offsets = analysis_map(text)
    for word, written in [("istanbul", "İstanbul"), ("final", "ﬁnal"), ("elysee", "Élysée"), ("talks", "talks")]:
        start = analysed.index(word)
        assert text[offsets.start(start):offsets.end(start + len(word))] == written
    assert analysis_map("plain ascii") is None


def test_passage_paragraphs_are_where_split_passages_took_its_passages_from():
    body = "\n".join(["Short line.", "", "  A second paragraph with padding.  ", "x" * 300, "Tail one.",
                      "Tail two.", "y" * 7000])
    passages = passage_paragraphs(body, 6000)
    assert [" ".join(body[a:b] for a, b in p) for p in passages] == split_passages(body, 6000)


# --- size ----------------------------------------------------------------------------------------------

PROSE = ("The foreign minister of {a} met the envoy of {b} for talks on the treaty, while the army of {a} "
         "held a military exercise and {b} launched a rocket into orbit. ")


def largest_inputs(gazetteer: Gazetteer) -> dict[str, dict]:
    """Inputs of the largest size the limits allow (512 KiB), naming every country many times."""
    names = sorted({gazetteer.name_of(code) for code in gazetteer.names})
    prose = "".join(PROSE.format(a=a, b=b) for a, b in zip(names, names[1:] + names[:1]))
    text = (prose * (LIMITS.max_input_bytes // len(prose) + 1))
    ordinary = {"title": "Foreign ministers of every country meet for treaty talks", "text": text}
    # A hostile title: the longest the classifier reads (100,000 characters), naming every country.
    hostile = {"title": (prose * 100)[:LIMITS.max_text_chars].replace("\n", " "), "text": text}
    out = {}
    for name, fields in (("ordinary title", ordinary), ("100,000-character title", hostile)):
        overhead = len(json.dumps(fields, ensure_ascii=False).encode()) - len(fields["text"])
        fields["text"] = fields["text"][:LIMITS.max_input_bytes - overhead - 16]
        out[name] = fields
    return out


def test_the_record_stays_bounded_on_the_largest_input(shipped):
    """README, "Record contracts": an enriched record is at most its input's size, plus its prepared
    title, plus 160 KiB; with an ordinary title, under 680 KiB on a 512 KiB input."""
    for name, fields in largest_inputs(shipped.gazetteer).items():
        value = json.dumps(fields, ensure_ascii=False).encode()
        assert len(value) <= LIMITS.max_input_bytes
        item = decode_article(value, LIMITS)
        (enrichment,) = classify_batch([item], shipped)
        assert enrichment.status == "ok" and len(enrichment.countries) > 150, name
        record = encode_record(enriched_record(item, enrichment, "2026-01-01T00:00:00.000Z"))
        title = prepare_article(item.title, "", "").title
        bound = len(value) + len(json.dumps(title, ensure_ascii=False).encode()) + 160 * 1024
        assert len(record) <= bound, (name, len(record), bound)
        if name == "ordinary title":
            assert len(record) < 680 * 1024, len(record)
        spans = [s for c in enrichment.countries for s in c.spans]
        assert all(len(c.spans) <= MENTION_SPANS for c in enrichment.countries)
        assert all(len(n.spans) <= SPANS_PER_NGRAM for e in enrichment.evidence.values() for n in e.ngrams)
        assert spans, name
