"""Check that a performance change left the classifier's outputs identical: enrich a fixed set of real
articles and write every enrichment to a file; run before and after the change and compare the files.

    python -m bench.identity OUT.jsonl [--model DIR] [--data DIR]
    cmp before.jsonl after.jsonl

The set: every NASA article, the first 1,200 White House documents (all lengths, so articles past the
model's body cut and with many passages are in), and 600 AG News items (short), about 2,700 in all.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from bench.corpus import _nasa, _whitehouse
from bench.workers import ROOT


def identity_articles(data_dir: Path) -> list[dict]:
    articles = _nasa(data_dir) + _whitehouse(data_dir)[:1200]
    with open(data_dir / "agnews-test" / "test.csv", encoding="utf-8", newline="") as handle:
        for n, row in enumerate(csv.reader(handle)):
            if n >= 600:
                break
            articles.append({"id": f"agnews-{n}", "title": row[1], "text": row[2]})
    return articles


def main(argv: list[str] | None = None) -> int:
    from newsfeed.models.artifact import load_model
    from newsfeed.models.classifier import classify_batch
    from newsfeed.models.model_registry import resolve_model_dir
    from newsfeed.models.schema import article_from_dict

    parser = argparse.ArgumentParser(prog="python -m bench.identity")
    parser.add_argument("out")
    parser.add_argument("--model", default=None, metavar="DIR")
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"), metavar="DIR")
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args(argv)
    model = load_model(resolve_model_dir(args.model))
    articles = [article_from_dict(a) for a in identity_articles(Path(args.data))]
    with open(args.out, "w", encoding="utf-8") as out:
        for start in range(0, len(articles), args.batch_size):
            batch = articles[start:start + args.batch_size]
            for article, enrichment in zip(batch, classify_batch(batch, model)):
                out.write(json.dumps({"id": article.id, **enrichment.as_dict()}, sort_keys=True) + "\n")
    sys.stderr.write(f"{len(articles)} enrichments by model {model.version} written to {args.out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
