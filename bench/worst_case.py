"""`python -m bench --worst-case`: what one adversarial article costs at the largest size the limits allow.

Each shape of bench/adversarial.py is built at the per-field limit (100,000 characters, the
worker's --max-text-chars default), encoded as the JSON a producer would send, and put through the
worker's own path without Kafka: decode with the worker's limits, then classify with the shipped
model. Prints, per shape, the record's size, the seconds of one classification (CPU time, best of
three rounds of repeated calls), the seconds per 100 KB of record, and the growth exponent over 12.5k to 100k characters
(1 is linear, 2 quadratic). Target: at most 0.5 s per 100 KB for every shape, and linear growth.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.adversarial import SHAPES, Shape

TARGET_SECONDS_PER_100KB = 0.5
# Growth exponents above this are not linear: fixed costs bring a linear path's figure below 1.
MAX_GROWTH_EXPONENT = 1.3
LARGEST_CHARS = 100_000
GROWTH_SIZES = (12_500, 25_000, 50_000, 100_000)


@dataclass(frozen=True)
class WorstCase:
    shape: str
    what: str
    record_bytes: int
    seconds: float
    seconds_per_100kb: float
    growth_exponent: float


def cpu_seconds(run: Callable[[], object], min_seconds: float = 0.02, repeats: int = 3) -> float:
    """CPU seconds of one call of `run`: calls repeated until `min_seconds` have passed, best of
    `repeats` such rounds. CPU time of this process, so other processes on the machine do not count."""
    best = math.inf
    for _ in range(repeats):
        calls, start = 0, time.process_time()
        while True:
            run()
            calls += 1
            elapsed = time.process_time() - start
            if elapsed >= min_seconds:
                break
        best = min(best, elapsed / calls)
    return best


def growth_exponent(costs: list[float]) -> float:
    """Least-squares slope of log2(cost) over sizes that double: 1 for linear cost, 2 for quadratic."""
    xs = range(len(costs))
    ys = [math.log2(max(c, 1e-7)) for c in costs]
    mean_x, mean_y = sum(xs) / len(costs), sum(ys) / len(costs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sum((x - mean_x) ** 2 for x in xs)


def _record(shape: Shape, size: int) -> bytes:
    return json.dumps({"id": shape.name, **shape.at(size)}, ensure_ascii=False).encode()


def run_worst_case() -> list[WorstCase]:
    from newsfeed.models.artifact import load_model
    from newsfeed.models.classifier import classify_batch
    from newsfeed.models.model_registry import resolve_model_dir
    from newsfeed.models.schema import Article
    from newsfeed.stream.codec import decode_article
    from newsfeed.stream.settings import Settings

    model = load_model(resolve_model_dir(None))
    limits = Settings.from_env({}).limits
    classify_batch([Article(id="warm", title="Café talks", text="The minister met officials in the city.")], model)
    results = []
    for shape in SHAPES:
        costs = []
        for size in GROWTH_SIZES:
            value = _record(shape, size)
            costs.append(cpu_seconds(lambda: classify_batch([decode_article(value, limits)], model)))
        largest = len(_record(shape, LARGEST_CHARS))
        results.append(WorstCase(shape.name, shape.what, largest, costs[-1], costs[-1] / (largest / 100_000),
                                 growth_exponent(costs)))
    return results


def render(results: list[WorstCase]) -> str:
    lines = [f"{'shape':30s} {'record':>10s} {'seconds':>8s} {'s/100KB':>8s} {'growth':>6s}  within target",
             "-" * 80]
    for r in sorted(results, key=lambda r: -r.seconds_per_100kb):
        ok = r.seconds_per_100kb <= TARGET_SECONDS_PER_100KB and r.growth_exponent <= MAX_GROWTH_EXPONENT
        lines.append(f"{r.shape:30s} {r.record_bytes:>10,} {r.seconds:8.3f} {r.seconds_per_100kb:8.3f} "
                     f"{r.growth_exponent:6.2f}  {'yes' if ok else 'NO'}")
    worst = max(results, key=lambda r: r.seconds_per_100kb)
    lines.append(f"worst: {worst.shape} at {worst.seconds_per_100kb:.3f} s per 100 KB "
                 f"(target {TARGET_SECONDS_PER_100KB} s); growth exponent at most "
                 f"{max(r.growth_exponent for r in results):.2f} (1 linear, 2 quadratic)")
    return "\n".join(lines)
