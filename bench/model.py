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
