"""A model much slower than planned: a full batch of it would take 2.5 times max.poll.interval.ms. The
batch time budget keeps each batch within half of that interval, so the group never evicts the worker:
no rebalance, nothing redone, nothing lost or doubled. And a model that gets slower mid-stream: the next
batches shrink to what fits, with a log line."""

from __future__ import annotations

import time

from harness import CHAOS, STALLING_WORKER, Slot, Stream, article, audit
from waiting import wait_until

pytestmark = CHAOS

RECORDS = 800
BATCH_SIZE = 500
MAX_POLL_INTERVAL_MS = 5000
SLOW_MS = 25  # a full batch: 500 x 25 ms = 12.5 s, far past the 5 s max.poll.interval.ms


def slow_worker(stream: Stream, model_dir: str, tmp_path, **env: str) -> Slot:
    return Slot("slow", {**stream.env, "NEWSFEED_MODEL_DIR": model_dir, "NEWSFEED_GUARANTEE": "exactly-once",
                         "NEWSFEED_WORKER_SLOT": "slow", "NEWSFEED_BATCH_SIZE": str(BATCH_SIZE),
                         "NEWSFEED_MAX_POLL_INTERVAL_MS": str(MAX_POLL_INTERVAL_MS), **env}, tmp_path,
                command=STALLING_WORKER)


def no_rebalance(worker: Slot) -> bool:
    """One assignment (after the empty revocation every join starts with), never taken away."""
    changes = [entry["partitions"] for entry in worker.logged("assignment changed")]
    return [held for held in changes if held] == [changes[-1]] and len(changes[-1]) == 2


def test_a_slow_model_never_costs_the_group_a_rebalance_or_a_redone_batch(shared_bootstrap, model_dir, slots,
                                                                           tmp_path):
    stream = Stream(shared_bootstrap, partitions=2).create()
    inputs = [article(n) for n in range(RECORDS)]
    stream.push(inputs)  # a backlog: every poll could take a full batch
    worker = slow_worker(stream, model_dir, tmp_path, CHAOS_SLOW_MS_PER_ARTICLE=str(SLOW_MS))
    started = time.monotonic()
    slots.append(worker.start())
    wait_until(worker.assigned, 60, f"the worker's assignment:\n{worker.tail()}")
    # While the backlog is worked off, a scrape sees how late the output is: the oldest unprocessed
    # record was written before the worker started.
    ages = [f'newsfeed_consumer_lag_seconds{{partition="{p}"}}' for p in range(2)]
    wait_until(lambda: max(worker.metric(age) for age in ages) >= 3, 30, "a lag in seconds of 3 s or more")

    result = audit("slow model, 2.5x max.poll.interval a full batch (exactly-once)", stream, "exactly-once",
                   [key.decode() for key, _ in inputs], [], started=started, timeout_s=120)
    batches = [entry["records"] for entry in worker.logged("batch done")]
    limit = worker.metric("newsfeed_batch_limit_records")
    result.notes.update(batches=len(batches), largest_batch=max(batches), batch_limit=limit)
    wait_until(lambda: all(worker.metric(age) == 0 and worker.metric(age.replace("seconds", "records")) == 0
                           for age in ages), 10, "the lag, in seconds and records, back to 0 once caught up")
    fits = MAX_POLL_INTERVAL_MS / 2 / SLOW_MS  # 100 records in the budget, half of max.poll.interval.ms
    assert max(batches) <= fits and 0 < limit <= fits, result.notes
    assert no_rebalance(worker), worker.logged("assignment changed")
    assert not worker.logged("commit failed; the batch will be redone")
    assert result.output_written == result.output_read == RECORDS  # nothing aborted, nothing done twice
    assert worker.stop() == 0 and worker.exits == [0]


def test_a_model_that_gets_slower_mid_stream_shrinks_the_next_batches_with_a_log_line(shared_bootstrap, model_dir,
                                                                                       slots, tmp_path):
    """10 ms an article, then 18 ms after the 400th: batches grown to 80% of what fitted at 10 ms (about
    180) take about 3.4 s at 18 ms, within the 5 s max.poll.interval.ms but over the 2.5 s budget, so the
    next ones shrink to 80% of what fits, about 105, and stay there."""
    stream = Stream(shared_bootstrap, partitions=2).create()
    inputs = [article(n) for n in range(1200)]
    stream.push(inputs)
    worker = slow_worker(stream, model_dir, tmp_path, CHAOS_SLOW_MS_PER_ARTICLE="10", CHAOS_SLOWER_AFTER="400",
                         CHAOS_SLOWER_MS="18")
    started = time.monotonic()
    slots.append(worker.start())
    wait_until(worker.assigned, 60, f"the worker's assignment:\n{worker.tail()}")

    result = audit("a model 1.8x slower mid-stream (exactly-once)", stream, "exactly-once",
                   [key.decode() for key, _ in inputs], [], started=started, timeout_s=120)
    shrinks = worker.logged("a batch took too long for its time budget; next batches smaller")
    batches = [entry["records"] for entry in worker.logged("batch done")]
    result.notes.update(batches=batches, shrinks=[(s["was"], s["batch_limit"], s["seconds"]) for s in shrinks])
    assert len(shrinks) == 1 and shrinks[0]["batch_limit"] < shrinks[0]["was"], result.notes  # once, no flapping
    assert shrinks[-1]["batch_limit"] <= MAX_POLL_INTERVAL_MS / 2 / 18, result.notes  # what fits at 18 ms
    assert worker.metric("newsfeed_batch_limit_records") <= shrinks[-1]["batch_limit"] * 2
    assert no_rebalance(worker), worker.logged("assignment changed")
    assert not worker.logged("commit failed; the batch will be redone")
    assert result.output_written == result.output_read == len(inputs)  # nothing aborted, nothing done twice
