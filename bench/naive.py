"""The naive baseline, as most tutorials write a Kafka classifier: poll one record, classify it, produce
it, flush, and go round again (offsets auto-committed in the background).

It uses the project's own decoder, classifier, encoder and producer settings, so the only difference
from the worker is that it does everything one record at a time. Run as a child process by the bench:

    python -m bench.naive BOOTSTRAP INPUT OUTPUT GROUP SECONDS
"""

from __future__ import annotations

import json
import os
import sys
import time

from newsfeed.stream import kafka_io  # noqa: F401 (imports kafka-python with its import-time warnings filtered)
from kafka import KafkaConsumer

from newsfeed.stream.app import default_classify, load_model
from newsfeed.stream.batch import Enriched, decode_all, enrich_batch
from newsfeed.stream.kafka_io.producer import connect_sink
from newsfeed.stream.settings import Settings


def run(bootstrap: str, input_topic: str, output_topic: str, group: str, seconds: float) -> dict:
    settings = Settings.from_env({**os.environ, "NEWSFEED_BOOTSTRAP_SERVERS": bootstrap})
    model, classify = load_model(settings.model_dir), default_classify()
    consumer = KafkaConsumer(input_topic, bootstrap_servers=bootstrap, group_id=group,
                             auto_offset_reset="earliest", max_poll_records=1)
    sink = connect_sink(settings, {})
    done, started, cpu_started = 0, None, 0.0
    try:
        while started is None or time.perf_counter() - started < seconds:
            for records in consumer.poll(timeout_ms=1000, max_records=1).values():
                for record in records:
                    if started is None:
                        started, cpu_started = time.perf_counter(), time.process_time()
                    (outcome,) = enrich_batch(decode_all([record.value], settings.limits), model, classify)
                    if isinstance(outcome, Enriched):
                        sink.send(output_topic, outcome.article.id.encode(), outcome.value)
                    sink.flush()
                    done += 1
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    finally:
        consumer.close()
        sink.close()
    return {"articles": done, "seconds": round(elapsed, 2), "articles_per_s": round(done / elapsed, 1),
            "cpu_ms_per_article": round(1000 * cpu / done, 3)}


if __name__ == "__main__":
    bootstrap, input_topic, output_topic, group, seconds = sys.argv[1:6]
    print(json.dumps(run(bootstrap, input_topic, output_topic, group, float(seconds))))
