"""The bench's table and its ratios against the targets of issues 6 and 11."""

from __future__ import annotations

from typing import Any

# (name, how it is computed from results, comparison, target)
TARGETS = (
    ("e2e / model alone", lambda r: r["e2e_aps"] / r["model_alone_aps"], ">=", 0.8),
    ("e2e / naive", lambda r: r["e2e_aps"] / r["naive_aps"], ">=", 5.0),
    ("2 processes / 1 process", lambda r: r["two_process_aps"] / r["one_process_aps"], ">=", 1.7),
    ("p99 ms at 100 articles/s", lambda r: r["p99_ms_at_100aps"], "<=", 250.0),
    ("worker peak RSS MB", lambda r: r["worker_rss_mb"], "<=", 400.0),
    # Issue 11: the whole model at least as fast as scikit-learn's vectorizer alone, in the same run.
    ("model alone / sklearn vectorizer", lambda r: r["model_alone_aps"] / r["sklearn_vectorizer_aps"], ">=", 1.0),
)


# Not targets: the same comparisons by CPU time, which other jobs on a shared machine disturb far less.
CPU_RATIOS = (
    ("e2e / model alone, by CPU per article",
     lambda r: r["model_alone"][str(r["batch_size"])]["cpu_ms_per_article"] / r["runs"]["e2e"]["worker_cpu_ms_per_article"]),
    ("e2e / naive, by CPU per article",
     lambda r: r["runs"]["naive"]["cpu_ms_per_article"] / r["runs"]["e2e"]["worker_cpu_ms_per_article"]),
    ("2 processes / naive, articles/s", lambda r: r["two_process_aps"] / r["naive_aps"]),
    # Issue 12: what a shadow model costs the champion (no target: the shadow skips batches rather than slow it).
    ("with a shadow / without, articles/s", lambda r: r["shadow_aps"] / r["e2e_aps"]),
    ("with a shadow / without, by CPU per article",
     lambda r: r["runs"]["e2e_shadow"]["worker_cpu_ms_per_article"] / r["runs"]["e2e"]["worker_cpu_ms_per_article"]),
)


def cpu_ratios(results: dict[str, Any]) -> dict[str, float | None]:
    ratios = {}
    for name, compute in CPU_RATIOS:
        try:
            ratios[name] = round(compute(results), 2)
        except (KeyError, TypeError, ZeroDivisionError):
            ratios[name] = None
    return ratios


def target_checks(results: dict[str, Any]) -> list[dict[str, Any]]:
    checks = []
    for name, compute, op, target in TARGETS:
        try:
            value = compute(results)
        except (KeyError, TypeError, ZeroDivisionError):
            value = None
        met = value is not None and (value >= target if op == ">=" else value <= target)
        checks.append({"name": name, "value": None if value is None else round(value, 2), "target": f"{op} {target:g}",
                       "met": met})
    return checks


def render_table(results: dict[str, Any]) -> str:
    lines = [f"newsfeed bench  {results['date']}  {results['machine']['cores']} cores {results['machine']['cpu']}, "
             f"Python {results['machine']['python']}, model {results['model']['version']}", ""]
    lines.append(f"{'measure':<46} {'articles/s':>11} {'MB/s':>7} {'CPU ms/art':>10} {'others':>7}")
    others = _others(results["model_alone_cpu"])
    for size, row in results["model_alone"].items():
        lines.append(f"{'model alone, classify_batch of ' + str(size):<46} {row['articles_per_s']:>11.1f} "
                     f"{row['mb_per_s']:>7.2f} {row['cpu_ms_per_article']:>10.2f} {others:>7}")
    for key, label in (("e2e", f"worker e2e, 1 process, drain {results['records']}"),
                       ("e2e_shadow", "  the same with --shadow-model (same model)"),
                       ("two_process", f"worker e2e, 2 processes, drain {results['records']}"),
                       ("naive", "naive loop (poll 1, classify, produce, flush)")):
        row = results["runs"].get(key)
        if row is None:  # results of a bench older than that measure
            continue
        cpu = row.get("worker_cpu_ms_per_article", row.get("cpu_ms_per_article"))
        lines.append(f"{label:<46} {row['articles_per_s']:>11.1f} {row.get('mb_per_s', 0):>7.2f} {cpu:>10.2f} "
                     f"{_others(row['cpu']):>7}")
    latency = results["runs"]["latency"]
    lines.append("")
    lines.append(f"latency at {latency['rate']:g} articles/s for {latency['seconds']:g} s: p50 {latency['p50_ms']:.0f} ms, "
                 f"p95 {latency['p95_ms']:.0f} ms, p99 {latency['p99_ms']:.0f} ms, max {latency['max_ms']:.0f} ms "
                 f"({latency['received']}/{latency['sent']} received; others {_others(latency['cpu'])})")
    shadow = results["runs"].get("e2e_shadow", {}).get("shadow_batches") or {}
    if shadow:
        lines.append("shadow batches: " + ", ".join(f"{k} {v:g}" for k, v in sorted(shadow.items()))
                     + " (skipped: the shadow was busy; the champion never waits for it)")
    lines.append("'others': CPU share of the 2 cores taken by processes outside the bench during that measure")
    lines.append(f"worker peak RSS: {results['worker_rss_mb']:.0f} MB (1 process); "
                 f"2 processes: {', '.join(f'{mb:.0f}' for mb in results['runs']['two_process']['rss_mb'].values())} MB")
    lines.append("")
    lines.append(f"{'target':<30} {'value':>8} {'wanted':>8}  met")
    for check in results["targets"]:
        value = "-" if check["value"] is None else f"{check['value']:g}"
        lines.append(f"{check['name']:<30} {value:>8} {check['target']:>8}  {'yes' if check['met'] else 'NO'}")
    lines.append("")
    for name, value in results.get("cpu_ratios", {}).items():
        lines.append(f"{name:<40} {'-' if value is None else f'{value:g}':>8}")
    cores = [f"{results['runs'][k]['worker_cores_used']:g}" for k in ("e2e", "two_process")]
    lines.append(f"{'cores used by the workers, 1 / 2 processes':<40} {' / '.join(cores):>8}")
    return "\n".join(lines)


def _others(cpu: dict[str, float]) -> str:
    """Other processes' CPU as a share of the whole machine (all cores) during a measure."""
    return f"{100 * cpu['others_share']:.0f}%"
