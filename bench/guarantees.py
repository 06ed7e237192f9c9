"""`python -m bench.guarantees`: what exactly-once costs against at-least-once, measured in one run.

The same news-length articles go through one worker in each mode. Every run starts with the input
already in the topic, so the worker goes flat out from its first poll. Two figures per run: the
wall-clock rate (readiness to the last batch) and the processing rate (records over the sum of
newsfeed_batch_processing_seconds, which leaves out start-up and polling). On a shared machine single
runs vary by tens of percent, so the modes run in pairs, in alternating order, three pairs at the
default batch size (500) and two at a small one (50, where the per-transaction overhead weighs
more); the figure is the median of the pairs' ratios. It prints a table and writes
var/bench/guarantees.json. Uses the broker at NEWSFEED_BOOTSTRAP_SERVERS (default 127.0.0.1:9092).

This was tests/chaos/test_throughput.py: a measurement with a sanity bound is no test, so it runs on
demand and prints its figures instead of passing or failing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.broker import Run, create_topics, delete_topics, preload, unique_prefix
from bench.workers import ROOT, Workers
from newsfeed.stream.kafka_io.admin import connect_admin
from newsfeed.stream.settings import KafkaConnection

PAIRS = ((500, False), (500, True), (500, False), (50, True), (50, False))  # (batch size, exactly-once first)
SENTENCES = (
    "The launch window opens at dawn and the crew completed its final checks overnight.",
    "Negotiators from both delegations met again on Tuesday to discuss the ceasefire terms.",
    "The ministry said the new satellite would improve weather forecasts across the region.",
    "Officials confirmed that the summit would take place in the capital next month.",
    "Troops were moved closer to the border after the talks stalled, analysts said.",
    "The agency published images taken by the probe as it passed the moon.",
)


def news_article(n: int) -> bytes:
    """About 2 KB of text: a dozen sentences, as a wire story of a few paragraphs."""
    paragraphs = [" ".join(SENTENCES[(n + k + j) % len(SENTENCES)] for j in range(3)) for k in range(4)]
    return json.dumps({"id": f"t-{n:05d}", "title": f"Story {n}: {SENTENCES[n % len(SENTENCES)][:60]}",
                       "text": "\n\n".join(paragraphs) + f" Report {n}.", "source": "wire"}).encode()


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _metric(address: str, name: str) -> float:
    with urllib.request.urlopen(f"http://{address}/metrics", timeout=5) as response:
        text = response.read().decode()
    found = re.search(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def measure(bootstrap: str, input_topic: str, records: int, guarantee: str, batch_size: int, logs: Path,
            created: list[str], groups: list[str]) -> dict[str, Any]:
    run = Run.new(bootstrap, input_topic, f"{guarantee}-{batch_size}-{len(groups)}")
    create_topics(run)
    created.extend(run.topics)
    groups.append(run.group)
    env = {**run.env, "NEWSFEED_GUARANTEE": guarantee, "NEWSFEED_WORKER_SLOT": "0",
           "NEWSFEED_BATCH_SIZE": str(batch_size)}
    workers = Workers(env, logs, run.name.rsplit(".", 1)[-1])
    try:
        ready = workers.wait_ready()
        deadline = time.monotonic() + 600
        while sum(e.get("records", 0) for e in workers.logs() if e.get("message") == "batch done") < records:
            if not workers.alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{guarantee} did not get through {records} records:\n{workers.tail()}")
            time.sleep(0.2)
        busy = _metric(workers.addresses[0], "newsfeed_batch_processing_seconds_sum")
        finished = _seconds([e for e in workers.logs() if e.get("message") == "batch done"][-1]["time"])
    finally:
        workers.stop()
    return {"guarantee": guarantee, "batch_size": batch_size, "records": records,
            "wall_records_per_s": round(records / (finished - ready)), "busy_records_per_s": round(records / busy)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.guarantees", description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=2000, help="articles each run reads (default 2000)")
    parser.add_argument("--pairs", type=int, default=len(PAIRS),
                        help=f"how many of the {len(PAIRS)} pairs of runs to make (default all)")
    args = parser.parse_args(argv)
    if args.records <= 0 or not 1 <= args.pairs <= len(PAIRS):
        parser.error(f"--records must be positive and --pairs between 1 and {len(PAIRS)}")
    bootstrap = os.environ.get("NEWSFEED_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    input_topic = f"{unique_prefix()}.raw"
    created, groups = [input_topic], []
    admin = connect_admin(KafkaConnection.from_env({"NEWSFEED_BOOTSTRAP_SERVERS": bootstrap}))
    try:
        admin.create_topic(input_topic, Run.partitions, {})  # the broker creates no topic on first use
    finally:
        admin.close()
    preload(bootstrap, input_topic, [news_article(n) for n in range(args.records)])
    runs, ratios = [], {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-guarantees-") as logs:
            for batch_size, eos_first in PAIRS[:args.pairs]:
                order = ("exactly-once", "at-least-once") if eos_first else ("at-least-once", "exactly-once")
                pair = {g: measure(bootstrap, input_topic, args.records, g, batch_size, Path(logs), created, groups)
                        for g in order}
                runs.extend(pair.values())
                ratios.setdefault(batch_size, []).append(
                    pair["exactly-once"]["busy_records_per_s"] / pair["at-least-once"]["busy_records_per_s"])
    finally:
        delete_topics(bootstrap, created, groups)
    summary = {size: {"median_exactly_once_to_at_least_once": round(statistics.median(values), 3),
                      "ratios": [round(value, 3) for value in values]} for size, values in ratios.items()}
    for run in runs:
        print(f"{run['guarantee']:13} batch {run['batch_size']:3}: {run['wall_records_per_s']:5} records/s wall clock, "
              f"{run['busy_records_per_s']:5} records/s processing")
    for size, figures in summary.items():
        print(f"batch {size}: exactly-once / at-least-once = {figures['median_exactly_once_to_at_least_once']} "
              f"(median of {figures['ratios']})")
    out = ROOT / "var" / "bench" / "guarantees.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "runs": runs,
                               "summary": summary}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
