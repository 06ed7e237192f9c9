"""What exactly-once costs: the same news-length articles through a worker in each mode, in one run.

Every run starts with the input already in the topic, so the worker goes flat out from its first poll.
Two figures per run: wall-clock rate (first assignment to last batch) and processing rate (records over
the sum of newsfeed_batch_processing_seconds, which leaves out start-up and polling). This machine is
shared (two cores, other jobs), so single runs vary by tens of percent: the modes run in pairs, in
alternating order, three pairs at the default batch size (500) and two at a small one (50, where the
per-transaction overhead weighs more), and the figure is the median of the pairs' ratios. Each run ends
with the usual audit.
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import datetime

from harness import CHAOS, THROUGHPUT, Slot, Stream, audit, wait_until
from topic_fixtures import ROOT, SENTENCES

pytestmark = CHAOS

RECORDS = 2000
PAIRS = ((500, False), (500, True), (500, False), (50, True), (50, False))  # (batch size, EOS first)


def news_article(n: int) -> tuple[bytes, bytes]:
    """About 2 KB of text: a dozen sentences, as a wire story of a few paragraphs."""
    article_id = f"t-{n:05d}"
    paragraphs = [" ".join(SENTENCES[(n + k + j) % len(SENTENCES)] for j in range(3)) for k in range(4)]
    fields = {"id": article_id, "title": f"Story {n}: {SENTENCES[n % len(SENTENCES)][:60]}",
              "text": "\n\n".join(paragraphs) + f" Report {n}.", "source": "wire"}
    return article_id.encode(), json.dumps(fields).encode()


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def run(shared_bootstrap: str, model_dir: str, tmp_path, guarantee: str, batch_size: int) -> dict:
    stream = Stream(shared_bootstrap, partitions=4).create()
    inputs = [news_article(n) for n in range(RECORDS)]
    stream.push(inputs)
    slot = Slot(f"{guarantee}-{batch_size}", {**stream.env, "NEWSFEED_MODEL_DIR": model_dir,
                                              "NEWSFEED_GUARANTEE": guarantee, "NEWSFEED_WORKER_SLOT": "0",
                                              "NEWSFEED_BATCH_SIZE": str(batch_size)}, tmp_path)
    slot.start()
    try:
        wait_until(lambda: sum(e["records"] for e in slot.logged("batch done")) >= RECORDS, 180,
                   f"{guarantee} to get through {RECORDS} records")
        busy = slot.metric("newsfeed_batch_processing_seconds_sum")
        started = min(_seconds(e["time"]) for e in slot.logged("assignment changed") if e["partitions"])
        finished = _seconds(slot.logged("batch done")[-1]["time"])
        audit(f"throughput, batch {batch_size} ({guarantee})", stream, guarantee,
              [key.decode() for key, _ in inputs], [])
    finally:
        slot.stop()
    return {"guarantee": guarantee, "batch_size": batch_size, "records": RECORDS,
            "wall_records_per_s": round(RECORDS / (finished - started)), "busy_records_per_s": round(RECORDS / busy)}


def test_exactly_once_cost_against_at_least_once_in_the_same_run(shared_bootstrap, model_dir, tmp_path):
    runs, ratios = [], {500: [], 50: []}
    for batch_size, eos_first in PAIRS:
        order = ("exactly-once", "at-least-once") if eos_first else ("at-least-once", "exactly-once")
        pair = {guarantee: run(shared_bootstrap, model_dir, tmp_path, guarantee, batch_size) for guarantee in order}
        runs.extend(pair.values())
        eos, alo = pair["exactly-once"], pair["at-least-once"]
        ratios[batch_size].append(eos["busy_records_per_s"] / alo["busy_records_per_s"])
    summary = {batch_size: {"median_exactly_once_to_at_least_once": round(statistics.median(values), 3),
                            "ratios": [round(value, 3) for value in values]} for batch_size, values in ratios.items()}
    THROUGHPUT.extend(runs)
    THROUGHPUT.append({"summary": summary})
    report = ROOT / "var" / "chaos" / "throughput.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps({"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "runs": runs,
                                  "summary": summary}, indent=2) + "\n")
    for batch_size, values in ratios.items():
        # a sanity bound, not the finding: exactly-once must not be a different order of magnitude
        assert statistics.median(values) > 0.3, summary
