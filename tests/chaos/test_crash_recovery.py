"""Crash recovery in seconds: static membership lets a worker restarted in its slot take its own partitions
back with no rebalance, so the output pauses for the restart, not for the session timeout.

Each test reports the longest pause in the output (time between consecutive output records, from their
Kafka timestamps) in the chaos audit's notes. The session timeout here is 20 s, well above any restart of
a worker, so a pause caused by the group waiting for it (the behaviour before static membership) would
show as 20 s or more and fail the 10 s bound.
"""

from __future__ import annotations

import time

from harness import CHAOS, Slot, Stream, article, audit, longest_pause
from waiting import wait_until

pytestmark = CHAOS

SESSION_TIMEOUT_S = 20
MAX_PAUSE_S = 10


def worker_env(stream: Stream, model_dir: str, slot: str) -> dict[str, str]:
    return {**stream.env, "NEWSFEED_MODEL_DIR": model_dir, "NEWSFEED_GUARANTEE": "exactly-once",
            "NEWSFEED_WORKER_SLOT": slot, "NEWSFEED_BATCH_SIZE": "100",
            "NEWSFEED_SESSION_TIMEOUT_MS": str(SESSION_TIMEOUT_S * 1000), "NEWSFEED_HEARTBEAT_INTERVAL_MS": "2000"}


def held(slot: Slot) -> set[int]:
    """The input partitions the slot's current run last reported holding."""
    changes = slot.logged("assignment changed")
    return {int(name.rsplit("[", 1)[1].rstrip("]")) for name in changes[-1]["partitions"]} if changes else set()


def settled(slots: list[Slot], partitions: int):
    """A condition: every slot holds partitions and together they hold all of them."""
    return lambda: all(held(s) for s in slots) and sum(len(held(s)) for s in slots) == partitions


def test_a_worker_killed_and_restarted_at_once_pauses_the_output_less_than_10_s(
        shared_bootstrap, model_dir, slots, tmp_path):
    stream = Stream(shared_bootstrap, partitions=4).create()
    inputs = [article(n) for n in range(3000)]
    first = Slot("a", worker_env(stream, model_dir, "a"), tmp_path)
    second = Slot("b", worker_env(stream, model_dir, "b"), tmp_path)
    slots.extend([first.start(), second.start()])
    wait_until(settled([first, second], 4), 90, "both workers to share the four partitions")
    changes_before = len(second.logged("assignment changed"))
    own = held(first)
    started = time.monotonic()
    feeding = stream.push_steadily(inputs, per_second=150)  # 20 s of input

    wait_until(lambda: stream.output_offsets() >= 900, 60, "a third of the input processed")
    killed_at = time.time()
    first.kill()  # SIGKILL; its supervisor starts it again after 0.5 s
    wait_until(lambda: first.assigned(), 60, f"the restarted worker's partitions:\n{first.tail()}")
    feeding.join(timeout=120)

    result = audit("kill + restart 1 of 2 workers (exactly-once)", stream, "exactly-once",
                   [key.decode() for key, _ in inputs], [], crashes=first.kills, started=started)
    pause, own_pause = longest_pause(stream), longest_pause(stream, own)
    result.notes.update(longest_pause_s=pause.seconds, killed_partitions_longest_pause_s=own_pause.seconds,
                        pause_began_after_kill_s=round(own_pause.began - killed_at, 2))
    # The killed worker's own partitions are the ones that wait; the others' output never stops at all.
    assert own_pause.seconds <= MAX_PAUSE_S and pause.seconds <= MAX_PAUSE_S, result.notes
    # Static membership: the restarted worker took its own partitions back, and the other one never
    # went through a rebalance (its assignment did not change at all).
    assert len(second.logged("assignment changed")) == changes_before
    assert first.exits == [-9] and second.exits == []


