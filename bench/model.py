"""The model alone: `classify_batch` over decoded articles, no Kafka, no JSON, at several batch sizes."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from newsfeed.models.classifier import classify_batch
from newsfeed.models.schema import Article
from newsfeed.stream.codec import Limits, decode_article


def decode_corpus(values: Sequence[bytes], limits: Limits) -> list[Article]:
    return [decode_article(value, limits) for value in values]


def model_throughput(articles: Sequence[Article], sizes: Sequence[int], model: Any,
                     seconds: float, text_bytes: float) -> dict[int, dict[str, float]]:
    """Articles/s and MB/s of classify_batch at each batch size, each run for about `seconds`.

    Batches are cut from the corpus in order, wrapping around, so every size sees the same mix.
    `text_bytes` is the mean record size, to express the rate in MB/s of input.
    """
    classify_batch(list(articles[:8]), model)  # warm caches (the gazetteer is built on first use)
    results = {}
    for size in sizes:
        done, position = 0, 0
        started, cpu_started = time.perf_counter(), time.process_time()
        while True:
            batch = [articles[(position + k) % len(articles)] for k in range(size)]
            classify_batch(batch, model)
            done, position = done + size, position + size
            elapsed = time.perf_counter() - started
            if elapsed >= seconds:
                break
        cpu = time.process_time() - cpu_started
        rate = done / elapsed
        results[size] = {"articles_per_s": round(rate, 1), "mb_per_s": round(rate * text_bytes / 1e6, 2),
                         "articles": done, "seconds": round(elapsed, 2),
                         "cpu_ms_per_article": round(1000 * cpu / done, 3)}
    return results


def sklearn_vectorizer_throughput(articles: Sequence[Article], feature_names: Sequence[str], size: int,
                                  seconds: float) -> dict[str, float]:
    """Articles/s of scikit-learn's `TfidfVectorizer(ngram_range=(1, 2)).transform` alone, at batch `size`:
    the yardstick of issue 11 for the whole model (text preparation, topics, regions, gazetteer). It has
    the model's vocabulary, so the same size, with idf fitted on the same articles it transforms."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"{a.title}\n{a.text}" for a in articles]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), vocabulary=list(feature_names)).fit(texts)
    vectorizer.transform(texts[:8])
    done, position = 0, 0
    started, cpu_started = time.perf_counter(), time.process_time()
    while True:
        vectorizer.transform([texts[(position + k) % len(texts)] for k in range(size)])
        done, position = done + size, position + size
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            break
    return {"articles_per_s": round(done / elapsed, 1), "articles": done, "seconds": round(elapsed, 2),
            "cpu_ms_per_article": round(1000 * (time.process_time() - cpu_started) / done, 3),
            "features": len(vectorizer.vocabulary_)}


def main(argv: Sequence[str] | None = None) -> int:
    """The model alone and scikit-learn's vectorizer alone, in one run, without a broker (`python -m bench.model`).
    The two figures of issue 11 that a speed change moves, without the broker runs of `python -m bench`."""
    import argparse
    import json
    import os

    from bench.corpus import load_corpus
    from bench.workers import ROOT
    from newsfeed.models.artifact import load_model
    from newsfeed.models.model_registry import resolve_model_dir
    from newsfeed.stream.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m bench.model", description=main.__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"), metavar="DIR")
    parser.add_argument("--model", default=None, metavar="DIR", help="model directory (default: the shipped one)")
    parser.add_argument("--sizes", default="500", help="batch sizes, comma-separated (default 500)")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each measure (default 8)")
    args = parser.parse_args(argv)
    corpus = load_corpus(args.data)
    articles = decode_corpus(corpus.values, Settings.from_env(os.environ).limits)
    model = load_model(resolve_model_dir(args.model))
    sizes = [int(size) for size in args.sizes.split(",")]
    alone = model_throughput(articles, sizes, model, args.seconds, corpus.mean_bytes)
    vectorizer = sklearn_vectorizer_throughput(articles, model.text_model.feature_names, max(sizes), args.seconds)
    print(json.dumps({"model": model.version, "model_alone": {str(k): v for k, v in alone.items()},
                      "sklearn_vectorizer": vectorizer,
                      "model_alone_aps / sklearn_vectorizer_aps":
                          round(alone[max(sizes)]["articles_per_s"] / vectorizer["articles_per_s"], 2)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
