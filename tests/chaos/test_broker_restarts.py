"""The broker dies (kill -9) or is restarted cleanly mid-stream; the worker rides it out or restarts, and the
audit still finds every input once. These tests use the chaos suite's private broker, never the shared one."""

from __future__ import annotations

import time

import pytest

from harness import CHAOS, STALLING_WORKER, Slot, Stream, article, audit, seeded
from waiting import wait_until

pytestmark = CHAOS

RECORDS = 1500


def start_worker(stream: Stream, guarantee: str, model_dir: str, slots: list, tmp_path) -> Slot:
    slot = Slot("w0", {**stream.env, "NEWSFEED_MODEL_DIR": model_dir, "NEWSFEED_GUARANTEE": guarantee,
                       "NEWSFEED_WORKER_SLOT": "0", "NEWSFEED_BATCH_SIZE": "100"}, tmp_path)
    slots.append(slot.start())
    wait_until(slot.assigned, 60, "the worker's first assignment")
    return slot


def failures(slot: Slot) -> list[str]:
    """The error types of the runs that gave up, from their last log line ('worker failed: ...')."""
    return [entry.get("error_type", "?") for entry in slot.logs()
            if entry.get("message", "").startswith("worker failed")]


@pytest.mark.parametrize("hard, guarantee", [(True, "exactly-once"), (True, "at-least-once"),
                                             (False, "exactly-once")],
                         ids=["kill-9-exactly-once", "kill-9-at-least-once", "clean-restart-exactly-once"])
def test_broker_restart_mid_stream_loses_nothing(hard, guarantee, private_broker, model_dir, slots, tmp_path):
    rng = seeded(f"broker-{hard}-{guarantee}")
    stream = Stream(private_broker.bootstrap, partitions=4).create()
    inputs = [article(n) for n in range(RECORDS)]
    slot = start_worker(stream, guarantee, model_dir, slots, tmp_path)
    started = time.monotonic()
    feeding = stream.push_steadily(inputs, per_second=150)  # about 10 s of input

    moment = round(rng.uniform(2.0, 5.0), 2)
    time.sleep(moment)
    written_before = stream.output_offsets()
    private_broker.restart(hard=hard)
    feeding.join(timeout=180)
    assert not feeding.is_alive(), "the input producer did not get through the outage"

    audit(f"broker {'kill -9' if hard else 'clean restart'} ({guarantee})", stream, guarantee,
          [key.decode() for key, _ in inputs], [], crashes=sum(1 for status in slot.exits if status != 0),
          broker_restarts=1, started=started, timeout_s=180,
          notes={"moment_s": moment, "written_before_restart": written_before,
                 "worker_exits": list(slot.exits), "worker_failures": failures(slot)})
    assert 0 < written_before < stream.output_offsets()  # the outage came mid-stream
    assert all(status == 1 for status in slot.exits), slot.exits  # any run that gave up said why and exited 1
    assert slot.stop() == 0


def test_a_long_outage_mid_batch_ends_in_logged_restarts_not_a_hang(private_broker, model_dir, slots, tmp_path):
    """The broker is killed while the worker holds a batch (stalled 2 s in classification, so the moment is
    certain) and stays down 20 s. Its flush and its abort each give up after NEWSFEED_TRANSACTION_TIMEOUT_MS
    (5 s here) instead of waiting forever; the worker logs why and exits 1, its supervisor restarts it until
    the broker is back, and the audit still finds every input exactly once."""
    guarantee = "exactly-once"
    stream = Stream(private_broker.bootstrap, partitions=4).create()
    inputs = [article(n) for n in range(RECORDS)]
    inputs[RECORDS // 3] = (b"stall-1", inputs[RECORDS // 3][1].replace(b"c-%05d" % (RECORDS // 3), b"stall-1"))
    slot = Slot("w0", {**stream.env, "NEWSFEED_MODEL_DIR": model_dir, "NEWSFEED_GUARANTEE": guarantee,
                       "NEWSFEED_WORKER_SLOT": "0", "NEWSFEED_BATCH_SIZE": "100",
                       "NEWSFEED_TRANSACTION_TIMEOUT_MS": "5000", "CHAOS_STALL_SECONDS": "2",
                       "CHAOS_STALL_MARKER": str(tmp_path / "stalled")},
                tmp_path, command=STALLING_WORKER)
    slots.append(slot.start())
    wait_until(slot.assigned, 60, "the worker's first assignment")
    started = time.monotonic()
    feeding = stream.push_steadily(inputs, per_second=300)
    wait_until(lambda: any(e.get("message") == "stalling" for e in slot.logs()), 60, "the worker to stall")
    private_broker.kill()
    down_at = time.monotonic()
    wait_until(lambda: slot.exits, 60, "the worker to give up on the dead broker")
    gave_up_after = round(time.monotonic() - down_at, 1)
    time.sleep(max(0.0, 20 - (time.monotonic() - down_at)))
    private_broker.start()
    feeding.join(timeout=180)
    assert not feeding.is_alive(), "the input producer did not get through the outage"

    audit("broker down 20 s mid-batch (exactly-once)", stream, guarantee,
          [key.decode() for key, _ in inputs], [], crashes=len([s for s in slot.exits if s != 0]),
          broker_restarts=1, started=started, timeout_s=180,
          notes={"gave_up_after_s": gave_up_after, "worker_exits": list(slot.exits),
                 "worker_failures": failures(slot)})
    assert gave_up_after < 25, gave_up_after  # flush 5 s + abort 5 s + closing, not a silent hang
    assert slot.exits and all(status == 1 for status in slot.exits), slot.exits
    assert failures(slot)[0] in ("TransactionTimeoutError", "TransactionError", "ProduceError"), failures(slot)
    assert slot.stop() == 0
