"""Workers as real processes on the real broker: every input comes out enriched or dead-lettered, once."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter

import pytest

from newsfeed.models.schema import derive_id
from newsfeed.stream.codec import read_dead_letter
from broker_helpers import DEAD_LETTER_SCHEMA, assert_enriched_record, count_records, drain
from topic_fixtures import SENTENCES, send_all
from waiting import wait_until

pytestmark = pytest.mark.integration

def article(n: int) -> tuple[str, bytes]:
    """A valid article: most with an id, some with only a url, some with html instead of text."""
    body = f"{SENTENCES[n % len(SENTENCES)]} Report number {n} from the correspondent."
    if n % 25 == 0:
        fields = {"url": f"https://example.org/story/{n}", "title": f"Story {n}", "text": body}
        return derive_id(fields), json.dumps(fields).encode()
    if n % 7 == 0:
        fields = {"id": f"a-{n:04d}", "title": f"Story {n}", "html": f"<p>{body}</p><footer>&copy; Example</footer>"}
    else:
        fields = {"id": f"a-{n:04d}", "title": f"Story {n}", "text": body, "source": "wire", "feed_rank": n}
    return fields["id"], json.dumps(fields).encode()


MAX_INPUT_BYTES = 60_000
OUTPUT_MAX_BYTES = 50_000
MALFORMED: list[tuple[str, bytes]] = [
    ("invalid_utf8", b'{"title": "caf\xe9"}'),
    ("invalid_utf8", b"\xff\xfe\x00{"),
    ("invalid_utf8", b'{"id": "u3", "title": "\xc3\x28"}'),
    ("invalid_json", b"{not json"),
    ("invalid_json", b""),
    ("invalid_json", b'{"title": NaN}'),
    ("not_an_object", b"[1, 2, 3]"),
    ("not_an_object", b'"a string"'),
    ("not_an_object", b"null"),
    ("no_text", b'{"id": "n1"}'),
    ("no_text", b'{"id": "n2", "title": "", "text": "  "}'),
    ("no_text", b'{"html": ""}'),
    # malformed fields are warnings (test_messy_metadata_...), unless no text is left to classify
    ("no_text", b'{"id": 5, "title": ["a", "list"]}'),
    ("no_text", b'{"title": {"text": "nested"}, "published_at": "soon"}'),
    ("no_text", b'{"html": 7, "text": ""}'),
    ("too_large", json.dumps({"id": "big1", "text": "word " * 14_000}).encode()),
    ("too_large", b" " * (MAX_INPUT_BYTES + 1)),
    ("too_deep", b'{"title": "x", "nested": ' + b"[" * 100 + b"]" * 100 + b"}"),
    ("too_deep", b"[" * 5000 + b"]" * 5000),
    # valid input, but its enriched record is over the output topic's 50 000 bytes
    ("output_too_large", json.dumps({"id": "long1", "title": "Long", "text": "satellite orbit " * 3300}).encode()),
]


def test_500_articles_with_20_malformed_through_a_worker(topics, start_worker):
    topics.create(partitions=3, output_max_bytes=OUTPUT_MAX_BYTES)
    settings = topics.settings
    valid = [article(n) for n in range(480)]
    inputs = [(article_id.encode(), value) for article_id, value in valid]
    for position, (_, value) in enumerate(MALFORMED):  # spread the bad ones through the stream
        inputs.insert(position * 25 + 3, (f"bad-{position}".encode(), value))
    send_all(settings, settings.input_topic, inputs)

    worker = start_worker(NEWSFEED_MAX_INPUT_BYTES=str(MAX_INPUT_BYTES), NEWSFEED_BATCH_SIZE="100")
    enriched = drain(settings, settings.output_topic, expected=480)
    letters = drain(settings, settings.dead_letter_topic, expected=20)

    records = [json.loads(r.value) for r in enriched]
    assert sorted(r["id"] for r in records) == sorted(article_id for article_id, _ in valid)  # each id once
    for message, record in zip(enriched, records):
        assert_enriched_record(record, settings.input_topic)
        assert message.key == record["id"].encode()

    assert Counter(read_dead_letter(r.headers).reason for r in letters) == Counter(reason for reason, _ in MALFORMED)
    by_key = {letter.key: read_dead_letter(letter.headers).reason for letter in letters}
    assert by_key == {f"bad-{position}".encode(): reason for position, (reason, _) in enumerate(MALFORMED)}
    read_back = {(r.partition, r.offset): (r.key, r.value) for r in drain(settings, settings.input_topic, 500)}
    for letter in letters:  # original key and value bytes unchanged, and the headers point at them
        info = read_dead_letter(letter.headers)
        headers = {name: value.decode("utf-8", "replace") for name, value in letter.headers}
        assert not list(DEAD_LETTER_SCHEMA.iter_errors(headers)), headers
        assert info.topic == settings.input_topic and info.message
        assert read_back[(info.partition, info.offset)] == (letter.key, letter.value)

    # the metrics tell the same story
    assert worker.metric("newsfeed_records_consumed_total") == 500
    assert worker.metric("newsfeed_records_produced_total") == 480
    for reason, count in Counter(reason for reason, _ in MALFORMED).items():
        assert worker.metric("newsfeed_records_dead_lettered_total", reason=reason) == count
    statuses = sum(worker.metric("newsfeed_enrichments_total", status=s) for s in ("ok", "too_short",
                                                                                   "unsupported_language"))
    assert statuses == 480
    version = records[0]["model"]["version"]
    assert worker.metric("newsfeed_model_info", version=version, sha256=records[0]["model"]["sha256"]) == 1
    assert worker.metric("newsfeed_batch_processing_seconds_count") >= 5
    assert worker.stop() == 0


BODY = "The foreign ministers of France and Germany met in Berlin for talks on the ceasefire and new sanctions."
MESSY: list[tuple[bytes, list[tuple[str, str]]]] = [  # value, and the (field, kind) warnings its record must carry
    (json.dumps({"id": "m-date", "text": BODY, "published_at": "yesterday-ish"}).encode(),
     [("published_at", "not_a_timestamp")]),
    (json.dumps({"id": "m-types", "title": BODY, "text": {"html": "<p>x</p>"}, "source": ["wire", "agency"],
                 "url": 12, "language": False}).encode(),
     [("url", "not_a_string"), ("text", "not_a_string"), ("source", "not_a_string"), ("language", "not_a_string")]),
    (json.dumps({"id": 1234, "url": "https://example.org/numbered", "text": BODY}).encode(), [("id", "not_a_string")]),
    (b"\xef\xbb\xbf" + json.dumps({"id": "m-bom", "text": BODY, "published_at": "2026-12-01"}).encode(), []),
]


def test_messy_metadata_is_enriched_with_warnings_and_counted(topics, start_worker):
    """Lenient with metadata: each record is classified, keeps its fields as they came, names what was
    ignored; the warnings are counted per field and kind."""
    topics.create(partitions=1)
    settings = topics.settings
    send_all(settings, settings.input_topic, [(f"messy-{n}".encode(), value) for n, (value, _) in enumerate(MESSY)])
    worker = start_worker()
    records = {message.key: json.loads(message.value)
               for message in drain(settings, settings.output_topic, expected=len(MESSY))}
    assert count_records(settings, settings.dead_letter_topic) == 0
    for n, (value, expected) in enumerate(MESSY):
        record = records[derive_id({"url": "https://example.org/numbered"}).encode() if n == 2
                         else json.loads(value.removeprefix(b"\xef\xbb\xbf"))["id"].encode()]
        assert_enriched_record(record, settings.input_topic)
        assert [(w["field"], w["kind"]) for w in record["warnings"]] == expected
        assert record["status"] == "ok" and "diplomacy" in record["topics"]
    assert records[b"m-date"]["published_at"] == "yesterday-ish"
    types = records[b"m-types"]
    assert (types["text"], types["source"], types["url"]) == ({"html": "<p>x</p>"}, ["wire", "agency"], 12)
    assert "got number 1234" in records[derive_id({"url": "https://example.org/numbered"}).encode()][
        "warnings"][0]["message"]
    counted = Counter(pair for _, expected in MESSY for pair in expected)
    for (field, kind), count in counted.items():
        assert worker.metric("newsfeed_record_warnings_total", field=field, kind=kind) == count
    assert worker.metric("newsfeed_record_warnings_total", field="title", kind="not_a_string") == 0
    assert worker.stop() == 0


def test_sigterm_halfway_then_restart_finds_every_record(topics, start_worker):
    topics.create(partitions=2)
    settings = topics.settings
    valid = [article(n) for n in range(600)]
    producing = threading.Thread(target=_send_steadily, args=(settings, valid), daemon=True)
    first = start_worker(NEWSFEED_BATCH_SIZE="20")
    first.wait_ready()
    producing.start()
    wait_until(lambda: count_records(settings, settings.output_topic) >= 150, timeout_s=60)
    stopping = time.monotonic()
    assert first.stop() == 0
    assert time.monotonic() - stopping < 10
    assert any(e["message"].startswith("stop requested") for e in first.logs())
    assert first.logs()[-1]["message"] == "worker stopped"
    written_before_restart = count_records(settings, settings.output_topic)
    assert written_before_restart < 600  # it really stopped halfway

    second = start_worker(NEWSFEED_BATCH_SIZE="20")
    producing.join(timeout=60)
    enriched = drain(settings, settings.output_topic, expected=600)
    ids = [json.loads(r.value)["id"] for r in enriched]
    assert set(ids) == {article_id for article_id, _ in valid}
    # a clean stop commits what it wrote, so the restart redoes nothing
    assert len(ids) == 600, Counter(ids).most_common(3)
    assert count_records(settings, settings.dead_letter_topic) == 0
    assert second.stop() == 0


def test_two_workers_share_a_four_partition_topic(topics, start_worker):
    settings = topics.settings
    # both create the missing topics at start-up; whichever comes second finds them there
    workers = [start_worker(NEWSFEED_CREATE_TOPICS="true", NEWSFEED_PARTITIONS="4") for _ in range(2)]
    bodies = [worker.wait_ready() for worker in workers]
    wait_until(lambda: sum(w.metric("newsfeed_assigned_partitions") for w in workers) == 4, timeout_s=30)
    assert all(w.metric("newsfeed_assigned_partitions") >= 1 for w in workers), bodies

    valid = [article(n) for n in range(400)]
    send_all(settings, settings.input_topic, [(article_id.encode(), value) for article_id, value in valid])
    enriched = drain(settings, settings.output_topic, expected=400)
    assert sorted(json.loads(r.value)["id"] for r in enriched) == sorted(article_id for article_id, _ in valid)
    consumed = [w.metric("newsfeed_records_consumed_total") for w in workers]
    assert all(count > 0 for count in consumed) and sum(consumed) == 400, consumed
    assert [w.stop() for w in workers] == [0, 0]


def _send_steadily(settings, articles, per_batch: int = 25, pause_s: float = 0.1) -> None:
    for start in range(0, len(articles), per_batch):
        chunk = articles[start:start + per_batch]
        send_all(settings, settings.input_topic, [(article_id.encode(), value) for article_id, value in chunk])
        time.sleep(pause_s)
