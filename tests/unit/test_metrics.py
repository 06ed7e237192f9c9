"""The metrics a dashboard reads, as the worker loop and the rebalance listener move them."""

import threading
import time
from dataclasses import replace

from prometheus_client import CollectorRegistry

from newsfeed.models.schema import DEAD_LETTER_REASONS, STATUSES
from newsfeed.models.taxonomy import REGIONS, TOPICS
from newsfeed.stream.app import _assignment_reporter
from newsfeed.stream.health import Health
from newsfeed.stream.live import LiveState
from newsfeed.stream.metrics import create_metrics
from newsfeed.stream.settings import Settings
from newsfeed.stream.worker import Worker
from stream_fakes import FakeModel, FakeSink, FakeSource, FixedClassifier, article_bytes, fixed_enrichment, record

SETTINGS = Settings.from_env({})


def run_once(source):
    registry = CollectorRegistry()
    stop = threading.Event()
    source.after_poll = lambda _: stop.set()
    worker = Worker(SETTINGS, source, FakeSink(), lambda: FakeModel(), FixedClassifier(), create_metrics(registry),
                    Health(stall_after_s=60))
    worker.run(stop)
    return registry


def sample(registry, name, **labels):
    return registry.get_sample_value(name, labels)


def test_every_series_of_a_fixed_label_set_exists_at_zero():
    registry = CollectorRegistry()
    create_metrics(registry)
    for reason in DEAD_LETTER_REASONS:
        assert sample(registry, "newsfeed_records_dead_lettered_total", reason=reason) == 0
    for label in TOPICS:
        assert sample(registry, "newsfeed_topic_assignments_total", label=label) == 0
        assert sample(registry, "newsfeed_topic_score_count", label=label) == 0
    for region in REGIONS:
        assert sample(registry, "newsfeed_region_assignments_total", region=region) == 0
    for status in STATUSES:
        assert sample(registry, "newsfeed_enrichments_total", status=status) == 0
    for result in ("loaded", "refused"):
        assert sample(registry, "newsfeed_model_reloads_total", result=result) == 0


def test_lag_follows_the_assigned_partitions_after_each_poll():
    source = FakeSource([[]], lag={("articles.raw", 0): 120, ("articles.raw", 3): 0})
    registry = run_once(source)
    assert sample(registry, "newsfeed_consumer_lag_records", partition="0") == 120
    assert sample(registry, "newsfeed_consumer_lag_records", partition="3") == 0
    assert sample(registry, "newsfeed_consumer_lag_seconds", partition="3") == 0  # caught up

    live = LiveState()
    live.polled([], {("articles.raw", 0): 5, ("articles.raw", 1): 7})
    live.polled([], {("articles.raw", 1): 2})  # partition 0 was revoked: its series goes
    registry = CollectorRegistry()
    registry.register(live)
    assert sample(registry, "newsfeed_consumer_lag_records", partition="0") is None
    assert sample(registry, "newsfeed_consumer_lag_records", partition="1") == 2


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def stamped(partition: int, offset: int, timestamp_s: float):
    return replace(record(offset, b"{}", partition=partition), timestamp_ms=int(timestamp_s * 1000))


def test_lag_in_seconds_is_the_age_of_the_oldest_unprocessed_record_read_at_scrape_time():
    clock = Clock(1000.0)
    live = LiveState(clock)
    registry = CollectorRegistry()
    registry.register(live)
    age = lambda partition: sample(registry, "newsfeed_consumer_lag_seconds", partition=str(partition))  # noqa: E731

    batch = [stamped(0, 10, 940.0), stamped(0, 11, 950.0), stamped(1, 3, 990.0)]
    live.polled(batch, {("articles.raw", 0): 4, ("articles.raw", 1): 0})
    assert (age(0), age(1)) == (60.0, 10.0)  # the batch in hand: its first record per partition
    clock.now = 1030.0
    assert (age(0), age(1)) == (90.0, 40.0)  # a slow batch: the age grows between polls, at each scrape

    live.processed(batch)
    # Partition 0 has 4 records left behind the batch: at most as old as the batch's last one (950).
    assert (age(0), age(1)) == (80.0, 0.0)
    live.polled([stamped(0, 12, 1020.0)], {("articles.raw", 0): 3, ("articles.raw", 1): 0})
    assert age(0) == 80.0  # still the estimate: the newly polled record is not older than it
    live.processed([stamped(0, 12, 1020.0)])
    assert age(0) == 10.0


def test_the_model_is_an_info_metric_naming_only_the_model_serving():
    live = LiveState()
    registry = CollectorRegistry()
    registry.register(live)
    assert sample(registry, "newsfeed_model_info", version="v1", sha256="a" * 64) is None  # none loaded yet
    live.model("v1", "a" * 64)
    live.model("v2", "b" * 64)
    assert sample(registry, "newsfeed_model_info", version="v2", sha256="b" * 64) == 1
    assert sample(registry, "newsfeed_model_info", version="v1", sha256="a" * 64) is None


def test_end_to_end_time_runs_from_the_record_timestamp_to_its_acknowledged_output():
    now_ms = int(time.time() * 1000)
    batch = [
        replace(record(0, article_bytes("a1")), timestamp_ms=now_ms - 2000),
        replace(record(1, b"{not json"), timestamp_ms=now_ms - 2000),  # a dead letter is an output too
        replace(record(2, article_bytes("a2")), timestamp_ms=-1),
    ]
    registry = run_once(FakeSource([batch]))
    assert sample(registry, "newsfeed_end_to_end_seconds_count") == 2  # the record without a timestamp is not timed
    assert sample(registry, "newsfeed_end_to_end_seconds_bucket", le="1.0") == 0
    assert sample(registry, "newsfeed_end_to_end_seconds_bucket", le="2.5") == 2
    assert 4 <= sample(registry, "newsfeed_end_to_end_seconds_sum") <= 4 + 60


def test_score_histograms_count_judged_articles_only():
    registry = CollectorRegistry()
    metrics = create_metrics(registry)
    ok = fixed_enrichment(FakeModel())  # space 0.9, diplomacy 0.1, defence 0.2
    too_short = replace(ok, status="too_short")
    metrics.count_enrichments([ok, ok, too_short])
    assert sample(registry, "newsfeed_topic_score_count", label="space") == 2
    assert sample(registry, "newsfeed_topic_score_bucket", label="space", le="0.8") == 0
    assert sample(registry, "newsfeed_topic_score_bucket", label="space", le="0.9") == 2
    assert sample(registry, "newsfeed_topic_score_bucket", label="diplomacy", le="0.1") == 2
    assert sample(registry, "newsfeed_enrichments_total", status="too_short") == 1


def test_rebalances_count_assignments_that_give_partitions_not_each_revocation():
    registry = CollectorRegistry()
    metrics = create_metrics(registry)
    report = _assignment_reporter(Health(stall_after_s=60), metrics)
    report(frozenset())  # the first join revokes nothing
    report(frozenset({("articles.raw", 0), ("articles.raw", 1)}))
    report(frozenset())  # a second member joins: all revoked, then one partition back
    report(frozenset({("articles.raw", 0)}))
    assert sample(registry, "newsfeed_rebalances_total") == 2
    assert sample(registry, "newsfeed_assigned_partitions") == 1
