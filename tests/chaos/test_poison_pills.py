"""Poison pills of every kind among good articles: each lands once in the dead-letter topic with its reason,
and the worker neither stalls nor crash-loops."""

from __future__ import annotations

import json
import time
import urllib.request
from collections import Counter

from harness import CHAOS, Slot, Stream, article, audit
from waiting import wait_until
from newsfeed.stream.codec import read_dead_letter
from newsfeed.stream.kafka_io.consumer import connect_reader
from newsfeed.stream.topics import read_records

pytestmark = CHAOS

MAX_INPUT_BYTES = 60_000
OUTPUT_MAX_BYTES = 50_000

# (reason, value): every way an input can fail to be an article, plus valid input whose enriched record is
# too large for the output topic. Keys are given below (pill-NN), except where the record has none.
PILLS: list[tuple[str, bytes | None]] = [
    ("invalid_utf8", b'{"id": "u1", "title": "caf\xe9"}'),
    ("invalid_utf8", b"\xff\xfe\xfd"),
    ("invalid_utf8", b'{"title": "\xed\xa0\x80 encoded surrogate"}'),
    ("invalid_json", b"{not json"),
    ("invalid_json", b""),  # an empty value
    ("invalid_json", b'{"title": "x", "text": NaN}'),
    ("invalid_json", b'{"title": "unterminated'),
    ("invalid_json", b'{"id": "n", "text": 1' + b"0" * 5000 + b"}"),  # an integer past Python's digit limit
    ("not_an_object", b"[1, 2, 3]"),
    ("not_an_object", b'"just a string"'),
    ("not_an_object", b"null"),
    ("not_an_object", b"42"),
    ("not_an_object", None),  # a tombstone
    ("no_text", b'{"id": "n1"}'),  # text missing
    ("no_text", b'{"id": "n2", "title": "", "text": "   ", "html": ""}'),  # empty values
    ("no_text", b'{"id": "n3", "title": null, "text": null, "html": null}'),  # null values
    # malformed fields are only warnings (schema 2.0), unless no text is left to classify
    ("no_text", b'{"id": 7, "title": ["a", "list"]}'),
    ("no_text", b'{"title": {"nested": "object"}, "text": 42}'),
    ("no_text", b'{"html": ["<p>a list</p>"], "published_at": "next tuesday"}'),
    ("no_text", b'{"title": true, "text": "   "}'),
    ("too_large", json.dumps({"id": "big", "text": "word " * 13_000}).encode()),
    ("too_large", b" " * (MAX_INPUT_BYTES + 1)),
    ("too_deep", b'{"title": "x", "deep": ' + b"[" * 100 + b"]" * 100 + b"}"),
    ("too_deep", b"[" * 50_000 + b"]" * 5000),  # past the parser's own recursion limit
    ("output_too_large", json.dumps({"id": "long", "title": "Long", "text": "satellite orbit " * 3300}).encode()),
]


def test_every_kind_of_poison_pill_lands_once_in_the_dead_letter_topic(shared_bootstrap, model_dir, slots,
                                                                        tmp_path):
    stream = Stream(shared_bootstrap, partitions=3).create(output_max_bytes=OUTPUT_MAX_BYTES)
    good = [article(n) for n in range(600)]
    pills = [(f"pill-{n:02d}".encode(), value) for n, (_, value) in enumerate(PILLS)]
    inputs = list(good)
    for position, pill in enumerate(pills):  # spread through the stream...
        inputs.insert(position * 20 + 7, pill)
    inputs.extend((key + b"-burst", value) for key, value in pills[:12])  # ...and a burst of nothing else
    bad_keys = [key for key, value in inputs if key.startswith(b"pill-")]
    reasons = {key: PILLS[int(key[5:7])][0] for key in bad_keys}

    slot = Slot("w0", {**stream.env, "NEWSFEED_MODEL_DIR": model_dir, "NEWSFEED_GUARANTEE": "exactly-once",
                       "NEWSFEED_WORKER_SLOT": "0", "NEWSFEED_BATCH_SIZE": "50",
                       "NEWSFEED_MAX_INPUT_BYTES": str(MAX_INPUT_BYTES)}, tmp_path)
    slots.append(slot.start())
    wait_until(slot.assigned, 60, "the worker's assignment")
    started = time.monotonic()
    stream.push(inputs)

    audit("poison pills of every kind (exactly-once)", stream, "exactly-once", [key.decode() for key, _ in good],
          bad_keys, started=started, notes={"kinds": sorted(Counter(r for r, _ in PILLS).items())})
    letters = _dead_letters(stream)
    assert {key: read_dead_letter(headers).reason for key, headers in letters} == reasons
    assert slot.exits == []  # never crashed, so never crash-looped
    address = slot.logged("http endpoint listening")[-1]["address"]
    with urllib.request.urlopen(f"http://{address}/livez", timeout=5) as response:  # never stalled
        assert response.status == 200
    assert slot.metric("newsfeed_records_consumed_total") == len(inputs)
    assert slot.stop() == 0


def _dead_letters(stream: Stream) -> list[tuple[bytes, list]]:
    settings = stream.settings
    reader = connect_reader(settings, settings.dead_letter_topic)
    try:
        return [(record.key, record.headers) for record in read_records(reader)]
    finally:
        reader.close()
