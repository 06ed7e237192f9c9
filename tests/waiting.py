"""The one way the broker tests wait for something that happens on another thread or process."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], object], timeout_s: float, what: str = "the condition",
               every_s: float = 0.2) -> object:
    """Poll `condition` until it returns something true, and return that; AssertionError naming `what`
    after `timeout_s` (checked once more at the deadline, so a slow last poll is not lost)."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(every_s)
