"""Workers join, crash and leave a group over six partitions while records flow; a zombie is fenced."""

from __future__ import annotations

import time

from harness import CHAOS, STALLING_WORKER, Slot, Stream, article, audit, seeded
from waiting import wait_until

pytestmark = CHAOS


def worker_env(stream: Stream, model_dir: str, slot: str, **extra: str) -> dict[str, str]:
    return {**stream.env, "NEWSFEED_MODEL_DIR": model_dir, "NEWSFEED_GUARANTEE": "exactly-once",
            "NEWSFEED_WORKER_SLOT": slot, "NEWSFEED_BATCH_SIZE": "100", **extra}


def test_a_worker_added_one_crashed_and_one_removed_mid_stream(shared_bootstrap, model_dir, slots, tmp_path):
    rng = seeded("group-changes")
    stream = Stream(shared_bootstrap, partitions=6).create()
    inputs = [article(n) for n in range(3000)]
    first = Slot("a", worker_env(stream, model_dir, "a"), tmp_path, restart=False)
    slots.append(first.start())
    wait_until(first.assigned, 60, "the first worker's assignment")
    started = time.monotonic()
    feeding = stream.push_steadily(inputs, per_second=150)  # about 20 s of input

    marks = sorted(rng.sample(range(300, 2700), 3))
    wait_until(lambda: stream.output_offsets() >= marks[0], 120, "progress before the second worker joins")
    second = Slot("b", worker_env(stream, model_dir, "b"), tmp_path)
    slots.append(second.start())
    wait_until(second.assigned, 60, "the second worker's share of the partitions")

    wait_until(lambda: stream.output_offsets() >= marks[1], 120, "progress before the first worker crashes")
    first.kill()  # SIGKILL and no restart: a lost machine; its partitions move after the session timeout
    third = Slot("c", worker_env(stream, model_dir, "c"), tmp_path)
    slots.append(third.start())
    wait_until(third.assigned, 60, "the third worker's share of the partitions")

    wait_until(lambda: stream.output_offsets() >= marks[2], 120, "progress before the second worker leaves")
    # Removed: SIGTERM, finishes its batch and exits. A static member (it has a slot) sends no LeaveGroup:
    # its partitions move once its session times out (6 s here).
    assert second.stop() == 0
    wait_until(lambda: len(third.logged("assignment changed")[-1]["partitions"]) == 6, 60,
               "the last worker to hold all six partitions")
    feeding.join(timeout=120)

    audit("group: add, crash, remove over 6 partitions (exactly-once)", stream, "exactly-once",
          [key.decode() for key, _ in inputs], [], crashes=first.kills, started=started, timeout_s=120,
          notes={"marks": marks})
    assert first.exits == [-9] and second.exits == [0] and third.exits == []


def test_a_zombie_frozen_mid_transaction_is_fenced_by_its_successor(shared_bootstrap, model_dir, slots, tmp_path):
    """Kafka's own zombie scenario: a worker stops responding while it holds an open transaction (frozen with
    SIGSTOP just before a commit, its batch sent and acknowledged), its supervisor starts a successor in the
    same slot (same transactional id), and then the old one wakes up. The successor's start fences it and
    aborts its transaction; the zombie's commit fails, and it stops with the reason in its log. The output
    holds every input exactly once."""
    stream = Stream(shared_bootstrap, partitions=4).create()
    inputs = [article(n) for n in range(1500)]
    zombie = Slot("zombie", worker_env(stream, model_dir, "0", CHAOS_FREEZE_AT_COMMIT="5",
                                       CHAOS_STALL_MARKER=str(tmp_path / "frozen")),
                  tmp_path, restart=False, command=STALLING_WORKER)
    slots.append(zombie.start())
    wait_until(zombie.assigned, 60, "the first worker's assignment")
    started = time.monotonic()
    feeding = stream.push_steadily(inputs, per_second=200)
    wait_until(lambda: zombie.logged("freezing mid-transaction"), 60, "the worker to freeze before a commit")
    wait_until(lambda: zombie.stopped(), 10, "the worker's process to be stopped")
    assert stream.open_transactions()  # frozen with its transaction open
    frozen_at = stream.output_offsets()

    successor = Slot("successor", worker_env(stream, model_dir, "0"), tmp_path)
    slots.append(successor.start())
    wait_until(successor.assigned, 60, "the successor's assignment (it takes the frozen member's place: same slot)")
    zombie.resume()
    wait_until(lambda: zombie.exits, 60, f"the zombie to stop:\n{zombie.tail()}")
    feeding.join(timeout=120)

    result = audit("zombie fenced by its successor (exactly-once)", stream, "exactly-once",
                   [key.decode() for key, _ in inputs], [], crashes=1, started=started,
                   notes={"offsets_when_frozen": frozen_at})
    (failure,) = [entry for entry in zombie.logs() if entry.get("message", "").startswith("worker failed")]
    assert zombie.exits == [1] and failure["error_type"] == "FencedError", failure
    assert "another worker runs with this NEWSFEED_WORKER_SLOT" in failure["message"]
    assert result.output_written > result.output_read  # its open transaction was aborted, unseen by readers
    assert successor.exits == []
