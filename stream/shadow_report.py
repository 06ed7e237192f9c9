"""`newsfeed shadow report`: what a shadow run's topic says, summarised for the person who decides on
`promote`: per topic label, how many articles flipped each way, with sample ids, titles, both scores and
both models' evidence.

The records are those `stream.shadow.difference` writes: one per article on which the two models' topic
labels differed. A record that is not one (not JSON, or not of that shape) is counted and left out, so a
topic shared by mistake does not stop the report.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from newsfeed.models.taxonomy import TOPICS
from newsfeed.stream.kafka_io.consumer import Record
from newsfeed.stream.shadow import DIRECTIONS


def report(records: Iterable[Record], samples_per_flip: int) -> dict[str, Any]:
    """Flips per label and direction with up to `samples_per_flip` samples each (the earliest read)."""
    differing, unreadable = 0, 0
    models: dict[str, Counter[str]] = {"champion": Counter(), "shadow": Counter()}
    labels = {label: {direction: {"articles": 0, "samples": []} for direction in DIRECTIONS} for label in TOPICS}
    for record in records:
        difference = _parse(record.value)
        if difference is None:
            unreadable += 1
            continue
        differing += 1
        for side in models:
            models[side][difference[side]["model"]["version"]] += 1
        for direction in DIRECTIONS:
            for label in difference["flips"].get(direction, []):
                if label not in labels:
                    continue
                flip = labels[label][direction]
                flip["articles"] += 1
                if len(flip["samples"]) < samples_per_flip:
                    flip["samples"].append(_sample(difference, label, record))
    return {"differing_articles": differing, "unreadable_records": unreadable,
            "models": {side: dict(versions) for side, versions in models.items()}, "labels": labels}


def _parse(value: bytes | None) -> dict[str, Any] | None:
    try:
        difference = json.loads(value or b"")
        if not isinstance(difference["flips"], dict):
            return None
        for side in ("champion", "shadow"):
            if not isinstance(difference[side]["model"]["version"], str) or \
                    not isinstance(difference[side]["topic_scores"], dict):
                return None
    except (ValueError, TypeError, KeyError):
        return None
    return difference


def _sample(difference: dict[str, Any], label: str, record: Record) -> dict[str, Any]:
    def side(name: str) -> dict[str, Any]:
        judged = difference[name]
        return {"score": judged["topic_scores"].get(label), "evidence": judged.get("evidence", {}).get(label, []),
                "topics": judged.get("topics", [])}

    return {"id": difference.get("id"), "title": difference.get("title"), "origin": difference.get("origin"),
            "shadow_topic_offset": f"{record.topic}[{record.partition}]@{record.offset}",
            "champion": side("champion"), "shadow": side("shadow")}
