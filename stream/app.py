"""The worker process: load the model, serve /metrics and the probes, connect to Kafka, run the loop.

Start-up order is chosen to fail fast and clearly: settings, then the model (a broken artifact stops
the worker before it joins the group), then the HTTP endpoint, then topics and their size limits,
then the producer and the consumer. On the way out the consumer is closed first: a worker without a
slot leaves the group, which reassigns its partitions at once; a worker with a slot is a static member
and keeps them for the session timeout, so its restart costs the group no rebalance.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, ProcessCollector

from newsfeed.stream.children import Children
from newsfeed.stream.errors import NewsfeedError
from newsfeed.stream.health import Health, HttpServer
from newsfeed.stream.kafka_io.admin import connect_admin
from newsfeed.stream.kafka_io.connection import Partition
from newsfeed.stream.kafka_io.consumer import connect_source, group_instance_id
from newsfeed.stream.kafka_io.producer import connect_sink, connect_transactional_sink, transactional_id
from newsfeed.stream.metrics import Metrics, create_metrics
from newsfeed.stream.reload import ModelWatcher, smoke_check, watched_registry
from newsfeed.stream.security import describe_security
from newsfeed.stream.settings import Settings
from newsfeed.stream.shadow import Shadow, create_shadow_metrics
from newsfeed.stream.topics import ensure_topics, topic_limits
from newsfeed.stream.transactions import OffsetCommits, Transactions
from newsfeed.stream.worker import Worker

log = logging.getLogger(__name__)


def load_model(model_dir: str | None) -> Any:
    """The artifact at `model_dir` (a registry's current one, or the shipped model when None), verified."""
    # The model layer (numpy, scipy) is imported here, not at module top: `newsfeed produce`,
    # `consume` and `--help` do not need it, and the worker loop is unit-tested without it.
    from newsfeed.models.artifact import load_model as load_artifact
    from newsfeed.models.model_registry import resolve_model_dir

    directory: Path = resolve_model_dir(model_dir)
    return load_artifact(directory)


def default_classify() -> Any:
    from newsfeed.models.classifier import classify_batch

    return classify_batch


def install_stop_signals(stop: threading.Event) -> None:
    """SIGTERM or SIGINT asks the loop to stop after its batch; a second one stops the process at once."""

    def request_stop(signum: int, _frame: Any) -> None:
        log.info("stop requested; finishing the batch in hand", extra={"signal": signal.Signals(signum).name})
        stop.set()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)


def run_worker(settings: Settings, stop: threading.Event, model: Any = None,
               on_listening: Callable[[str], None] | None = None) -> None:
    """Run one worker until `stop` is set (or `settings.processes` of them, see stream.processes).
    Raises NewsfeedError subclasses for what stops it early. `model`: one already loaded. `on_listening`
    is told the HTTP endpoint's address once it listens."""
    if settings.processes > 1:
        _run_processes(settings, stop)
        return
    registry = CollectorRegistry()
    metrics = create_metrics(registry)
    ProcessCollector(registry=registry)  # process_cpu_seconds_total, process_resident_memory_bytes, ...
    health = Health(stall_after_s=settings.max_poll_interval_ms / 1000)

    model = model if model is not None else load_model(settings.model_dir)
    classify = default_classify()
    # One classification before joining the group: it refuses a model that cannot classify, and it builds
    # what the first batch would otherwise build while records wait (gazetteer, scoring caches: ~0.3 s).
    smoke_check(classify)(model)
    # What is loaded by now (libraries, the model) lives as long as the process: keep it out of the cyclic
    # collector's full passes, which otherwise walk all of it (~45 ms, twice per 10,000 articles).
    gc.freeze()
    metrics.model_load_seconds.set(model.load_seconds)
    watcher = _watcher(settings, model, classify, metrics)
    with contextlib.ExitStack() as resources:  # closed in reverse: consumer, producer, HTTP server, watcher
        if watcher is not None:
            watcher.start()
            resources.callback(watcher.close)
        server = HttpServer(settings.http_address, registry, health)
        resources.callback(server.close)
        log.info("http endpoint listening", extra={"address": server.address,
                                                   "paths": ["/metrics", "/livez", "/readyz"]})
        if on_listening is not None:
            on_listening(server.address)
        limits = _prepare_topics(settings)
        # Loaded before the consumer joins: a candidate's seconds of loading must not hold partitions idle.
        shadow = _shadow(settings, classify, registry, limits, resources)
        exactly_once = settings.guarantee == "exactly-once"
        # Exactly once: the producer initialises its transactions (fencing a zombie of this slot and
        # aborting what it left open) before the consumer joins the group and reads anything.
        sink = connect_transactional_sink(settings, limits) if exactly_once else connect_sink(settings, limits)
        resources.callback(sink.close)
        source = connect_source(settings, _assignment_reporter(health, metrics))
        resources.callback(source.close)
        commits = Transactions(sink, source) if exactly_once else OffsetCommits(source)
        model_source = watcher.model if watcher is not None else lambda: model
        worker = Worker(settings, source, sink, model_source, classify, metrics, health, commits,
                        shadow.offer if shadow is not None else None)
        log.info("worker started", extra={"input": settings.input_topic, "output": settings.output_topic,
                                          "dead_letters": settings.dead_letter_topic, "group": settings.group_id,
                                          "guarantee": settings.guarantee, "group_instance_id": group_instance_id(settings),
                                          "session_timeout_ms": settings.session_timeout_ms,
                                          **_delivery_fields(settings)})
        worker.run(stop)
    log.info("worker stopped")


