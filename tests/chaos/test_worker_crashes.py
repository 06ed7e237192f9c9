"""A worker SIGKILLed at five seeded moments while 3,000 articles flow, restarted each time by its supervisor."""

from __future__ import annotations

import time

import pytest

from harness import CHAOS, Slot, Stream, article, audit, seeded
from waiting import wait_until

pytestmark = CHAOS

RECORDS = 3000


@pytest.mark.parametrize("guarantee", ["exactly-once", "at-least-once"])
def test_sigkill_at_five_seeded_moments_loses_nothing(guarantee, shared_bootstrap, model_dir, slots, tmp_path):
    rng = seeded(f"sigkill-{guarantee}")
    stream = Stream(shared_bootstrap, partitions=4).create()
    inputs = [article(n) for n in range(RECORDS)]
    slot = Slot("w0", {**stream.env, "NEWSFEED_MODEL_DIR": model_dir, "NEWSFEED_GUARANTEE": guarantee,
                       "NEWSFEED_WORKER_SLOT": "0", "NEWSFEED_BATCH_SIZE": "100"}, tmp_path)
    slots.append(slot.start())
    wait_until(slot.assigned, 60, "the worker's first assignment")
    started = time.monotonic()
    feeding = stream.push_steadily(inputs, per_second=120)  # about 25 s of input

    # The moments: a seeded delay after the worker (re)joined, while it works off what came meanwhile.
    delays = [round(rng.uniform(0.3, 2.5), 2) for _ in range(5)]
    for delay in delays:
        time.sleep(delay)
        slot.kill()
        wait_until(slot.assigned, 60, f"the restarted worker's assignment:\n{slot.tail()}")
    feeding.join(timeout=120)

    result = audit(f"sigkill x5 ({guarantee})", stream, guarantee, [key.decode() for key, _ in inputs], [],
                   crashes=slot.kills, started=started, notes={"kill_delays_s": delays})
    assert slot.kills == 5 and slot.exits == [-9] * 5  # every exit was one of ours: no crash of its own
    assert slot.stop() == 0
    # Kills that landed inside a transaction show as records in the topic that readers never see
    # (exactly once), or as duplicates (at least once); the summary reports both.
    assert result.output_written >= result.output_read
