"""Several workers from one command (`newsfeed worker --processes N`): forked children, each a whole
worker with its own consumer in the group and its own producer. Each child's HTTP endpoint listens on
a loopback port of its own; the parent serves the one endpoint of the set (`stream.children`).

Python runs one thread of Python at a time, so one worker uses about one core; N processes use N.
The parent loads the model and warms it once before forking, so the children start at once and
share its memory pages until they write to them; then it only supervises:

- a stop signal to the parent (SIGTERM, or Ctrl-C in a terminal) is passed on to each child once,
  and each finishes the batch in hand. The children have a process group of their own, so a
  terminal's Ctrl-C reaches only the parent and no child sees two signals;
- a child that exits while no stop was asked (a crash, a fenced producer) stops the others and the
  parent raises: the supervisor above (systemd, Kubernetes) restarts the set;
- a child whose parent is gone (killed) stops itself.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

from newsfeed.models.errors import NewsfeedError
from newsfeed.stream.settings import Settings

log = logging.getLogger(__name__)

ORPHAN_CHECK_S = 1.0


# Where each child serves: loopback, a free port. Only the parent reads it; the pod's address is the parent's.
CHILD_HTTP_ADDRESS = "127.0.0.1:0"


def child_settings(settings: Settings, index: int) -> Settings:
    """Child `index`'s settings: one process, an HTTP endpoint on a free loopback port, and with a slot
    the worker slot SLOT.index, so each child has its own static group member id and transactional id."""
    slot = f"{settings.worker_slot}.{index}" if settings.worker_slot is not None else None
    return dataclasses.replace(settings, processes=1, http_address=CHILD_HTTP_ADDRESS, worker_slot=slot)


def run_processes(settings: Settings, stop: threading.Event, target: Callable[[int, Settings], None]) -> None:
    """Fork `settings.processes` children that each run `target(i, child_settings(settings, i))`, and wait
    for all of them. Raises NewsfeedError if one exited without being asked to stop."""
    gc.freeze()  # what the parent holds (the model) is never scanned by the children's collector: fewer copied pages
    context = multiprocessing.get_context("fork")
    children = []
    for index in range(settings.processes):
        child = context.Process(target=_child_main, args=(target, index, child_settings(settings, index),
                                                          os.getpid()),
                                name=f"newsfeed-worker-{index}")
        child.start()
        children.append(child)
    gc.unfreeze()
    log.info("worker processes started", extra={"processes": len(children), "pids": [c.pid for c in children]})
    failed = _supervise(children, stop)
    if failed is not None:
        index, code = failed
        raise NewsfeedError(f"worker process {index} exited with status {code} while running; the others were stopped")
    log.info("worker processes stopped", extra={"exit_codes": [c.exitcode for c in children]})


def _supervise(children: list, stop: threading.Event) -> tuple[int, int] | None:
    """Wait for the children; pass a stop on once; the first child that exits unasked stops the rest."""
    failed: tuple[int, int] | None = None
    stopping = False
    while True:
        if not stopping:
            for index, child in enumerate(children):
                if child.exitcode is not None and failed is None:
                    failed = (index, child.exitcode)
                    log.error("worker process exited unasked; stopping the others",
                              extra={"worker_process": index, "pid": child.pid, "exit_code": child.exitcode})
            if stop.is_set() or failed is not None:
                stopping = True
                for child in children:
                    if child.exitcode is None:
                        os.kill(child.pid, signal.SIGTERM)
        running = [child.sentinel for child in children if child.exitcode is None]
        if not running:
            return failed
        multiprocessing.connection.wait(running, timeout=0.2)


def _child_main(target: Callable[[int, Settings], None], index: int, settings: Settings, parent_pid: int) -> None:
    os.setpgid(0, 0)
    threading.Thread(target=_stop_when_orphaned, args=(parent_pid,), name="orphan-watch", daemon=True).start()
    try:
        target(index, settings)
    except NewsfeedError as exc:
        log.error("worker failed: %s", exc, extra={"error_type": type(exc).__name__})
        sys.exit(1)
    except Exception:
        log.exception("worker crashed")
        sys.exit(1)


def _stop_when_orphaned(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(ORPHAN_CHECK_S)
    log.warning("parent process gone; stopping")
    os.kill(os.getpid(), signal.SIGTERM)
