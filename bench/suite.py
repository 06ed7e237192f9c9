"""The benchmark, start to end: every figure of bench/results.json measured in one run.

Order: the model alone (nothing else running), then one pre-loaded input topic drained by one
worker process, by two processes in one group and by the naive loop (each with its own group and
output topic), then a paced load for the latency, then every topic and group made is deleted.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.broker import PacedLoad, Run, TopicWatch, create_topics, delete_topics, preload, unique_prefix
from bench.corpus import Corpus, load_corpus
from bench.machine import CpuShare, broker_pid, load_average, machine_facts, now_utc
from bench.model import decode_corpus, model_throughput, sklearn_vectorizer_throughput
from bench.report import cpu_ratios, render_table, target_checks
from bench.workers import ROOT, Workers

log = logging.getLogger("bench")


@dataclass(frozen=True)
class Plan:
    bootstrap: str
    data_dir: str
    records: int = 20_000
    model_seconds: float = 8.0
    naive_seconds: float = 20.0
    latency_rate: float = 100.0
    latency_seconds: float = 60.0
    processes_flag: bool = True  # two processes as `newsfeed worker --processes 2` (else two commands)
    out: Path = ROOT / "bench" / "results.json"
    quiet_share: float = 0.15  # before each measure, wait until other jobs take less than this share of the CPU...
    quiet_wait_s: float = 120.0  # ...for at most this long (then measure anyway; the share is recorded)
    broker_pid: int | None = None  # the local broker's JVM, counted as ours when measuring others' load


def run_suite(plan: Plan) -> dict[str, Any]:
    from newsfeed.stream.app import load_model
    from newsfeed.stream.settings import Settings

    settings = Settings.from_env(os.environ)  # the workers read the same environment (model, batch size)
    started = time.monotonic()
    results: dict[str, Any] = {"date": now_utc(), "machine": machine_facts(), "load_average_before": load_average()}
    corpus = load_corpus(plan.data_dir)
    model = load_model(settings.model_dir)
    results["model"] = {"version": model.version, "sha256": model.sha256}
    results["corpus"] = {"articles": len(corpus.values), "mean_record_bytes": round(corpus.mean_bytes)}
    results["records"] = plan.records
    results["batch_size"] = settings.batch_size

    log.info("model alone")
    sizes = sorted({1, 64, 512, settings.batch_size})
    articles = decode_corpus(corpus.values, settings.limits)
    results["waited_for_quiet_s"] = {"model_alone": wait_for_quiet(plan)}
    share = CpuShare(plan.broker_pid)
    share.start()
    results["model_alone"] = {str(k): v for k, v in
                              model_throughput(articles, sizes, model, plan.model_seconds, corpus.mean_bytes).items()}
    results["model_alone_cpu"] = share.stop()
    results["model_alone_aps"] = results["model_alone"][str(settings.batch_size)]["articles_per_s"]
    log.info("scikit-learn's vectorizer alone, the same vocabulary")
    results["sklearn_vectorizer"] = sklearn_vectorizer_throughput(
        articles, model.text_model.feature_names, settings.batch_size, plan.model_seconds)
    results["sklearn_vectorizer_aps"] = results["sklearn_vectorizer"]["articles_per_s"]
    del articles, model

    prefix = unique_prefix()
    made_topics: list[str] = []
    made_groups: list[str] = []
    with tempfile.TemporaryDirectory(prefix="newsfeed-bench-") as scratch:
        logs = Path(scratch)
        try:
            results["runs"] = _broker_runs(plan, corpus, prefix, logs, made_topics, made_groups)
        except BaseException:
            for path in sorted(logs.glob("*.log")):
                sys.stderr.write(f"--- {path.name}\n{path.read_text(errors='replace')[-2000:]}\n")
            raise
        finally:
            try:
                delete_topics(plan.bootstrap, made_topics, made_groups)
            except Exception as exc:  # cleanup is best effort; the figures are what matter
                log.warning("cleanup failed: %s", exc)

    runs = results["runs"]
    results["e2e_aps"] = runs["e2e"]["articles_per_s"]
    results["shadow_aps"] = runs["e2e_shadow"]["articles_per_s"]
    results["one_process_aps"] = runs["e2e"]["articles_per_s"]
    results["two_process_aps"] = runs["two_process"]["articles_per_s"]
    results["naive_aps"] = runs["naive"]["articles_per_s"]
    results["p99_ms_at_100aps"] = runs["latency"]["p99_ms"]
    results["worker_rss_mb"] = max(runs["e2e"]["rss_mb"].values())
    results["targets"] = target_checks(results)
    results["cpu_ratios"] = cpu_ratios(results)
    results["load_average_after"] = load_average()
    results["bench_seconds"] = round(time.monotonic() - started)
    return results


def _broker_runs(plan: Plan, corpus: Corpus, prefix: str, logs: Path, topics: list[str],
                 groups: list[str]) -> dict[str, Any]:
    runs: dict[str, Any] = {}
    input_topic = f"{prefix}.raw"
    first = Run.new(plan.bootstrap, input_topic, "e2e")
    topics.append(input_topic)
    _create(first, topics, groups)
    values = corpus.cycle(plan.records)
    log.info("pre-loading %d records into %s", plan.records, input_topic)
    runs["preload_seconds"] = round(preload(plan.bootstrap, input_topic, values), 1)

    log.info("worker e2e, 1 process")
    runs["e2e"] = _drain(first, plan, logs, processes=1, record_bytes=corpus.mean_bytes)
    # The same drain with a shadow beside the champion: the shipped model shadowing itself costs what a
    # candidate of the same recipe costs. Right after the plain drain, so both meet the same machine.
    log.info("worker e2e, 1 process, with a shadow model")
    shadowed = Run.new(plan.bootstrap, input_topic, "shadow")
    _create(shadowed, topics, groups)
    runs["e2e_shadow"] = _drain(shadowed, plan, logs, processes=1, record_bytes=corpus.mean_bytes,
                                extra_args=["--shadow-model", _model_dir()])
    log.info("worker e2e, 2 processes")
    second = Run.new(plan.bootstrap, input_topic, "two")
    _create(second, topics, groups)
    runs["two_process"] = _drain(second, plan, logs, processes=2, record_bytes=corpus.mean_bytes)
    log.info("naive loop")
    naive = Run.new(plan.bootstrap, input_topic, "naive")
    _create(naive, topics, groups)
    runs["naive"] = _naive(naive, plan, corpus.mean_bytes)
    log.info("latency at %g articles/s", plan.latency_rate)
    paced = Run.new(plan.bootstrap, f"{prefix}.paced", "latency")
    topics.append(paced.input_topic)
    _create(paced, topics, groups)
    runs["latency"] = _latency(paced, plan, corpus, logs)
    return runs


def wait_for_quiet(plan: Plan) -> float:
    """On a shared machine, wait until other jobs leave the CPU mostly free (3 s samples); seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < plan.quiet_wait_s:
        share = CpuShare(plan.broker_pid)
        share.start()
        time.sleep(3)
        if share.stop()["others_share"] < plan.quiet_share:
            break
        log.info("other jobs are using the CPU; waiting before the next measure")
    return round(time.monotonic() - started, 1)


