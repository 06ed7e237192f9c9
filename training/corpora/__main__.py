"""`python -m newsfeed.training.corpora <data_dir>`: build the corpora and print what labels they got."""

from __future__ import annotations

import argparse
import sys
import time

from newsfeed.models.taxonomy import TOPICS
from newsfeed.training.corpora import build_agnews, build_corpus, label_statistics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsfeed.training.corpora", description=__doc__)
    parser.add_argument("data_dir", help="the data directory, e.g. ../shared/data")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.monotonic()
    examples = build_corpus(args.data_dir, seed=args.seed)
    evaluation = build_agnews(args.data_dir)
    elapsed = time.monotonic() - started
    print(format_statistics(label_statistics(examples)))
    classes: dict[str, int] = {}
    for example in evaluation:
        classes[example.meta["class_name"]] = classes.get(example.meta["class_name"], 0) + 1
    print(f"\nagnews (evaluation only, never trained on): {len(evaluation)} items, "
          + ", ".join(f"{name} {n}" for name, n in sorted(classes.items())))
    print(f"\nbuilt in {elapsed:.1f} s")
    return 0


def format_statistics(stats: dict[str, dict[str, float]]) -> str:
    """A plain-text table: examples, weight share and topic counts per source, and a total row."""
    columns = ["examples", "weight", "share", *TOPICS, "none"]
    total_weight = sum(row["weight"] for row in stats.values()) or 1.0
    lines = [f"{'source':<12}" + "".join(f"{c:>11}" for c in columns)]
    totals = {c: 0.0 for c in columns}
    for source, row in sorted(stats.items()):
        values = {**row, "share": row["weight"] / total_weight}
        lines.append(f"{source:<12}" + "".join(_cell(c, values[c]) for c in columns))
        for c in columns:
            totals[c] += values[c]
    lines.append(f"{'total':<12}" + "".join(_cell(c, totals[c]) for c in columns))
    return "\n".join(lines)


def _cell(column: str, value: float) -> str:
    if column == "share":
        return f"{value:>11.1%}"
    if column == "weight":
        return f"{value:>11.1f}"
    return f"{int(value):>11d}"


if __name__ == "__main__":
    sys.exit(main())
