"""The produce/consume tools without a broker: lines to records, records to JSON envelopes."""

import base64

import pytest

from newsfeed.models.schema import derive_id
from newsfeed.stream.codec import Limits
from newsfeed.stream.errors import ProduceError
from newsfeed.stream.topics import produce_lines, record_envelope
from stream_fakes import FakeSink, article_bytes, record

LIMITS = Limits(max_input_bytes=10_000, max_json_depth=8)


def test_each_non_blank_line_becomes_one_record_keyed_by_article_id():
    sink = FakeSink()
    lines = [article_bytes("a1") + b"\n", b"\n", b"not json\r\n", b'{"url": "https://x.org/1", "title": "t"}']
    assert produce_lines(sink, "raw", lines, LIMITS) == 3
    assert [(s.key, s.value) for s in sink.sent] == [
        (b"a1", article_bytes("a1")),
        (None, b"not json"),
        (derive_id({"url": "https://x.org/1"}).encode(), b'{"url": "https://x.org/1", "title": "t"}'),
    ]
    assert sink.flushes == 1


def test_a_line_too_large_for_the_topic_is_named():
    sink = FakeSink(limits={"raw": 20})
    with pytest.raises(ProduceError, match="^line 2: "):
        produce_lines(sink, "raw", [b"{}", b"x" * 100], LIMITS)


def test_a_failed_delivery_is_named_by_its_line():
    with pytest.raises(ProduceError, match=r"^1 of 1 records not written \(first: line 1: "):
        produce_lines(FakeSink(failing={"raw"}), "raw", [b"{}"], LIMITS)


def test_envelopes_carry_text_as_text_and_other_bytes_as_base64():
    envelope = record_envelope(record(4, b"\xff\x00", partition=2, key=b"k", headers=[("h", b"\xfe"), ("t", b"v")]))
    assert envelope == {
        "topic": "articles.raw", "partition": 2, "offset": 4, "timestamp_ms": 1_700_000_000_004,
        "key": "k",
        "headers": [{"name": "h", "value_base64": base64.b64encode(b"\xfe").decode()}, {"name": "t", "value": "v"}],
        "value_base64": base64.b64encode(b"\xff\x00").decode(),
    }
    assert record_envelope(record(0, None))["value"] is None