def _create(run: Run, topics: list[str], groups: list[str]) -> None:
    topics.extend(run.topics)
    groups.append(run.group)
    create_topics(run)


def _model_dir() -> str:
    from newsfeed.models.model_registry import resolve_model_dir

    return str(resolve_model_dir(os.environ.get("NEWSFEED_MODEL_DIR") or None))


def _drain(run: Run, plan: Plan, logs: Path, processes: int, record_bytes: float,
           extra_args: list[str] | None = None) -> dict[str, Any]:
    """Time from the first worker's readiness to the last enriched record's arrival, for all records."""
    waited = wait_for_quiet(plan)
    watch = TopicWatch(plan.bootstrap, run.output_topic)
    workers = Workers(run.env, logs, run.name.rsplit(".", 1)[-1], processes=processes, fork=plan.processes_flag,
                      extra_args=extra_args)
    share = CpuShare(plan.broker_pid)
    try:
        ready_at = workers.wait_ready()
        share.start()
        cpu_started = workers.cpu_seconds()
        count = watch.wait_for(plan.records, timeout_s=600, alive=workers.alive)
        if count < plan.records:
            raise RuntimeError(f"{run.output_topic}: {count} of {plan.records} records arrived:\n{workers.tail()}")
        cpu = workers.cpu_seconds() - cpu_started
        machine = share.stop()
        last = watch.last_timestamp_ms() / 1000
        rss = workers.peak_rss_mb()
        shadow = workers.shadow_batches() if extra_args else None
    finally:
        workers.stop()
        watch.close()
    seconds = last - ready_at
    rate = plan.records / seconds
    extra = {"shadow_batches": shadow} if shadow is not None else {}
    return {**extra, "processes": processes, "seconds": round(seconds, 2), "articles_per_s": round(rate, 1),
            "mb_per_s": round(rate * record_bytes / 1e6, 2), "rss_mb": {str(k): v for k, v in rss.items()},
            "worker_cpu_ms_per_article": round(1000 * cpu / plan.records, 3),
            "worker_cores_used": round(cpu / seconds, 2), "cpu": machine, "waited_for_quiet_s": waited}


