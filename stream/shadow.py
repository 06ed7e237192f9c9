"""Shadow scoring: a candidate model judges what the champion just judged, and only metrics (and, if asked,
a shadow topic) hear about it.

Isolation is the point. The worker hands each committed batch's articles and the champion's enrichments
to `Shadow.offer`, which only puts them on a queue of `QUEUE_BATCHES` batches and returns: it never waits.
A thread of its own classifies them with the shadow model and compares. So:
- the shadow's results never reach the output topic (it has no access to the worker's producer: the
  shadow topic, if any, is written by a producer of its own, outside any transaction);
- a shadow that raises counts a failed batch and logs it; the champion goes on;
- a shadow slower than the champion cannot delay a commit: the hand-off happens after the commit and never
  blocks; when the queue is full the batch is skipped by the shadow and counted
  (newsfeed_shadow_batches_total{result="skipped"}), so "every batch" holds while the shadow keeps up, and
  the skipped share says how far it does not. What remains shared is the CPU (one interpreter lock): that
  cost is what `python -m bench` measures as throughput with and without a shadow;
- on stop, the worker waits at most `CLOSE_WAIT_S` for the batch the shadow is scoring, then leaves it.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, Info

from newsfeed.models.schema import Article, Enrichment
from newsfeed.models.taxonomy import TOPICS

log = logging.getLogger(__name__)

QUEUE_BATCHES = 2  # one being scored, one waiting: enough to ride out jitter, small enough to bound memory
CLOSE_WAIT_S = 5.0
DIRECTIONS = ("champion_only", "shadow_only")
BATCH_RESULTS = ("scored", "skipped", "failed")
# How far the shadow's score moved from the champion's, per label and direction: finer near 0, where a
# retrained model mostly is. Sizes, not signed differences: a histogram with negative buckets exposes no
# _sum, and OpenMetrics parsers (the --processes parent's among them) refuse it and negative sums alike.
SHIFT_BUCKETS = (0.01, 0.05, 0.1, 0.2, 0.5, 1.0)
SHIFT_DIRECTIONS = ("up", "down")  # up: the shadow scored the label at least as high; down: lower
SECONDS_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass(frozen=True)
class ShadowMetrics:
    model: Info
    batches: Counter
    articles: Counter
    agreements: Counter
    flips: Counter
    score_shift: Histogram
    seconds: Histogram


def create_shadow_metrics(registry: CollectorRegistry) -> ShadowMetrics:
    """The shadow's series, every labelled one created at zero (only a worker with a shadow has them)."""
    metrics = ShadowMetrics(
        model=Info("newsfeed_shadow_model", "The shadow (candidate) model: its version and sha256.",
                   registry=registry),
        batches=Counter("newsfeed_shadow_batches_total", "Committed batches offered to the shadow model, by "
                        "result: scored, skipped (it was still busy: the champion never waits) or failed "
                        "(it raised).", ["result"], registry=registry),
        articles=Counter("newsfeed_shadow_articles_total", "Articles both the champion and the shadow judged.",
                         registry=registry),
        agreements=Counter("newsfeed_shadow_agreements_total", "Articles on which the shadow agreed with the "
                           "champion about a topic label (both assigned it, or neither).", ["label"],
                           registry=registry),
        flips=Counter("newsfeed_shadow_flips_total", "Articles on which the two models disagreed about a topic "
                      "label: champion_only (the champion assigned it, the shadow not) or shadow_only.",
                      ["label", "direction"], registry=registry),
        score_shift=Histogram("newsfeed_shadow_score_shift", "How far the shadow's score of a topic label moved "
                              "from the champion's, for articles both judged (status ok), by direction: up (the "
                              "shadow's at least as high) or down. Mean signed shift: (up _sum - down _sum) / "
                              "_count.", ["label", "direction"], buckets=SHIFT_BUCKETS, registry=registry),
        seconds=Histogram("newsfeed_shadow_classification_seconds", "Time of the shadow's classify call over a "
                          "batch's articles.", buckets=SECONDS_BUCKETS, registry=registry),
    )
    for result in BATCH_RESULTS:
        metrics.batches.labels(result)
    for label in TOPICS:
        metrics.agreements.labels(label)
        for direction in SHIFT_DIRECTIONS:
            metrics.score_shift.labels(label, direction)
        for direction in DIRECTIONS:
            metrics.flips.labels(label, direction)
    return metrics


@dataclass(frozen=True)
class Judged:
    """One committed batch's articles as the champion judged them, and where each came from."""

    articles: Sequence[Article]
    enrichments: Sequence[Enrichment]
    origins: Sequence[dict[str, Any]]


