"""AG News test split (2004-05 news: title and lead, coarse class), for evaluation only.

Its licence allows research and non-commercial use only: the shipped model must never be trained
on it, so `build_corpus` leaves it out and it is built on its own by `build_agnews`. It carries no
topic labels of ours; its coarse class is kept in `meta` to measure false positives on Sports and
Business and recall inside World and Sci/Tech.
"""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TEST_CSV = "agnews-test/test.csv"
CLASSES: dict[int, str] = {1: "World", 2: "Sports", 3: "Business", 4: "Sci/Tech"}

# The set writes "$" as " #36;" and apostrophes as "#39;", and has backslashes for line breaks.
_NUMERIC_ENTITY = re.compile(r"#(\d{2,4});")


@dataclass(frozen=True)
class AgNewsItem:
    id: str
    title: str
    text: str
    label: int


def iter_items(data_dir: str | Path) -> Iterator[AgNewsItem]:
    """The rows of the test split in file order; ids are `agnews-test/test.csv#<1-based row>`."""
    with open(Path(data_dir) / TEST_CSV, encoding="utf-8", newline="") as handle:
        for row_number, row in enumerate(csv.DictReader(handle), start=1):
            yield AgNewsItem(
                id=f"{TEST_CSV}#{row_number}",
                title=clean(row["title"]),
                text=clean(row["description"]),
                label=int(row["label"]),
            )


def clean(text: str) -> str:
    """Undo the set's escapes: numeric entities without "&", HTML entities, backslash line breaks."""
    text = _NUMERIC_ENTITY.sub(lambda match: chr(int(match[1])), text)
    text = html.unescape(text).replace("\\", " ")
    return " ".join(text.split())
