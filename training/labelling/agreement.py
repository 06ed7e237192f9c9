"""Agreement between the first labels and a second, independent reading of a sample (Cohen's kappa).

    python -m newsfeed.training.labelling.agreement --labels DIR

The first pass is what the repository keeps (`read-labels.jsonl`, `../gold/dev-gold.jsonl`); the
second pass is DIR's `second-training-*.jsonl`, `second-round2-*.jsonl` (round 2's White House
documents), `second-round3-*.jsonl` (round 3's long documents, read whole), `second-round4-*.jsonl` (round 4's
White House documents with military words) and `second-gold-*.jsonl`. Per topic: kappa over the
items (label present or not). Regions: kappa pooled over every (item, region) pair. Focus countries:
the F1 of one pass against the other (a kappa would need the countries neither reader named).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from sklearn.metrics import cohen_kappa_score, f1_score

from newsfeed.models.taxonomy import REGIONS, TOPICS
from newsfeed.training.gold import GOLD_FILE
from newsfeed.training.labelling.merge import READ_LABELS_FILE, normalise, read_label_files
from newsfeed.training.labelling.select import TRAINING_ROUNDS


def _rows(path: Path) -> dict[str, dict]:
    return {row["id"]: row for row in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if row}


def agreement(first: dict[str, dict], second: dict[str, dict]) -> dict:
    """Kappa per topic, pooled over regions and countries, for the ids both passes labelled."""
    ids = sorted(set(first) & set(second))
    report: dict = {"items": len(ids), "topics": {}}
    for topic in TOPICS:
        a = [topic in first[i]["topics"] for i in ids]
        b = [topic in second[i]["topics"] for i in ids]
        report["topics"][topic] = {"kappa": _kappa(a, b), "first": sum(a), "second": sum(b),
                                   "disagreements": sum(x != y for x, y in zip(a, b))}
    a = [r in first[i]["regions"] for i in ids for r in REGIONS]
    b = [r in second[i]["regions"] for i in ids for r in REGIONS]
    report["regions"] = {"kappa": _kappa(a, b), "disagreements": sum(x != y for x, y in zip(a, b))}
    pairs = [(i, c) for i in ids for c in sorted(set(first[i]["countries"]) | set(second[i]["countries"]))]
    a = [c in first[i]["countries"] for i, c in pairs]
    b = [c in second[i]["countries"] for i, c in pairs]
    # Kappa needs the pairs neither reader named, which are every country of the world: meaningless
    # here. The F1 of one pass against the other says how far the two lists agree.
    report["countries"] = {"f1": round(float(f1_score(a, b, zero_division=1.0)), 3) if pairs else 1.0,
                           "disagreements": sum(x != y for x, y in zip(a, b))}
    return report


def _kappa(a: list[bool], b: list[bool]) -> float | None:
    if len(set(a) | set(b)) < 2:
        return None  # one class only: kappa is undefined
    return round(float(cohen_kappa_score(a, b)), 3)


def render(name: str, report: dict) -> str:
    lines = [f"{name}: {report['items']} items read twice",
             "| label | kappa | first pass | second pass | disagreements |", "|---|---|---|---|---|"]
    for topic, row in report["topics"].items():
        lines.append(f"| {topic} | {row['kappa']} | {row['first']} | {row['second']} | {row['disagreements']} |")
    lines.append(f"| regions (pooled) | {report['regions']['kappa']} | | | {report['regions']['disagreements']} |")
    countries = report["countries"]
    lines.append(f"| focus countries (F1 of one pass against the other: {countries['f1']}) | | | | "
                 f"{countries['disagreements']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsfeed.training.labelling.agreement", description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", required=True, type=Path, help="the directory of the readers' label files")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if not args.labels.is_dir():
        parser.exit(2, f"error: --labels {args.labels}: not a directory\n")
    reports = {}
    for name, kept in [(name, READ_LABELS_FILE) for name in TRAINING_ROUNDS] + [("gold", GOLD_FILE)]:
        second = {i: {**row, **normalise(row, Counter())}
                  for i, row in read_label_files(args.labels, f"second-{name}").items()}
        if not second:
            continue
        reports[name] = agreement(_rows(kept), second)
        print(render(name, reports[name]), end="\n\n")
    if args.json:
        args.json.write_text(json.dumps(reports, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