class Shadow:
    """A candidate model scoring committed batches in a thread of its own (see the module docstring).

    `publish`, when given, receives (key, value) for each article on which the models' topic labels differ:
    the record of the shadow topic (see `difference`)."""

    def __init__(self, model: Any, classify: Callable[..., list[Enrichment]], metrics: ShadowMetrics,
                 publish: Callable[[bytes, bytes], None] | None = None, queue_batches: int = QUEUE_BATCHES):
        self._model, self._classify, self._metrics, self._publish = model, classify, metrics, publish
        self._queue: queue.Queue[Judged | None] = queue.Queue(maxsize=queue_batches)
        # A daemon: a shadow stuck in its model must not keep the process alive after the worker stopped.
        self._thread = threading.Thread(target=self._run, name="shadow", daemon=True)
        metrics.model.info({"version": model.version, "sha256": model.sha256})

    def start(self) -> None:
        self._thread.start()
        log.info("shadow model scoring beside the champion", extra={"version": self._model.version,
                                                                     "sha256": self._model.sha256})

    def offer(self, judged: Judged) -> None:
        """Hand a committed batch to the shadow without waiting; skipped (and counted) if it is busy."""
        if not judged.articles:
            return
        try:
            self._queue.put_nowait(judged)
        except queue.Full:
            self._metrics.batches.labels("skipped").inc()

    def close(self) -> None:
        """Stop once the batches in hand are scored, waiting for them at most CLOSE_WAIT_S in all."""
        deadline = time.monotonic() + CLOSE_WAIT_S
        try:
            self._queue.put(None, timeout=CLOSE_WAIT_S)  # behind the waiting batches: they are scored first
            self._thread.join(max(0.0, deadline - time.monotonic()))
        except queue.Full:
            pass
        if self._thread.is_alive():
            log.warning("the shadow model is still scoring; left behind", extra={"waited_s": CLOSE_WAIT_S})

    def _run(self) -> None:
        while (judged := self._queue.get()) is not None:
            try:
                started = time.perf_counter()
                enrichments = self._classify(judged.articles, self._model)
                self._metrics.seconds.observe(time.perf_counter() - started)
                if len(enrichments) != len(judged.articles):
                    raise ValueError(f"{len(enrichments)} enrichments for {len(judged.articles)} articles")
                self._compare(judged, enrichments)
            except Exception:  # whatever the candidate does wrong is counted and logged, never raised
                self._metrics.batches.labels("failed").inc()
                log.warning("the shadow model failed on a batch; the champion is not affected",
                            exc_info=True, extra={"articles": len(judged.articles)})
            else:
                self._metrics.batches.labels("scored").inc()

    def _compare(self, judged: Judged, shadow: Sequence[Enrichment]) -> None:
        metrics = self._metrics
        for article, origin, champion, candidate in zip(judged.articles, judged.origins, judged.enrichments,
                                                        shadow, strict=True):
            metrics.articles.inc()
            flips = flips_between(champion, candidate)
            for label in TOPICS:
                if label in flips["champion_only"]:
                    metrics.flips.labels(label, "champion_only").inc()
                elif label in flips["shadow_only"]:
                    metrics.flips.labels(label, "shadow_only").inc()
                else:
                    metrics.agreements.labels(label).inc()
                if champion.status == "ok" and candidate.status == "ok":
                    shift = candidate.topic_scores.get(label, 0.0) - champion.topic_scores.get(label, 0.0)
                    metrics.score_shift.labels(label, "up" if shift >= 0 else "down").observe(abs(shift))
            if self._publish is not None and (flips["champion_only"] or flips["shadow_only"]):
                self._publish(article.id.encode("utf-8"), difference(article, origin, champion, candidate, flips))


def flips_between(champion: Enrichment, shadow: Enrichment) -> dict[str, list[str]]:
    """The topic labels only one of the two models assigned, in taxonomy order."""
    mine, theirs = set(champion.topics), set(shadow.topics)
    return {"champion_only": [label for label in TOPICS if label in mine - theirs],
            "shadow_only": [label for label in TOPICS if label in theirs - mine]}


def difference(article: Article, origin: dict[str, Any], champion: Enrichment, shadow: Enrichment,
               flips: dict[str, list[str]]) -> bytes:
    """A shadow-topic record: the article's id and title, where it was read, and both models' judgements with
    their evidence. Not the article's text: the topic is for reading disagreements, not for re-serving."""

    def judgement(enrichment: Enrichment) -> dict[str, Any]:
        return {"model": {"version": enrichment.model.version, "sha256": enrichment.model.sha256},
                "status": enrichment.status, "topics": list(enrichment.topics),
                "topic_scores": dict(enrichment.topic_scores),
                # The n-grams alone: a person reading a flip needs what drove it, not where it sits.
                "evidence": {label: [gram.ngram for gram in evidence.ngrams]
                             for label, evidence in enrichment.evidence.items() if label in TOPICS}}

    record = {"id": article.id, "title": article.fields.get("title"), "origin": origin, "flips": flips,
              "champion": judgement(champion), "shadow": judgement(shadow)}
    return json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")
