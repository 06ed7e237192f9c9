"""One HTTP endpoint for a `--processes N` worker: the parent serves /metrics, /livez and /readyz for all
of its children, so a pod is one scrape target and one probe address whatever N is.

Each child serves its own endpoint on a loopback port of its choosing and tells the parent where (a
queue shared before the fork). At scrape time the parent's collector reads every child's /metrics in
the OpenMetrics format and yields each family once, every sample with a `process` label (the child's
index); the parent's probes ask the children's.

Why a collector in the parent and not prometheus_client's multiprocess mode: multiprocess mode only
merges the values that counters, gauges and histograms write to files. The series read at scrape time
by a custom collector (`stream.live`: model info, lag in records and seconds, the process metrics) have
no file and would be lost, and gauges would need a merge mode each. A child's endpoint is the whole
truth about that child; the parent only adds which child it was.
"""

from __future__ import annotations

import logging
import queue
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Any

from prometheus_client.metrics_core import Metric
from prometheus_client.openmetrics.parser import text_string_to_metric_families
from prometheus_client.registry import Collector
from prometheus_client.samples import Sample

log = logging.getLogger(__name__)

OPENMETRICS = "application/openmetrics-text;version=1.0.0"
CHILD_TIMEOUT_S = 5  # a scrape or probe waits this long at most for one child


class Children(Collector):
    """The children's endpoints as the parent knows them; a collector of their metrics, and their probes."""

    def __init__(self, count: int, addresses: Any):
        self._count = count
        self._reports = addresses  # a multiprocessing queue of (index, "host:port") from the children
        self._addresses: dict[int, str] = {}

    def report(self, index: int, address: str) -> None:
        """Called in child `index` once its endpoint listens."""
        self._reports.put((index, address))

    def addresses(self) -> dict[int, str]:
        while True:
            try:
                index, address = self._reports.get_nowait()
            except queue.Empty:
                return dict(self._addresses)
            self._addresses[index] = address

    def collect(self) -> Iterable[Metric]:
        merged: dict[str, Metric] = {}
        for index, address in sorted(self.addresses().items()):
            try:
                text = _get(address, "/metrics", {"Accept": OPENMETRICS})[1]
            except OSError as exc:  # a child stopping or stuck: its series are missing from this scrape
                log.warning("a worker process's metrics were not read", extra={"worker_process": index,
                                                                              "error": str(exc)})
                continue
            for family in text_string_to_metric_families(text):
                into = merged.setdefault(family.name, Metric(family.name, family.documentation, family.type,
                                                             family.unit))
                into.samples.extend(Sample(s.name, {**s.labels, "process": str(index)}, s.value, s.timestamp,
                                           s.exemplar) for s in family.samples)
        return merged.values()

    def describe(self) -> Iterable[Metric]:
        return []  # the names are the children's, known only when they answer

    def restricted_registry(self, names: Iterable[str]) -> Collector:
        """The families with a sample among `names` (a scrape's name[] parameters), as a registry's would be;
        prometheus_client's own RestrictedRegistry finds collectors by the names they describe, and these
        are known only at scrape time."""
        wanted = set(names)
        return _Restricted(self, wanted)

    def live(self) -> tuple[bool, str]:
        """Live while every child is: one stuck child is a stuck pod (its partitions wait)."""
        answers = self._probe("/livez")
        failing = [f"process {index}: {detail}" for index, (ok, detail) in answers.items() if not ok]
        if failing:
            return False, "; ".join(failing)
        return True, f"{len(answers)} worker processes alive"

    def ready(self) -> tuple[bool, str]:
        """Ready while any child holds partitions: the others may be idle when the group has more members
        than partitions, and that is no reason to take the pod out."""
        answers = self._probe("/readyz")
        detail = "; ".join(f"process {index}: {text}" for index, (_, text) in sorted(answers.items()))
        return any(ok for ok, _ in answers.values()), detail

    def _probe(self, path: str) -> dict[int, tuple[bool, str]]:
        addresses = self.addresses()
        answers = {index: (False, "not serving yet") for index in range(self._count) if index not in addresses}
        for index, address in addresses.items():
            try:
                status, text = _get(address, path, {})
                answers[index] = (status == 200, text.strip())
            except OSError as exc:
                answers[index] = (False, f"no answer: {exc}")
        return answers


def _get(address: str, path: str, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(f"http://{address}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=CHILD_TIMEOUT_S) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:  # a probe's 503 is an answer, not a failure to answer
        return error.code, error.read().decode()


class _Restricted(Collector):
    def __init__(self, children: Children, names: set[str]):
        self._children, self._names = children, names

    def collect(self) -> Iterable[Metric]:
        for family in self._children.collect():
            samples = [sample for sample in family.samples if sample.name in self._names]
            if samples:
                kept = Metric(family.name, family.documentation, family.type, family.unit)
                kept.samples = samples
                yield kept
