"""What a scrape reads as it is at that moment: the model serving (and its expected label rates), and each
assigned partition's lag in records and in seconds.

The poll loop hands its observations to `LiveState` (each update swaps in new dicts, never mutates one a
scrape may be reading), and the collector builds the series when Prometheus asks. So a scrape never
lands between a clear and a set (no series missing), and an age in seconds keeps growing while a long
batch is in hand instead of standing still at its last value.

Lag in seconds is the age of the oldest record of a partition not yet processed, from record timestamps
(the producer's CreateTime, or the broker's LogAppendTime if the topic says so):
- a polled batch holds the oldest unprocessed record of each of its partitions: its first one;
- after a batch is committed, a partition with records left behind it (offset lag > 0) has its next
  record unknown until the next poll; its age is estimated from the batch's last record, which is older
  than it or as old: an upper bound, off by at most the gap between two consecutive records;
- a partition with no offset lag and nothing in hand is 0 s behind.
A partition with offset lag whose records were never polled yet (just assigned) has no age series until
its first poll returns records.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol

from prometheus_client.metrics_core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.registry import Collector

Partition = tuple[str, int]


class Timestamped(Protocol):
    topic: str
    partition: int
    timestamp_ms: int


class LiveState(Collector):
    """The model serving and per-partition freshness, read by Prometheus at scrape time."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self._clock = clock
        self._model: dict[str, str] | None = None
        self._rates: Mapping[str, float] = {}  # the serving model's expected rate per topic label, if it has them
        self._lags: Mapping[Partition, int] = {}
        self._oldest_ms: Mapping[Partition, int] = {}  # per partition: timestamp of its oldest unprocessed record

    def model(self, version: str, sha256: str, rates: Mapping[str, float] | None = None) -> None:
        # Rates first: a scrape between the two lines sees the new rates beside the old version at worst.
        self._rates = dict(rates or {})
        self._model = {"version": version, "sha256": sha256}

    def polled(self, records: Sequence[Timestamped], lags: Mapping[Partition, int]) -> None:
        """After a poll: the records it returned (now in hand) and the offset lag of each assigned partition
        behind them. Partitions no longer assigned are forgotten."""
        oldest = {key: stamp for key, stamp in self._oldest_ms.items() if key in lags}
        for record in records:
            key = (record.topic, record.partition)
            if key not in oldest and record.timestamp_ms >= 0:  # records come in offset order per partition
                oldest[key] = record.timestamp_ms
        self._lags, self._oldest_ms = dict(lags), oldest

    def processed(self, records: Sequence[Timestamped]) -> None:
        """After a batch's commit: its records are no longer unprocessed."""
        newest: dict[Partition, int] = {}
        for record in records:
            key = (record.topic, record.partition)
            newest[key] = max(newest.get(key, -1), record.timestamp_ms)
        oldest = dict(self._oldest_ms)
        for key, stamp in newest.items():
            if self._lags.get(key, 0) > 0 and stamp >= 0:
                oldest[key] = stamp  # the next record is at least this new: an upper bound on its age
            else:
                oldest.pop(key, None)
        self._oldest_ms = oldest

    def collect(self) -> Iterable[Metric]:
        now_ms = self._clock() * 1000
        lags, oldest, model = self._lags, self._oldest_ms, self._model  # one consistent reading
        yield from self._families(lags, oldest, model, now_ms)
        yield self._expected(self._rates)

    def describe(self) -> Iterable[Metric]:
        # The names only, so a registry refuses another metric of the same name.
        yield from self._families({}, {}, None, 0.0)
        yield self._expected({})

    @staticmethod
    def _expected(rates: Mapping[str, float]) -> Metric:
        # No series for a model without rates: the drift alert then has nothing to compare and stays quiet.
        family = GaugeMetricFamily("newsfeed_label_expected_rate", "Share of judged articles the serving model "
                                   "assigned each topic label on its validation articles (its metadata's "
                                   "expected_rates); absent when the model has none.", labels=["label"])
        for label, rate in rates.items():
            family.add_metric([label], rate)
        return family

    @staticmethod
    def _families(lags: Mapping[Partition, int], oldest: Mapping[Partition, int], model: dict[str, str] | None,
                  now_ms: float) -> Iterable[Metric]:
        info = InfoMetricFamily("newsfeed_model", "The model serving: its version and sha256.")
        if model is not None:
            info.add_metric([], model)
        yield info
        records = GaugeMetricFamily("newsfeed_consumer_lag_records", "Records behind the end of each assigned "
                                    "input partition (high-water mark minus position).", labels=["partition"])
        seconds = GaugeMetricFamily("newsfeed_consumer_lag_seconds", "Age of the oldest record of each assigned "
                                    "input partition not yet processed, from record timestamps; 0 when caught "
                                    "up.", labels=["partition"])
        for (topic, partition), lag in sorted(lags.items()):
            records.add_metric([str(partition)], lag)
            stamp = oldest.get((topic, partition))
            if stamp is not None:
                seconds.add_metric([str(partition)], max(0.0, (now_ms - stamp) / 1000))
            elif lag == 0:
                seconds.add_metric([str(partition)], 0.0)
        yield records
        yield seconds
