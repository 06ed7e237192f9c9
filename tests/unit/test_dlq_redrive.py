"""Dead letters you can act on: inspection by reason, and a redrive that re-sends each record once."""

import json

import pytest

from newsfeed.stream.codec import dead_letter_headers
from newsfeed.stream.dlq import REDRIVE_HEADER, REDRIVEN_HEADER, DeadLetters, inspect, plan_redrive, redrive
from newsfeed.stream.errors import ProduceError
from stream_fakes import FakeSink, record

DLQ, INPUT = "articles.raw.dlq", "articles.raw"


def letter(offset, reason, value, key=None, headers=(), source_offset=None):
    """A dead letter as the worker writes it: original key, value and headers, then the newsfeed ones."""
    extra = dead_letter_headers(reason, f"{reason} here", INPUT, 0, source_offset if source_offset is not None
                                else offset + 100)
    return record(offset, value, key=key, topic=DLQ, headers=[*headers, *extra])


def marker(offset, of):
    return record(offset, b"", topic=DLQ, headers=[(REDRIVEN_HEADER, of.encode())])


LETTERS = [
    letter(0, "invalid_json", b"{not json", key=b"k0", headers=[("trace", b"t-0")]),
    letter(1, "too_large", b'{"id": "big", "text": "' + b"word " * 100 + b'"}', key=b"big"),
    letter(2, "invalid_json", b"\xff\xfe binary"),
    letter(3, "invalid_json", b"{also not json"),
    record(4, b"something else", topic=DLQ),  # no newsfeed headers: not a dead letter
]


def test_inspect_counts_by_reason_with_a_few_samples_each():
    found = DeadLetters.read(LETTERS)
    report = inspect(found, samples_per_reason=2)
    assert report["dead_letters"] == 4 and report["not_dead_letters"] == 1
    assert report["by_reason"] == {"invalid_json": 3, "too_large": 1}
    assert [s["dead_letter"] for s in report["samples"]["invalid_json"]] == [f"{DLQ}[0]@0", f"{DLQ}[0]@2"]
    first = report["samples"]["invalid_json"][0]
    assert first == {"dead_letter": f"{DLQ}[0]@0", "source": f"{INPUT}[0]@100", "message": "invalid_json here",
                     "redriven": False, "key": "k0", "value": "{not json"}
    assert report["samples"]["invalid_json"][1]["value"].startswith("base64:")
    assert report["samples"]["too_large"][0]["value"].endswith("…")
    json.dumps(report)  # printable as it is


def test_redrive_marks_then_resends_the_original_record_with_a_redrive_header():
    sink = FakeSink()
    plan = plan_redrive(DeadLetters.read(LETTERS), reason="invalid_json")
    assert (len(plan.to_send), plan.other_reasons) == (3, 1)
    assert redrive(sink, DLQ, INPUT, plan.to_send, batch_size=2) == 3

    # each batch: its markers first, then its records (a crash in between can lose a redrive, never double one)
    assert [sent.topic for sent in sink.sent] == [DLQ, DLQ, INPUT, INPUT, DLQ, INPUT]
    resent = sink.on(INPUT)
    assert [(s.key, s.value) for s in resent] == [(b"k0", b"{not json"), (None, b"\xff\xfe binary"),
                                                  (None, b"{also not json")]
    assert resent[0].headers == [("trace", b"t-0"), (REDRIVE_HEADER, f"{DLQ}[0]@0".encode())]
    assert [s.headers for s in sink.on(DLQ)][0] == [(REDRIVEN_HEADER, f"{DLQ}[0]@0".encode())]


def test_a_second_redrive_sends_nothing_already_sent_nor_what_failed_again():
    sink = FakeSink()
    redrive(sink, DLQ, INPUT, plan_redrive(DeadLetters.read(LETTERS), None).to_send)
    markers = [marker(10 + n, s.headers[0][1].decode()) for n, s in enumerate(sink.on(DLQ))]
    # the re-sent {not json failed again: a new dead letter, still carrying the redrive header
    again = letter(20, "invalid_json", b"{not json", headers=[("trace", b"t-0"), (REDRIVE_HEADER, b"x")])
    found = DeadLetters.read([*LETTERS, *markers, again])

    plan = plan_redrive(found, None)
    assert plan.to_send == [] and (plan.already_redriven, plan.failed_again) == (4, 1)
    report = inspect(found, samples_per_reason=0)
    assert (report["redriven"], report["failed_again_after_redrive"], report["dead_letters"]) == (4, 1, 5)


def test_a_redrive_whose_sends_fail_says_so():
    sink = FakeSink(failing={DLQ})
    with pytest.raises(ProduceError, match="1 of 1 records not written"):
        redrive(sink, DLQ, INPUT, LETTERS[:1])
    assert sink.on(INPUT) == []  # not marked, so not re-sent
