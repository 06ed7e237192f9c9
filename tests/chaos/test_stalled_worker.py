"""A worker stalls mid-batch past max.poll.interval.ms: the group takes its partitions away, another worker
redoes the batch, and the stalled one, when it wakes, has its offsets refused and carries on."""

from __future__ import annotations

import time

import pytest

from harness import CHAOS, STALLING_WORKER, Slot, Stream, article, audit, output_ids
from waiting import wait_until

pytestmark = CHAOS

RECORDS = 1200
MAX_POLL_INTERVAL_MS = 5000
STALL_S = 9  # past max.poll.interval.ms, within the transaction timeout


@pytest.mark.parametrize("guarantee", ["exactly-once", "at-least-once"])
def test_a_stalled_worker_loses_its_partitions_and_its_batch_is_redone_once(guarantee, shared_bootstrap, model_dir,
                                                                             slots, tmp_path):
    stream = Stream(shared_bootstrap, partitions=4).create()
    inputs = [article(n) for n in range(RECORDS)]
    stall_at = RECORDS // 2
    inputs[stall_at] = (b"stall-1", inputs[stall_at][1].replace(b"c-%05d" % stall_at, b"stall-1"))
    env = {**stream.env, "NEWSFEED_MODEL_DIR": model_dir, "NEWSFEED_GUARANTEE": guarantee,
           "NEWSFEED_BATCH_SIZE": "100", "NEWSFEED_MAX_POLL_INTERVAL_MS": str(MAX_POLL_INTERVAL_MS),
           "NEWSFEED_TRANSACTION_TIMEOUT_MS": "30000", "CHAOS_STALL_SECONDS": str(STALL_S),
           "CHAOS_STALL_MARKER": str(tmp_path / "stalled")}
    workers = [Slot(name, {**env, "NEWSFEED_WORKER_SLOT": name}, tmp_path, command=STALLING_WORKER)
               for name in ("a", "b")]
    for worker in workers:  # one after the other: see test_group_changes for joins at the same moment
        slots.append(worker.start())
        wait_until(worker.assigned, 60, f"worker {worker.name} to hold partitions:\n{worker.tail()}")
    wait_until(lambda: all(worker.assigned() for worker in workers), 60, "both workers to hold partitions")
    started = time.monotonic()
    feeding = stream.push_steadily(inputs, per_second=200)

    stalled = wait_until(lambda: [w for w in workers if w.logged("stalling")], 60, "a worker to stall")[0]
    other = next(worker for worker in workers if worker is not stalled)
    batch = stalled.logged("stalling")[0]["ids"]
    wait_until(lambda: stalled.logged("commit failed; the batch will be redone"), 60,
               "the stalled worker to find its offsets refused")
    feeding.join(timeout=120)

    result = audit(f"stalled past max.poll.interval.ms ({guarantee})", stream, guarantee,
                   [key.decode() for key, _ in inputs], [], crashes=0, started=started,
                   notes={"stalled_batch": len(batch), "stall_s": STALL_S})
    # the group took the stalled worker's partitions away while it slept, and gave them back after
    revoked = [e for e in stalled.logged("assignment changed") if not e["partitions"]]
    assert revoked and other.logged("assignment changed")[-1]["partitions"]
    assert all(worker.exits == [] for worker in workers)  # nobody crashed: the stalled one carried on
    written = output_ids(stream, "read_uncommitted")  # everything in the topic, aborted records included
    assert all(written[article_id] == 2 for article_id in batch)  # done by the stalled worker, redone once
    if guarantee == "exactly-once":
        assert result.duplicates == 0  # the stalled worker's copy was aborted: readers see one
    else:
        read = output_ids(stream, "read_committed")
        assert {article_id for article_id, count in read.items() if count > 1} == set(batch)
        assert result.duplicates == len(batch)  # exactly the stalled batch, once more