def test_a_worker_that_never_returns_has_its_partitions_served_within_the_session_timeout_plus_10_s(
        shared_bootstrap, model_dir, slots, tmp_path):
    stream = Stream(shared_bootstrap, partitions=4).create()
    inputs = [article(n) for n in range(4500)]
    lost = Slot("lost", worker_env(stream, model_dir, "lost"), tmp_path, restart=False)
    survivor = Slot("survivor", worker_env(stream, model_dir, "survivor"), tmp_path)
    slots.extend([lost.start(), survivor.start()])
    wait_until(settled([lost, survivor], 4), 90, "both workers to share the four partitions")
    orphaned = held(lost)
    started = time.monotonic()
    feeding = stream.push_steadily(inputs, per_second=150)  # 30 s of input

    wait_until(lambda: stream.output_offsets() >= 900, 60, "a fifth of the input processed")
    killed_at = time.time()
    lost.kill()  # SIGKILL and no restart: a lost machine
    wait_until(lambda: len(held(survivor)) == 4, SESSION_TIMEOUT_S + 30, "the survivor to take every partition")
    feeding.join(timeout=120)

    result = audit("a worker lost for good, 1 of 2 (exactly-once)", stream, "exactly-once",
                   [key.decode() for key, _ in inputs], [], crashes=lost.kills, started=started)
    pause = longest_pause(stream, orphaned)
    everything = longest_pause(stream)
    result.notes.update(orphaned_partitions_longest_pause_s=pause.seconds, longest_pause_s=everything.seconds,
                        session_timeout_s=SESSION_TIMEOUT_S, pause_began_after_kill_s=round(pause.began - killed_at, 2))
    assert pause.seconds <= SESSION_TIMEOUT_S + 10, result.notes
    assert lost.exits == [-9] and survivor.exits == []


def test_a_rolling_restart_of_three_workers_pauses_the_output_less_than_10_s_per_step(
        shared_bootstrap, model_dir, slots, tmp_path):
    """As a StatefulSet rolls: each pod gets SIGTERM (it finishes its batch and exits), and its successor
    starts in the same slot, one after another."""
    stream = Stream(shared_bootstrap, partitions=6).create()
    inputs = [article(n) for n in range(6000)]
    names = ["r0", "r1", "r2"]
    workers = [Slot(name, worker_env(stream, model_dir, name), tmp_path) for name in names]
    slots.extend(worker.start() for worker in workers)
    wait_until(settled(workers, 6), 120, "three workers to share the six partitions")
    started = time.monotonic()
    feeding = stream.push_steadily(inputs, per_second=150)  # 40 s of input

    wait_until(lambda: stream.output_offsets() >= 600, 60, "some input processed")
    steps = []
    for index, name in enumerate(names):
        partitions = held(workers[index])
        stopped_at = time.time()
        assert workers[index].stop() == 0  # SIGTERM: the batch in hand is finished first
        successor = Slot(f"{name}-next", worker_env(stream, model_dir, name), tmp_path)
        slots.append(successor.start())
        wait_until(successor.assigned, 60, f"slot {name}'s successor to hold its partitions:\n{successor.tail()}")
        steps.append((stopped_at, partitions))
        workers[index] = successor
        time.sleep(3)  # the successor serves a while before the next pod rolls
    feeding.join(timeout=120)

    result = audit("rolling restart of 3 workers (exactly-once)", stream, "exactly-once",
                   [key.decode() for key, _ in inputs], [], started=started)
    pause = longest_pause(stream)
    # Each step's pause is on the partitions of the worker it restarted; the others never stop.
    per_step = [longest_pause(stream, partitions) for _, partitions in steps]
    result.notes.update(longest_pause_s=pause.seconds, step_partitions_longest_pause_s=[p.seconds for p in per_step],
                        pause_began_after_step_s=[round(p.began - at, 2) for p, (at, _) in zip(per_step, steps)])
    assert pause.seconds <= MAX_PAUSE_S and all(p.seconds <= MAX_PAUSE_S for p in per_step), result.notes
    assert all(worker.exits == [] for worker in workers)
