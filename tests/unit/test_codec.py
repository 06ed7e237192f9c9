"""Decoding record values into articles, each refusal with its reason; encoding records; dead-letter headers."""

import json

import pytest

from newsfeed.models.schema import InvalidArticle
from newsfeed.stream.codec import (
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
    (b'{"title": ["a", "list"]}', "no_text"),  # the only text field is malformed: nothing to classify
    (b'{"text": {"nested": "object"}, "title": " "}', "no_text"),
    (b"\xef\xbb\xbf\xef\xbb\xbf{}", "invalid_json"),  # one byte-order mark is skipped, not two
    (b'{"title": "x", "extra": ' + b"[" * 9 + b"]" * 9 + b"}", "too_deep"),
    (b"[" * 100_000 + b"]" * 100_000, "too_deep"),
])
def test_each_kind_of_bad_input_is_refused_with_its_reason(value, reason):
    limits = Limits(max_input_bytes=500_000, max_json_depth=8)
    assert refusal(value, limits)[0] == reason


def test_a_malformed_optional_field_is_a_warning_and_stays_in_the_fields():
    article = decode_article(b'{"id": "a1", "title": "Summit", "published_at": "yesterday-ish", "source": 42}',
                             LIMITS)
    assert article.title == "Summit"
    assert [(w.field, w.kind) for w in article.warnings] == [("source", "not_a_string"),
                                                             ("published_at", "not_a_timestamp")]
    assert article.warnings[1].message == ("field 'published_at' is not an ISO 8601 date or date-time: "
                                           '"yesterday-ish"; ignored')
    assert article.fields["published_at"] == "yesterday-ish" and article.fields["source"] == 42


def test_a_malformed_id_is_replaced_by_the_derived_one_and_quoted_in_the_warning():
    article = decode_article(b'{"id": 7, "url": "https://example.org/a", "title": "x"}', LIMITS)
    assert article.id == decode_article(b'{"url": "https://example.org/a", "title": "y"}', LIMITS).id
    (warning,) = article.warnings
    assert warning.message == ("field 'id' must be a string or null, got number 7; ignored, the record's id is "
                               "derived from the url or the content")


def test_a_malformed_text_field_is_ignored_when_another_has_text():
    article = decode_article(b'{"title": "Talks resume", "text": {"nested": "object"}}', LIMITS)
    assert (article.title, article.text) == ("Talks resume", "")
    assert [(w.field, w.kind) for w in article.warnings] == [("text", "not_a_string")]


def test_no_text_says_which_text_fields_were_not_strings():
    assert refusal(b'{"title": ["a"], "html": 3}')[1] == (
        "at least one of 'title', 'text', 'html' must be a non-empty string (title, html not a string)")


@pytest.mark.parametrize("stamp", ["2024-09-08", "2024-09-08T06:22:52Z", "2024-09-08 06:22", "2024-09-08T06:22:52.5+02:00",
                                   "2024-09-08T06:22:52,123-0500"])
def test_iso_8601_dates_and_times_give_no_warning(stamp):
    assert decode_article(json.dumps({"title": "x", "published_at": stamp}).encode(), LIMITS).warnings == ()


@pytest.mark.parametrize("stamp", ["soon", "2024-13-01", "2024-02-30T00:00", "20240908", "2024-W36-7",
                                   "2024-09-08\n", "2024-09-08T25:00", "08/09/2024"])
def test_other_timestamps_are_a_warning(stamp):
    (warning,) = decode_article(json.dumps({"title": "x", "published_at": stamp}).encode(), LIMITS).warnings
    assert warning.kind == "not_a_timestamp"


def test_a_long_bad_value_is_quoted_short():
    (warning,) = decode_article(json.dumps({"title": "x", "source": ["y" * 5000]}).encode(), LIMITS).warnings
    assert len(warning.message) < 200 and '["' + "y" * 58 + "…;" in warning.message


def test_a_utf8_byte_order_mark_before_the_json_is_accepted():
    article = decode_article(b'\xef\xbb\xbf{"id": "b1", "title": "Summit"}', LIMITS)
    assert (article.id, article.title, article.warnings) == ("b1", "Summit", ())
    assert decode_text("\ufeffThe rocket launched.".encode(), LIMITS).text == "The rocket launched."


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
        "newsfeed.source.partition", "newsfeed.source.offset", "newsfeed.schema_version"]
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
