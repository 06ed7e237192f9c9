"""Collect the readers' label files into the repository's label sets, checked and fingerprinted.

    python -m newsfeed.training.labelling.merge --data ../shared/data --labels DIR

DIR holds one JSON Lines file per batch, named after the batch (`training-nasa-003.jsonl`, parts
`...-part1.jsonl` allowed), as PROCEDURE.md describes. First-pass training labels go to
`training/labelling/read-labels.jsonl`; first-pass gold labels are added to
`training/gold/dev-gold.jsonl`; second-pass files (`second-*.jsonl`) are only read by `agreement`.
Each kept row carries the fingerprint of the text it was labelled on, so a changed data set is seen.

Normalisation, the same for every reader: labels in taxonomy order; a focus country's region is
added when the reader left it out; codes outside the taxonomy's regions (Antarctica) are dropped,
since no region or output can carry them. Every change is counted in the printed summary.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from newsfeed.models.taxonomy import COUNTRY_REGION, REGIONS, TOPICS
from newsfeed.training.gold import GOLD_FILE, text_fingerprint
from newsfeed.training.labelling.select import TRAINING_ROUNDS, Item, draw_all

READ_LABELS_FILE = Path(__file__).with_name("read-labels.jsonl")


def read_label_files(directory: Path, prefix: str) -> dict[str, dict]:
    """Rows of every `<prefix>-*.jsonl` in `directory`, by id (a later duplicate is an error)."""
    rows: dict[str, dict] = {}
    for path in sorted(directory.glob(f"{prefix}-*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row["id"] in rows:
                raise ValueError(f"{path.name}:{number}: {row['id']} labelled twice")
            rows[row["id"]] = row
    return rows


def normalise(row: dict, changes: Counter) -> dict:
    """Topics, regions and countries of a reader's row, checked and in taxonomy order."""
    unknown_topics = set(row["topics"]) - set(TOPICS)
    unknown_regions = set(row["regions"]) - set(REGIONS)
    if unknown_topics or unknown_regions:
        raise ValueError(f"{row['id']}: unknown labels {sorted(unknown_topics | unknown_regions)}")
    countries = []
    for code in row["countries"]:
        code = code.strip().upper()
        if code not in COUNTRY_REGION:
            changes["country outside every region dropped"] += 1
            continue
        if code not in countries:
            countries.append(code)
    regions = set(row["regions"])
    implied = {COUNTRY_REGION[code] for code in countries}
    if implied - regions:
        changes["focus country's region added"] += len(implied - regions)
    regions |= implied
    return {
        "topics": [t for t in TOPICS if t in row["topics"]],
        "regions": [r for r in REGIONS if r in regions],
        "countries": sorted(countries),
        "note": str(row.get("note") or ""),
    }


def gold_fingerprint(data: Path, item: Item) -> str:
    """As training/gold/README.md defines it: raw file bytes of documents, the text of the others."""
    if item.source in ("nasa", "whitehouse"):
        return text_fingerprint((data / item.id).read_text(encoding="utf-8"))
    if item.source == "agnews":
        return text_fingerprint(f"{item.title} {item.text}")
    return text_fingerprint(item.text)


def merge(data: Path, labels: Path) -> dict[str, Counter]:
    drawn = draw_all(data)
    summary: dict[str, Counter] = {"training": Counter(), "gold": Counter()}

    # Every round's training labels go to one file: a round is how items were drawn, not a kind of label.
    training_rows: dict[str, dict] = {}
    for name in TRAINING_ROUNDS:
        training_rows |= read_label_files(labels, name)
    lines = []
    for item in (item for name in TRAINING_ROUNDS for item in drawn[name]):
        row = training_rows.pop(item.id, None)
        if row is None:
            summary["training"]["not labelled yet"] += 1
            continue
        labelled = normalise(row, summary["training"])
        summary["training"]["items"] += 1
        lines.append(json.dumps({"id": item.id, "source": item.source, "stratum": item.stratum, **labelled,
                                 "text_sha256": text_fingerprint(item.text)}, ensure_ascii=False))
    if training_rows:
        raise ValueError(f"labels for ids that were not drawn: {sorted(training_rows)[:5]}")
    READ_LABELS_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")

    gold_rows = read_label_files(labels, "gold")
    existing = [json.loads(line) for line in GOLD_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    have = {row["id"] for row in existing}
    for item in drawn["gold"]:
        row = gold_rows.pop(item.id, None)
        if row is None:
            summary["gold"]["not labelled yet"] += 1
            continue
        if item.id in have:
            continue
        labelled = normalise(row, summary["gold"])
        summary["gold"]["items added"] += 1
        existing.append({"id": item.id, "source": item.source, "topics": labelled["topics"],
                         "regions": labelled["regions"], "countries": labelled["countries"],
                         "full_length": item.source in ("nasa", "whitehouse"),
                         "text_sha256": gold_fingerprint(data, item), "note": labelled["note"]})
    if gold_rows:
        raise ValueError(f"gold labels for ids that were not drawn: {sorted(gold_rows)[:5]}")
    GOLD_FILE.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in existing), encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsfeed.training.labelling.merge", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, type=Path, help="the shared data directory")
    parser.add_argument("--labels", required=True, type=Path, help="the directory of the readers' label files")
    args = parser.parse_args(argv)
    if not args.labels.is_dir():
        parser.exit(2, f"error: --labels {args.labels}: not a directory\n")
    try:
        summary = merge(args.data, args.labels)
    except (ValueError, KeyError, json.JSONDecodeError) as exc:
        parser.exit(1, f"error: {exc}\n")
    for name, counts in summary.items():
        print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
