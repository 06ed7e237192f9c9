"""Hostile input, generated: whatever bytes arrive, decoding and classification end in an enrichment or a dead
letter with a reason, and no exception escapes.

Over 10,000 generated payloads in all (the EXAMPLES table), derandomized so every run checks the same ones:
random bytes, JSON of every shape (deep, wide, huge, odd numbers), article objects with odd Unicode and
wrong field types, and HTML with scripts, comments, entities and broken markup. Everything that decodes
goes through the real shipped model and out as an encoded record, exactly as the worker sends it.
"""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsfeed.models.schema import DEAD_LETTER_REASONS, STATUSES, WARNINGS, Article, InvalidArticle
from newsfeed.stream.batch import Enriched, Refused, decode_all, enrich_batch
from newsfeed.stream.codec import Limits, decode_article

LIMITS = Limits(max_input_bytes=64_000, max_json_depth=32, max_text_chars=20_000)

ARTICLE_FIELDS = ("id", "url", "title", "text", "html", "published_at", "source", "language")
# Names the enrichment writes, over whatever the input had under them.
RECORD_OWN = frozenset({"id", "topics", "topic_scores", "regions", "region_scores", "countries", "evidence", "prepared_text", "topic_codes",
                        "region_codes", "status", "language", "model", "processed_at", "origin", "warnings",
                        "schema_version"})

EXAMPLES = {"bytes": 3000, "json": 2500, "articles": 2000, "html": 1500, "batches": 600, "large": 400}
BATCH_SIZE = 4  # payloads per generated batch: "batches" checks 600 x 4 = 2,400 payloads
GENERATED = {name: 0 for name in EXAMPLES}  # payloads each test saw, for the total at the end


def run(examples: int):
    return settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example])


@pytest.fixture(scope="module")
def model():
    from newsfeed.models.artifact import load_model
    from newsfeed.models.model_registry import resolve_model_dir

    return load_model(resolve_model_dir(None))


def judge(values: list[bytes | None], model) -> list[Enriched | Refused]:
    """What the worker does with a batch of record values, up to the bytes it would send."""
    from newsfeed.models.classifier import classify_batch

    outcomes = enrich_batch(decode_all(values, LIMITS), model, classify_batch)
    for value, outcome in zip(values, outcomes, strict=True):
        if isinstance(outcome, Refused):
            assert outcome.reason in DEAD_LETTER_REASONS and outcome.message, (value, outcome)
        else:
            record = json.loads(outcome.value.decode("utf-8"))  # valid UTF-8 JSON, whatever came in
            assert record["id"] == outcome.article.id and record["status"] in STATUSES
            assert all(0.0 <= score <= 1.0 for score in record["topic_scores"].values())
    return outcomes


# --- strategies ----------------------------------------------------------------------------------------

# Any code point JSON can carry, lone surrogates included (json.dumps escapes them as \\udXXX).
ODD_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=200)
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ODD_TEXT
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=6)
                           | st.dictionaries(ODD_TEXT, inner, max_size=6), max_leaves=40)
WORDS = st.sampled_from(
    "the minister said troops rocket orbit launch summit talks ceasefire border France China Ukraine NASA "
    "parliament election market 🚀 Ελλάδα Москва 東京 مصر ⁦ ‮ \u200b \u00ad e\u0301 ﬁ".split())
PROSE = st.lists(WORDS, min_size=0, max_size=80).map(" ".join)
FIELD_VALUES = st.none() | PROSE | ODD_TEXT | st.integers() | st.lists(PROSE, max_size=2) | st.dictionaries(
    st.text(max_size=5), PROSE, max_size=2)
ARTICLES = st.fixed_dictionaries({}, optional={name: FIELD_VALUES for name in (
    ARTICLE_FIELDS)}) | st.dictionaries(
    ODD_TEXT, JSON_VALUES, max_size=5)

HTML_PIECES = st.sampled_from([
    "<p>", "</p>", "<div class='x'>", "</div>", "<script>document.write('<p>hidden</p>')</script>",
    "<script>", "</script>", "<style>p{color:red}</style>", "<!-- comment <p>not text</p> -->", "<!--",
    "<![CDATA[ raw ]]>", "&amp;", "&lt;script&gt;", "&#x1F680;", "&#0;", "&#xD800;", "&nbsp;", "&bogus;", "&",
    "<br>", "<br/>", "<img src=x onerror=alert(1)>", "<a href='javascript:alert(1)'>link</a>", "<nav>menu</nav>",
    "<footer>© 2024</footer>", "<h1>Headline</h1>", "<table><tr><td>cell", "</td></tr></table>", "<<>>", "</",
    "<p", "<?xml version='1.0'?>", "<!DOCTYPE html>", "<svg><text>drawn</text></svg>", "<iframe src=x>",
    "<textarea><p>raw</p></textarea>", "<li>item", "<ul>", "</ul>", "\n", "\t", "\x00",
])
HTML = st.lists(HTML_PIECES | PROSE, max_size=60).map("".join)


def as_json(value) -> bytes:
    return json.dumps(value).encode()


