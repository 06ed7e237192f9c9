"""`--processes N`: each child gets its own loopback endpoint and slot; a stop reaches every child once; a child that
dies unasked stops the others and fails the command."""

from __future__ import annotations

import os
import signal
import time

import pytest

from newsfeed.models.errors import NewsfeedError
from newsfeed.stream.processes import child_settings, run_processes
from newsfeed.stream.settings import Settings


def _settings(**env: str) -> Settings:
    return Settings.from_env({"NEWSFEED_HTTP_ADDRESS": "127.0.0.1:9000", "NEWSFEED_PROCESSES": "2", **env})


class _StopAfter:
    """A stop event that sets itself after a delay (no thread: the test forks)."""

    def __init__(self, seconds: float):
        self._at = time.monotonic() + seconds

    def is_set(self) -> bool:
        return time.monotonic() >= self._at


def _wait_for_sigterm(index: int, settings: Settings) -> None:
    stopped = []
    signal.signal(signal.SIGTERM, lambda *_: stopped.append(True))
    deadline = time.monotonic() + 20
    while not stopped and time.monotonic() < deadline:
        time.sleep(0.01)
    os._exit(0 if stopped else 9)


def _second_fails(index: int, settings: Settings) -> None:
    if index == 1:
        raise NewsfeedError("the broker went away")
    _wait_for_sigterm(index, settings)


def test_each_child_gets_its_own_loopback_endpoint_and_slot():
    """The pod's address is the parent's; the children serve on free loopback ports only it reads."""
    settings = _settings(NEWSFEED_WORKER_SLOT="pod-3")
    children = [child_settings(settings, i) for i in range(3)]
    assert {c.http_address for c in children} == {"127.0.0.1:0"}
    assert [c.worker_slot for c in children] == ["pod-3.0", "pod-3.1", "pod-3.2"]
    assert {c.processes for c in children} == {1}
    assert child_settings(_settings(), 1).worker_slot is None


def test_a_stop_reaches_every_child_and_they_finish_cleanly():
    started = time.monotonic()
    run_processes(_settings(), _StopAfter(0.5), _wait_for_sigterm)  # raises if a child exited unasked or non-zero
    assert time.monotonic() - started < 10


def test_a_child_that_fails_stops_the_others_and_the_command():
    started = time.monotonic()
    with pytest.raises(NewsfeedError, match="worker process 1 exited with status 1"):
        run_processes(_settings(), _StopAfter(60), _second_fails)
    assert time.monotonic() - started < 10  # the other child was stopped, not waited for
