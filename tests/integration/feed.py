"""A live feed for integration tests: numbered articles (and optionally malformed records) sent in
small acknowledged batches from a background thread until stopped."""

from __future__ import annotations

import json
import threading
import time

from topic_fixtures import send_all

TEXTS = [
    "The foreign ministers met in Geneva for talks on a ceasefire and signed a joint statement on relations.",
    "The rocket lifted off from the cosmodrome and placed a weather satellite into orbit around the Earth.",
    "Troops and tanks moved to the border as the defence ministry announced new missile tests and drills.",
    "Brazil and Argentina signed a trade agreement while Japan launched a lunar probe on Friday morning.",
]
MALFORMED = [b"{not json", b'{"id": "x", "title": ""}', b"[1, 2]"]


def articles(first: int, count: int) -> list[tuple[bytes, bytes]]:
    """Articles hr-<first> .. hr-<first + count - 1>, keyed by id; every fifth is a headline fragment
    (too short for the model to judge)."""
    return [(f"hr-{n:04d}".encode(), json.dumps(_article(n)).encode()) for n in range(first, first + count)]


def _article(n: int) -> dict[str, str]:
    if n % 5 == 4:
        return {"id": f"hr-{n:04d}", "title": f"Update {n}"}
    return {"id": f"hr-{n:04d}", "title": f"Story {n}", "text": f"{TEXTS[n % len(TEXTS)]} Report {n}."}


class Feeder:
    """Sends articles (and, with `malformed_every`, one malformed record per that many) until stopped."""

    def __init__(self, settings, per_batch: int = 10, pause_s: float = 0.05, malformed_every: int = 0):
        self._settings, self._per_batch, self._pause_s = settings, per_batch, pause_s
        self._malformed_every = malformed_every
        self._stop = threading.Event()
        self.sent = 0  # articles sent: hr-0000 up to this count
        self.malformed = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Feeder:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            batch = articles(self.sent, self._per_batch)
            if self._malformed_every and self.sent % self._malformed_every == 0:
                batch.append((None, MALFORMED[self.malformed % len(MALFORMED)]))
                self.malformed += 1
            send_all(self._settings, self._settings.input_topic, batch)
            self.sent += self._per_batch
            time.sleep(self._pause_s)

    def stop(self) -> int:
        """Stop after the batch in flight; how many articles were sent."""
        self._stop.set()
        self._thread.join(timeout=60)
        return self.sent


