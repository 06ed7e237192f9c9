"""Decoding record values into articles, each refusal with its reason; encoding records; dead-letter headers."""

import json

import pytest

from models.schema import InvalidArticle
from stream.codec import (
    Limits,
    dead_letter_headers,
    decode_article,
    decode_text,
    encode_record,
    read_dead_letter,
)

LIMITS = Limits(max_input_bytes=10_000, max_json_depth=8)


def refusal(value, limits=LIMITS):
    with pytest.raises(InvalidArticle) as caught:
        decode_article(value, limits)
    return caught.value.reason, caught.value.message


def test_a_valid_article_keeps_its_fields_and_unknown_ones():
    article = decode_article(b'{"id": "a1", "title": "Summit", "text": "Talks.", "feed": {"rank": 3}}', LIMITS)
    assert (article.id, article.title, article.text) == ("a1", "Summit", "Talks.")
    assert article.fields["feed"] == {"rank": 3}


def test_an_article_without_id_gets_a_stable_one_from_its_url():
    first = decode_article(b'{"url": "https://example.org/a", "title": "One"}', LIMITS)
    again = decode_article(b'{"title": "Other", "url": "https://example.org/a"}', LIMITS)
    assert first.id == again.id and len(first.id) == 64


@pytest.mark.parametrize("value, reason", [
    (b'{"title": "caf\xe9"}', "invalid_utf8"),
    (b"\xff\xfe{}", "invalid_utf8"),
    (b'{"title": "x"', "invalid_json"),
    (b"", "invalid_json"),
    (b"   ", "invalid_json"),
    (b'{"title": NaN}', "invalid_json"),
    (b'{"title": "x", "score": 1e999}', "invalid_json"),
    (b'{"title": "x", "n": ' + b"9" * 5000 + b"}", "invalid_json"),
    (b"[1, 2]", "not_an_object"),
    (b'"just a string"', "not_an_object"),
    (b"null", "not_an_object"),
    (None, "not_an_object"),
    (b'{"title": "", "text": "  "}', "no_text"),
    (b'{"id": 7, "title": "x"}', "invalid_field"),
    (b'{"title": "x", "published_at": "yesterday"}', "invalid_field"),
    (b'{"title": "x", "extra": ' + b"[" * 9 + b"]" * 9 + b"}", "too_deep"),
    (b"[" * 100_000 + b"]" * 100_000, "too_deep"),
])
def test_each_kind_of_bad_input_is_refused_with_its_reason(value, reason):
    limits = Limits(max_input_bytes=500_000, max_json_depth=8)
    assert refusal(value, limits)[0] == reason


def test_too_large_is_judged_before_parsing():
    value = json.dumps({"title": "x" * 20_000}).encode()
    reason, message = refusal(value)
    assert reason == "too_large"
    assert str(len(value)) in message and "10000" in message


def test_nesting_at_the_limit_is_accepted():
    # the article object is level 1, so 7 more levels make 8
    nested = "[" * 7 + "]" * 7
    assert decode_article(f'{{"title": "x", "extra": {nested}}}'.encode(), LIMITS).title == "x"


def test_messages_say_where_the_input_went_wrong():
    assert refusal(b'{"title": "caf\xe9"}')[1] == "not UTF-8 at byte 14: invalid continuation byte"
    assert refusal(b'{"title": }')[1] == "Expecting value (line 1, column 11)"
    assert refusal(b"[1]")[1] == "expected a JSON object, got array"


def test_decode_text_makes_one_article_of_plain_text():
    article = decode_text("Le sommet s'est tenu à Vostochny.".encode(), LIMITS)
    assert article.text == "Le sommet s'est tenu à Vostochny." and article.title == ""
    with pytest.raises(InvalidArticle, match="UTF-8"):
        decode_text(b"\xff", LIMITS)
    with pytest.raises(InvalidArticle) as caught:
        decode_text(b" \n ", LIMITS)
    assert caught.value.reason == "no_text"


def test_encode_record_is_compact_utf8_json():
    assert encode_record({"title": "Kyiv – Київ", "n": 1}) == '{"title":"Kyiv – Київ","n":1}'.encode()


def test_a_lone_surrogate_escape_becomes_a_replacement_character():
    article = decode_article(rb'{"title": "broken \ud800 pair", "tags": ["\udc00"], "ok": "\ud83d\ude00"}', LIMITS)
    assert article.title == "broken \ufffd pair"
    assert article.fields["tags"] == ["\ufffd"] and article.fields["ok"] == "\U0001f600"
    assert json.loads(encode_record(article.fields)) == article.fields


def test_an_escaped_backslash_before_u_is_text_not_a_surrogate():
    article = decode_article(rb'{"title": "C:\\ud800"}', LIMITS)
    assert article.title == "C:\\ud800"


def test_dead_letter_headers_round_trip():
    headers = dead_letter_headers("invalid_json", "Expecting value", "articles.raw", 3, 1207)
    assert [name for name, _ in headers] == [
        "newsfeed.reason", "newsfeed.message", "newsfeed.source.topic",
        "newsfeed.source.partition", "newsfeed.source.offset"]
    letter = read_dead_letter([("trace", b"abc"), *headers])
    assert (letter.reason, letter.message, letter.topic, letter.partition, letter.offset) == (
        "invalid_json", "Expecting value", "articles.raw", 3, 1207)


def test_dead_letter_message_is_bounded():
    headers = dict(dead_letter_headers("invalid_field", "x" * 5000, "t", 0, 0))
    assert len(headers["newsfeed.message"]) == 300


def test_the_classifier_is_given_at_most_max_text_chars_of_each_field_and_the_record_keeps_them_whole():
    limits = Limits(max_input_bytes=100_000, max_json_depth=8, max_text_chars=1000)
    body, html = "word " * 1000, "<p>" + "x" * 3000 + "</p>"
    article = decode_article(json.dumps({"id": "long", "title": "T" * 1500, "text": body, "html": html}).encode(),
                             limits)
    assert (len(article.title), len(article.text), len(article.html)) == (1000, 1000, 1000)
    assert article.text == body[:1000] and article.html == html[:1000]
    assert article.fields["text"] == body and article.fields["html"] == html  # what the output record carries
    assert decode_text(b"y" * 5000, limits).text == "y" * 1000
    short = decode_article(b'{"id": "s", "text": "short"}', limits)
    assert short.text == "short"