def _naive(run: Run, plan: Plan, record_bytes: float) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.naive", plan.bootstrap, run.input_topic, run.output_topic, run.group,
               str(plan.naive_seconds)]
    waited = wait_for_quiet(plan)
    share = CpuShare(plan.broker_pid)
    share.start()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=plan.naive_seconds + 300)
    if done.returncode != 0:
        raise RuntimeError(f"naive loop failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["mb_per_s"] = round(result["articles_per_s"] * record_bytes / 1e6, 2)
    result["cpu"] = share.stop()  # includes the child's start-up (model load)
    result["waited_for_quiet_s"] = waited
    return result


def _latency(run: Run, plan: Plan, corpus: Corpus, logs: Path) -> dict[str, Any]:
    """A steady load on a live worker; latency = arrival on the output topic - the input record's timestamp."""
    waited = wait_for_quiet(plan)
    watch = TopicWatch(plan.bootstrap, run.output_topic)
    workers = Workers(run.env, logs, "latency", processes=1, fork=plan.processes_flag)
    load = PacedLoad(plan.bootstrap, run.input_topic)
    share = CpuShare(plan.broker_pid)
    try:
        workers.wait_ready()
        share.start()
        sent = load.run(corpus.cycle(len(corpus.values)), plan.latency_rate, plan.latency_seconds)
        received = watch.wait_for(sent, timeout_s=60, alive=workers.alive)
        machine = share.stop()
        sent_at = load.sent_at()
        records = watch.records()
    finally:
        load.close()
        workers.stop()
        watch.close()
    latencies = []
    for record in records:
        origin = json.loads(record.value)["origin"]
        latencies.append(record.timestamp - sent_at[(origin["partition"], origin["offset"])])
    latencies.sort()
    return {"rate": plan.latency_rate, "seconds": plan.latency_seconds, "sent": sent, "received": received,
            "p50_ms": _percentile(latencies, 50), "p95_ms": _percentile(latencies, 95),
            "p99_ms": _percentile(latencies, 99), "max_ms": float(latencies[-1]) if latencies else None,
            "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None, "cpu": machine,
            "waited_for_quiet_s": waited}


def _percentile(ordered: list[int], pct: float) -> float | None:
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return float(ordered[index])


def write_results(results: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    path.with_suffix(".txt").write_text(render_table(results) + "\n", encoding="utf-8")
