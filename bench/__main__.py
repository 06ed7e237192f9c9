"""`python -m bench`: measure the model alone, the worker through the real broker, the naive loop,
scaling over two processes, latency under a steady load and a worker's peak memory, in one run.

Prints a table and writes bench/results.json (and the same table to bench/results.txt; with --quick,
var/bench/results-quick.*). Uses the broker at NEWSFEED_BOOTSTRAP_SERVERS, else starts the project's
local one (deploy/local-kafka).
Takes about three minutes on two quiet cores, up to eight when other jobs hold the CPU: before each
measure it waits (up to 2 minutes) for them to leave it mostly free, and it records their share during
each measure.
`--quick` is a smaller run to check that it works. `--worst-case` measures only the adversarial
articles of bench/adversarial.py (see bench/worst_case.py), without a broker.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import subprocess
import sys
from pathlib import Path

from bench.machine import broker_pid
from bench.report import render_table
from bench.suite import Plan, run_suite, write_results
from bench.workers import ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"), metavar="DIR",
                        help="data directory with nasa-news-2024/ and whitehouse-briefing-room/ (default ../shared/data)")
    parser.add_argument("--records", type=int, default=20_000, help="records each drain run reads (default 20000)")
    parser.add_argument("--rate", type=float, default=100.0, help="articles/s of the latency run (default 100)")
    parser.add_argument("--latency-seconds", type=float, default=60.0, help="length of the latency run (default 60)")
    parser.add_argument("--separate-commands", action="store_true",
                        help="run two processes as two `newsfeed worker` commands instead of one with --processes 2")
    parser.add_argument("--quiet-share", type=float, default=0.15, metavar="SHARE",
                        help="before each measure, wait until other processes use less than this share of the "
                             "CPU (default 0.15; 1 disables the wait)")
    parser.add_argument("--quiet-wait", type=float, default=120.0, metavar="SECONDS",
                        help="longest wait for that before measuring anyway (default 120)")
    parser.add_argument("--quick", action="store_true", help="a short run to check the bench works (figures rough)")
    parser.add_argument("--worst-case", action="store_true",
                        help="only the adversarial articles: seconds per 100 KB of each shape at the largest size "
                             "the input limits allow, and how its cost grows (no broker; about a minute)")
    parser.add_argument("--out", metavar="FILE",
                        help="where to write the results (default bench/results.json; with --quick "
                             "var/bench/results-quick.json, so a check never replaces the recorded figures)")
    args = parser.parse_args(argv)
    if args.worst_case:
        from bench.worst_case import render, run_worst_case
        print(render(run_worst_case()))
        return 0
    logging.basicConfig(level=logging.INFO, format="bench: %(message)s", stream=sys.stderr)
    logging.getLogger("kafka").setLevel(logging.ERROR)

    plan = Plan(bootstrap=_bootstrap(), broker_pid=broker_pid(), data_dir=args.data, records=args.records,
                latency_rate=args.rate, latency_seconds=args.latency_seconds,
                processes_flag=not args.separate_commands, out=_out(args), quiet_share=args.quiet_share,
                quiet_wait_s=args.quiet_wait)
    if args.quick:
        plan = dataclasses.replace(plan, records=2000, model_seconds=2, naive_seconds=5, latency_seconds=10)
    results = run_suite(plan)
    write_results(results, plan.out)
    print(render_table(results))
    return 0


def _out(args: argparse.Namespace) -> Path:
    if args.out:
        return Path(args.out)
    if args.quick:
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        return ROOT / "var" / "bench" / "results-quick.json"
    return ROOT / "bench" / "results.json"


def _bootstrap() -> str:
    given = os.environ.get("NEWSFEED_BOOTSTRAP_SERVERS")
    if given:
        return given
    started = subprocess.run(["bash", str(ROOT / "deploy" / "local-kafka" / "kafka.sh"), "start"],
                             capture_output=True, text=True, timeout=600)
    if started.returncode != 0:
        sys.exit(f"bench: the local broker did not start:\n{started.stderr[-3000:]}")
    return started.stdout.strip().splitlines()[-1]


if __name__ == "__main__":
    sys.exit(main())
