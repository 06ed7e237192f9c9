"""The worker's Prometheus metrics, all created by `create_metrics(registry)` and passed in.

Label values come only from small fixed sets (topic labels, region slugs, statuses, dead-letter
reasons, reload results), and every labelled series is created at zero so a dashboard sees it before
it first moves. What is read at scrape time (model info, consumer lag in records and seconds, one
series per assigned input partition) is `stream.live.LiveState`, registered here as `live`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from newsfeed.models.schema import DEAD_LETTER_REASONS, STATUSES, WARNINGS, Article, Enrichment
from newsfeed.models.taxonomy import REGIONS, TOPICS
from newsfeed.stream.live import LiveState

BATCH_SIZE_BUCKETS = (1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000)
SECONDS_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# From 1 ms to 10 s, with bounds at the latency targets: p99 <= 250 ms at a steady load, and 1 s.
END_TO_END_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SCORE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
RELOAD_RESULTS = ("loaded", "refused")


@dataclass(frozen=True)
class Metrics:
    records_consumed: Counter
    records_produced: Counter
    records_dead_lettered: Counter
    batch_size: Histogram
    batch_seconds: Histogram
    slow_articles: Counter
    classification_seconds: Histogram
    topic_assignments: Counter
    region_assignments: Counter
    enrichment_statuses: Counter
    assigned_partitions: Gauge
    rebalances: Counter
    commit_failures: Counter
    last_poll: Gauge
    end_to_end_seconds: Histogram
    topic_scores: Histogram
    model_reloads: Counter
    model_load_seconds: Gauge
    record_warnings: Counter
    live: LiveState
    batch_limit: Gauge
    last_commit: Gauge

    def count_warnings(self, articles: Iterable[Article]) -> None:
        """The warnings written into enriched records, per ignored field and kind."""
        for article in articles:
            for warning in article.warnings:
                self.record_warnings.labels(warning.field, warning.kind).inc()

    def count_enrichments(self, enrichments: Iterable[Enrichment]) -> None:
        for enrichment in enrichments:
            self.enrichment_statuses.labels(enrichment.status).inc()
            if enrichment.status == "ok":  # the others score 0 by rule, which would hide a drift
                for label, score in enrichment.topic_scores.items():
                    if label in TOPICS:
                        self.topic_scores.labels(label).observe(score)
            for label in enrichment.topics:
                if label in TOPICS:
                    self.topic_assignments.labels(label).inc()
            for region in enrichment.regions:
                if region in REGIONS:
                    self.region_assignments.labels(region).inc()

    def set_model(self, version: str, sha256: str, rates: Mapping[str, float] | None = None) -> None:
        """Make the model-info series name this model (and only this one), and the expected-rate series show
        its rates (none when it has none)."""
        self.live.model(version, sha256, rates)

    def observe_end_to_end(self, timestamps_ms: Iterable[int], now_s: float) -> None:
        """Time from each record's Kafka timestamp to `now_s`; records without a timestamp (-1) are skipped."""
        for timestamp_ms in timestamps_ms:
            if timestamp_ms >= 0:
                self.end_to_end_seconds.observe(max(0.0, now_s - timestamp_ms / 1000))


def create_metrics(registry: CollectorRegistry) -> Metrics:
    metrics = Metrics(
        records_consumed=Counter(
            "newsfeed_records_consumed_total", "Records read from the input topic.", registry=registry),
        records_produced=Counter(
            "newsfeed_records_produced_total", "Enriched records written to the output topic.", registry=registry),
        records_dead_lettered=Counter(
            "newsfeed_records_dead_lettered_total", "Input records written to the dead-letter topic, by reason.",
            ["reason"], registry=registry),
        batch_size=Histogram(
            "newsfeed_batch_size_records", "Records per polled batch.", buckets=BATCH_SIZE_BUCKETS,
            registry=registry),
        batch_seconds=Histogram(
            "newsfeed_batch_processing_seconds", "Time from a batch's poll to its commit.",
            buckets=SECONDS_BUCKETS, registry=registry),
        slow_articles=Counter(
            "newsfeed_slow_articles_total", "Articles whose own classification took longer than --slow-article-ms.",
            registry=registry),
        classification_seconds=Histogram(
            "newsfeed_classification_seconds", "Time of one classify call over a batch's articles.",
            buckets=SECONDS_BUCKETS, registry=registry),
        topic_assignments=Counter(
            "newsfeed_topic_assignments_total", "Articles assigned each topic label.", ["label"],
            registry=registry),
        region_assignments=Counter(
            "newsfeed_region_assignments_total", "Articles assigned each region.", ["region"], registry=registry),
        enrichment_statuses=Counter(
            "newsfeed_enrichments_total", "Enrichments by status (ok, too_short, unsupported_language).",
            ["status"], registry=registry),
        assigned_partitions=Gauge(
            "newsfeed_assigned_partitions", "Input partitions assigned to this worker.", registry=registry),
        rebalances=Counter(
            "newsfeed_rebalances_total", "Partition assignments received from the group.", registry=registry),
        commit_failures=Counter(
            "newsfeed_commit_failures_total", "Offset commits that failed (the batch will be redone).",
            registry=registry),
        last_poll=Gauge(
            "newsfeed_last_poll_timestamp_seconds", "Unix time the poll loop last returned from a poll.",
            registry=registry),
        end_to_end_seconds=Histogram(
            "newsfeed_end_to_end_seconds", "Time from an input record's Kafka timestamp to its output being "
            "acknowledged (enriched or dead-lettered).", buckets=END_TO_END_BUCKETS, registry=registry),
        topic_scores=Histogram(
            "newsfeed_topic_score", "Scores the model gave each topic label, for articles it judged (status ok).",
            ["label"], buckets=SCORE_BUCKETS, registry=registry),
        model_reloads=Counter(
            "newsfeed_model_reloads_total", "New models found in the registry, by result (loaded, refused).",
            ["result"], registry=registry),
        model_load_seconds=Gauge(
            "newsfeed_model_load_seconds", "Time the serving model took to load and verify.", registry=registry),
        record_warnings=Counter(
            "newsfeed_record_warnings_total", "Warnings in enriched records: optional input fields ignored "
            "because malformed, by field and kind.", ["field", "kind"], registry=registry),
        live=LiveState(),
        batch_limit=Gauge(
            "newsfeed_batch_limit_records", "Most records the next poll may take: --batch-size, or fewer when "
            "batches measured too slow for the time budget (half of max.poll.interval.ms).", registry=registry),
        last_commit=Gauge(
            "newsfeed_last_commit_timestamp_seconds", "Unix time this worker last committed a batch: with records "
            "waiting, the time since it is how long its output has paused (a rebalance, a restart, a stall).",
            registry=registry),
    )
    registry.register(metrics.live)
    for reason in DEAD_LETTER_REASONS:
        metrics.records_dead_lettered.labels(reason)
    for label in TOPICS:
        metrics.topic_assignments.labels(label)
    for region in REGIONS:
        metrics.region_assignments.labels(region)
    for status in STATUSES:
        metrics.enrichment_statuses.labels(status)
    for label in TOPICS:
        metrics.topic_scores.labels(label)
    for result in RELOAD_RESULTS:
        metrics.model_reloads.labels(result)
    for name, kind in WARNINGS:  # fields and kinds are fixed sets too (models.schema.WARNINGS)
        metrics.record_warnings.labels(name, kind)
    return metrics