def deep(depth: int, kind: str) -> bytes:
    """A value nested `depth` levels: a list in a list..., or an object in an object..."""
    if kind == "list":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


# --- the properties --------------------------------------------------------------------------------------

@run(EXAMPLES["bytes"])
@given(st.binary(max_size=3000) | st.binary(max_size=40).map(lambda b: b'{"title": "' + b + b'"}'))
def test_random_bytes_decode_to_an_article_or_a_reason(value):
    GENERATED["bytes"] += 1
    try:
        article = decode_article(value, LIMITS)
    except InvalidArticle as refusal:
        assert refusal.reason in DEAD_LETTER_REASONS and refusal.message
    else:
        assert isinstance(article, Article) and article.id


@run(EXAMPLES["json"])
@given(JSON_VALUES | st.builds(deep, st.integers(1, 3000), st.sampled_from(["list", "object"]))
       | st.sampled_from(["1e999", "-1e999", "1" * 5000, "NaN", "Infinity", "[1,]", "{\"a\" 1}", "\"\\ud800\"",
                          "{\"title\": \"\\udc00\\ud800 lone\"}", "\ufeff{\"title\": \"bom\"}"]).map(str.encode))
def test_any_json_decodes_to_an_article_or_a_reason(value):
    GENERATED["json"] += 1
    raw = value if isinstance(value, bytes) else as_json(value)
    try:
        decode_article(raw, LIMITS)
    except InvalidArticle as refusal:
        assert refusal.reason in DEAD_LETTER_REASONS
        if raw.startswith((b"[[[[" * 9, b'{"a":' * 33)):
            assert refusal.reason == "too_deep"


@run(EXAMPLES["articles"])
@given(ARTICLES)
def test_article_objects_with_odd_unicode_and_wrong_types_are_enriched_or_refused(model, fields):
    GENERATED["articles"] += 1
    value = as_json(fields)
    (outcome,) = judge([value], model)
    if isinstance(outcome, Refused):
        # malformed metadata is never a refusal: only an article with no text to classify is
        expected = ("no_text",) + (("invalid_json",) if b"Infinity" in value else ())
        assert outcome.reason in expected, outcome
        return
    record, fields = json.loads(outcome.value), json.loads(value)
    if "\\ud" not in value.decode().lower():  # lone surrogates come out as U+FFFD, by design (codec)
        assert {name: record[name] for name in fields if name not in RECORD_OWN} == {
            name: original for name, original in fields.items() if name not in RECORD_OWN}
    not_strings = {name for name in ARTICLE_FIELDS if fields.get(name) is not None and not isinstance(fields[name], str)}
    assert {w["field"] for w in record["warnings"] if w["kind"] == "not_a_string"} == not_strings
    assert all((w["field"], w["kind"]) in WARNINGS for w in record["warnings"])


@run(EXAMPLES["html"])
@given(HTML, PROSE)
def test_html_with_scripts_entities_and_broken_markup_is_enriched(model, html, title):
    GENERATED["html"] += 1
    (outcome,) = judge([as_json({"id": "h", "title": title, "html": html})], model)
    if isinstance(outcome, Enriched):
        text = outcome.enrichment  # the classifier judged it: with a status, and labels only when "ok"
        assert text.status in STATUSES and (text.status == "ok" or not text.topics)
    else:
        assert outcome.reason == "no_text"  # neither title nor html had any text


@run(EXAMPLES["batches"])
@given(st.lists(st.binary(max_size=300) | ARTICLES.map(as_json) | HTML.map(lambda h: as_json({"html": h}))
                | st.none(), min_size=BATCH_SIZE, max_size=BATCH_SIZE))
def test_a_batch_of_mixed_payloads_keeps_one_outcome_per_payload_in_order(model, values):
    GENERATED["batches"] += len(values)
    outcomes = judge(values, model)
    assert len(outcomes) == len(values)


@run(EXAMPLES["large"])
@given(st.integers(0, 90_000), st.sampled_from(string.ascii_letters + "é🚀 \n<"), st.sampled_from(["text", "html"]))
def test_large_input_is_refused_over_the_byte_limit_and_clipped_for_the_classifier(model, size, char, field):
    GENERATED["large"] += 1
    value = as_json({"id": "big", "title": "Big", field: char * size})
    (outcome,) = judge([value], model)
    if len(value) > LIMITS.max_input_bytes:
        assert isinstance(outcome, Refused) and outcome.reason == "too_large"
        assert f"over the limit of {LIMITS.max_input_bytes}" in outcome.message
    else:
        assert isinstance(outcome, Enriched)
        assert len(getattr(outcome.article, field)) <= LIMITS.max_text_chars  # what the classifier read
        assert json.loads(outcome.value)[field] == char * size  # what the record carries: all of it


def test_over_ten_thousand_payloads_were_generated():
    if not all(GENERATED.values()):
        pytest.skip("runs only after the whole module")
    assert sum(EXAMPLES.values()) + EXAMPLES["batches"] * (BATCH_SIZE - 1) >= 10_000
    assert sum(GENERATED.values()) >= 10_000, GENERATED
