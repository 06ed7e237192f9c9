"""What the integration and chaos tests share: the model their workers load, one test's own topics
and consumer group on a broker, writing records to them, and article sentences whose topics are
plain to a reader.

On the import path of every test through pyproject's `pythonpath = ["tests"]`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from newsfeed.stream.kafka_io.admin import connect_admin
from newsfeed.stream.kafka_io.producer import connect_sink
from newsfeed.stream.settings import Settings
from newsfeed.stream.topics import ensure_topics, produce

ROOT = Path(__file__).resolve().parents[1]
KAFKA_SH = ROOT / "deploy" / "local-kafka" / "kafka.sh"

# Group timings short enough for a test: a dead member is noticed in 6 s, joins take seconds.
FAST_GROUP = {
    "NEWSFEED_SESSION_TIMEOUT_MS": "6000",
    "NEWSFEED_HEARTBEAT_INTERVAL_MS": "1000",
    "NEWSFEED_MAX_POLL_INTERVAL_MS": "30000",
    "NEWSFEED_POLL_TIMEOUT_MS": "200",
}


def loadable_model_dir() -> str:
    """The model the workers load: NEWSFEED_MODEL_DIR, else the shipped default. Loaded once here, so a
    broken artifact fails the session with its own message rather than every worker with a timeout."""
    from newsfeed.models.artifact import load_model
    from newsfeed.models.model_registry import resolve_model_dir

    directory = resolve_model_dir(os.environ.get("NEWSFEED_MODEL_DIR") or None)
    load_model(directory)
    return str(directory)


# One sentence for each topic and two for none of them: generated articles cycle through these.
SENTENCES = [
    "The foreign ministers met in Geneva for talks on a ceasefire and signed a joint statement on relations.",
    "The rocket lifted off from the cosmodrome and placed a weather satellite into orbit around the Earth.",
    "Troops and tanks moved to the border as the defence ministry announced new missile tests and drills.",
    "The football club won the league title after a late goal in front of a full stadium on Saturday night.",
    "Parliament debated the budget as the finance minister promised lower taxes for small businesses.",
]


@dataclass
class Topics:
    """Unique input, output and dead-letter topics and group names for one test, and Settings naming them."""

    bootstrap: str
    partitions: int = 4
    prefix: str = field(default_factory=lambda: f"it-{uuid.uuid4().hex[:10]}")

    @property
    def env(self) -> dict[str, str]:
        return {
            "NEWSFEED_BOOTSTRAP_SERVERS": self.bootstrap,
            "NEWSFEED_INPUT_TOPIC": f"{self.prefix}.raw",
            "NEWSFEED_OUTPUT_TOPIC": f"{self.prefix}.enriched",
            "NEWSFEED_DEAD_LETTER_TOPIC": f"{self.prefix}.raw.dlq",
            "NEWSFEED_GROUP_ID": f"{self.prefix}-group",
        }

    @property
    def settings(self) -> Settings:
        return Settings.from_env(self.env)

    def create(self, partitions: int | None = None, output_max_bytes: int | None = None):
        """Create the three topics as the worker would (`partitions`, else this object's); optionally a
        smaller limit on the output topic. Returns self."""
        if partitions is not None:
            self.partitions = partitions
        settings = Settings.from_env({**self.env, "NEWSFEED_PARTITIONS": str(self.partitions)})
        admin = connect_admin(settings)
        try:
            if output_max_bytes is not None:
                admin.create_topic(settings.output_topic, self.partitions,
                                   {"max.message.bytes": str(output_max_bytes)})
            ensure_topics(admin, settings)
        finally:
            admin.close()
        return self


def send_all(settings: Settings, topic: str, records: Iterable[tuple[bytes | None, bytes | None]]) -> int:
    """Write (key, value) records and wait until every one is acknowledged; how many were written."""
    sink = connect_sink(settings, {})
    try:
        return produce(sink, topic, ((f"record {n}", key, value) for n, (key, value) in enumerate(records)))
    finally:
        sink.close()
