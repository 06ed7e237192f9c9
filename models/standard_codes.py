"""Standard codes for the project's labels: IPTC Media Topics for topics, UN M49 areas for regions.

The tables are data (models/data/iptc-media-topics.tsv, models/data/m49-regions.tsv, each citing its
vocabulary and version), read once, so that they can later travel inside a model artifact with the
labels they describe. Every topic slug and region slug must have a row: a label without a code is a
contract gap, found at load time rather than by a consumer.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from newsfeed.models.taxonomy import REGIONS, TOPICS


@dataclass(frozen=True)
class MediaTopic:
    qcode: str  # e.g. medtop:20000639
    label: str  # the en-GB prefLabel of the release the table cites
    uri: str

    def as_dict(self) -> dict[str, str]:
        return {"qcode": self.qcode, "label": self.label, "uri": self.uri}


@dataclass(frozen=True)
class M49Areas:
    codes: tuple[str, ...]  # three-digit M49 codes of the areas the region is made of
    names: tuple[str, ...]
    moves: tuple[str, ...]  # "+XX" placed in the region, "-XX" out of it, against the M49 areas

    def as_dict(self) -> dict[str, Any]:
        return {"m49": list(self.codes)}


@cache
def media_topics() -> dict[str, MediaTopic]:
    rows = {row[0]: MediaTopic(row[1], row[2], row[3]) for row in _rows("iptc-media-topics.tsv", 4)}
    _require_all(rows, TOPICS, "iptc-media-topics.tsv")
    return rows


@cache
def m49_areas() -> dict[str, M49Areas]:
    rows = {row[0]: M49Areas(tuple(row[1].split()), tuple(row[2].split("; ")), tuple(row[3].split()))
            for row in _rows("m49-regions.tsv", 4)}
    _require_all(rows, REGIONS, "m49-regions.tsv")
    return rows


def topic_codes(topics: Iterable[str]) -> dict[str, dict[str, str]]:
    """The record's `topic_codes`: each assigned topic's IPTC Media Topic."""
    table = media_topics()
    return {slug: table[slug].as_dict() for slug in topics}


def region_codes(regions: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The record's `region_codes`: each assigned region's M49 areas."""
    table = m49_areas()
    return {slug: table[slug].as_dict() for slug in regions}


def _rows(name: str, columns: int) -> list[list[str]]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    # A trailing empty column (no moves) is kept: csv gives it as "", and the row stays `columns` wide.
    rows = [[cell.strip() for cell in row] + [""] * (columns - len(row)) for row in csv.reader(lines, delimiter="\t")]
    for row in rows:
        if len(row) != columns:
            raise ValueError(f"{name}: expected {columns} columns, got {row!r}")
    return rows


def _require_all(rows: dict[str, Any], slugs: Sequence[str], name: str) -> None:
    if set(rows) != set(slugs):
        raise ValueError(f"{name}: rows for {sorted(rows)}, labels are {sorted(slugs)}")