def _run_processes(settings: Settings, stop: threading.Event) -> None:
    from newsfeed.stream.processes import run_processes

    model = load_model(settings.model_dir)
    smoke_check(default_classify())(model)  # warmed before the fork, so the children share what it built
    children = Children(settings.processes, multiprocessing.get_context("fork").Queue())

    def run_child(index: int, child_settings: Settings) -> None:
        child_stop = threading.Event()
        install_stop_signals(child_stop)
        run_worker(child_settings, child_stop, model, on_listening=lambda address: children.report(index, address))

    # The pod's one endpoint: every child's metrics with a `process` label, and the children's probes.
    server = HttpServer(settings.http_address, children, children)
    log.info("http endpoint listening", extra={"address": server.address, "paths": ["/metrics", "/livez", "/readyz"],
                                               "serves": f"{settings.processes} worker processes"})
    try:
        run_processes(settings, stop, run_child)
    finally:
        server.close()


def _shadow(settings: Settings, classify: Any, registry: CollectorRegistry, limits: dict[str, int],
            resources: contextlib.ExitStack) -> Shadow | None:
    """The shadow model's scorer, started, or None. A candidate that does not load or classify is logged and
    left out: a bad candidate must not stop the champion."""
    if settings.shadow_model_dir is None:
        return None
    try:
        candidate = load_model(settings.shadow_model_dir)
        smoke_check(classify)(candidate)
    except NewsfeedError as exc:
        log.error("shadow model refused; the worker runs without a shadow",
                  extra={"shadow_model": settings.shadow_model_dir, "error": str(exc)})
        return None
    publish = None
    if settings.shadow_topic is not None:
        # A producer of its own, never transactional: shadow records must not join (or hold up) the champion's
        # transactions, and they are diagnostics, so a lost one costs nothing but a sample.
        topic_sink = connect_sink(settings, {settings.shadow_topic: limits[settings.shadow_topic]})
        resources.callback(topic_sink.close)
        topic = settings.shadow_topic

        def publish(key: bytes, value: bytes) -> None:
            topic_sink.send(topic, key, value)

    shadow = Shadow(candidate, classify, create_shadow_metrics(registry), publish)
    shadow.start()
    resources.callback(shadow.close)  # closed before the shadow topic's producer: the thread may still send
    return shadow


def _delivery_fields(settings: Settings) -> dict[str, Any]:
    """How the worker connects and commits, for its start-up log line (no secret is among them)."""
    fields = describe_security(settings)
    if settings.guarantee == "exactly-once":
        fields["transactional_id"] = transactional_id(settings)
    return fields


def _watcher(settings: Settings, model: Any, classify: Any, metrics: Metrics) -> ModelWatcher | None:
    """A watcher following the registry's current pointer; None when the worker was given one artifact."""
    from newsfeed.models.artifact import load_model as load_artifact

    registry = watched_registry(settings.model_dir)
    if registry is None:
        return None
    log.info("following the model registry", extra={"registry": str(registry),
                                                    "interval_ms": settings.model_poll_interval_ms})
    return ModelWatcher(registry, model, load_artifact, smoke_check(classify), metrics,
                        settings.model_poll_interval_ms / 1000)


def _prepare_topics(settings: Settings) -> dict[str, int]:
    """max.message.bytes of every topic the worker writes (the shadow topic too, when set), created first
    with --create-topics."""
    admin = connect_admin(settings)
    try:
        if settings.create_topics:
            ensure_topics(admin, settings)
            if settings.shadow_topic is not None and admin.create_topic(settings.shadow_topic, settings.partitions, {}):
                log.info("topic created", extra={"topic": settings.shadow_topic, "partitions": settings.partitions})
        limits = topic_limits(admin, settings)
        if settings.shadow_topic is not None:
            limits |= admin.max_message_bytes([settings.shadow_topic])
        return limits
    finally:
        admin.close()


def _assignment_reporter(health: Health, metrics: Metrics):
    held: set[Partition] = set()

    def report(partitions: frozenset[Partition]) -> None:
        if partitions - held:  # a rebalance gave partitions (revocations report the shrunk set first)
            metrics.rebalances.inc()
        held.clear()
        held.update(partitions)
        health.assigned(partitions)
        metrics.assigned_partitions.set(len(partitions))
        log.info("assignment changed", extra={"partitions": [f"{t}[{p}]" for t, p in sorted(partitions)]})

    return report
