"""Worker processes under test: `python -m newsfeed worker` as real subprocesses, as a user runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class Workers:
    """One or more worker commands; `processes` > 1 is passed as --processes when `fork` is set,
    else that many separate `newsfeed worker` commands are started in the same group."""

    def __init__(self, env: dict[str, str], log_dir: Path, label: str, processes: int = 1, fork: bool = False,
                 extra_args: list[str] | None = None):
        self.log_paths: list[Path] = []
        self.procs: list[subprocess.Popen] = []
        self._expected_endpoints = processes
        full_env = {**os.environ, **env, "NEWSFEED_HTTP_ADDRESS": "127.0.0.1:0", "PYTHONUNBUFFERED": "1"}
        commands = ([["--processes", str(processes)]] if fork and processes > 1 else [[]] * processes)
        for n, args in enumerate(commands):
            log_path = log_dir / f"{label}-{n}.log"
            with open(log_path, "wb") as log:
                self.procs.append(subprocess.Popen(
                    [sys.executable, "-m", "newsfeed", "worker", *args, *(extra_args or [])], cwd=ROOT,
                    env=full_env, stdout=subprocess.DEVNULL, stderr=log))
            self.log_paths.append(log_path)
        self.addresses = self._wait_for_endpoints()

    def logs(self) -> list[dict]:
        entries = []
        for path in self.log_paths:
            for line in path.read_text(errors="replace").splitlines():
                if line.startswith("{"):
                    try:
                        entries.append(json.loads(line))
                    except ValueError:
                        pass
        return entries

    def alive(self) -> bool:
        return all(proc.poll() is None for proc in self.procs)

    def _wait_for_endpoints(self, timeout_s: float = 120) -> list[str]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            # Each worker process's own endpoint: a --processes parent's combined one ("serves") is left out,
            # so readiness is still waited for process by process.
            addresses = [e["address"] for e in self.logs()
                         if e.get("message") == "http endpoint listening" and "serves" not in e]
            if len(addresses) >= self._expected_endpoints:
                return addresses
            if not self.alive():
                raise RuntimeError(f"a worker exited early:\n{self.tail()}")
            time.sleep(0.05)
        raise RuntimeError(f"workers did not start their HTTP endpoints:\n{self.tail()}")

    def wait_ready(self, timeout_s: float = 120, every: bool = False) -> float:
        """Wall-clock time (s) at which the first worker (or, with `every`, the last) reported ready."""
        deadline = time.monotonic() + timeout_s
        pending = set(self.addresses)
        while time.monotonic() < deadline:
            for address in list(pending):
                if _ready(address):
                    pending.discard(address)
                    if not every or not pending:
                        return time.time()
            if not self.alive():
                raise RuntimeError(f"a worker exited early:\n{self.tail()}")
            time.sleep(0.01)
        raise RuntimeError(f"workers not ready after {timeout_s} s:\n{self.tail()}")

    def pids(self) -> list[int]:
        """The worker processes: each command, and the children it forked (for --processes)."""
        found = []
        for proc in self.procs:
            found.append(proc.pid)
            found.extend(_children(proc.pid))
        return found

    def peak_rss_mb(self) -> dict[int, float]:
        """Peak resident memory (VmHWM) of each worker process, in MB."""
        peaks = {}
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks[pid] = round(int(line.split()[1]) / 1024, 1)
        return peaks

    def cpu_seconds(self) -> float:
        """CPU time used so far by every worker process (user + system)."""
        from bench.machine import _cpu_seconds

        return sum(_cpu_seconds(pid) for pid in self.pids()) / os.sysconf("SC_CLK_TCK")

    def shadow_batches(self) -> dict[str, float]:
        """newsfeed_shadow_batches_total by result (scored, skipped, failed), summed over the workers: whether
        the shadow kept up, or saw only part of the stream."""
        counts: dict[str, float] = {}
        for address in self.addresses:
            with urllib.request.urlopen(f"http://{address}/metrics", timeout=5) as response:
                text = response.read().decode()
            for line in text.splitlines():
                if line.startswith("newsfeed_shadow_batches_total{"):
                    sample, _, value = line.rpartition(" ")
                    result = sample.split('result="', 1)[1].split('"', 1)[0]
                    counts[result] = counts.get(result, 0.0) + float(value)
        return counts

    def stop(self, timeout_s: float = 60) -> list[int]:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        codes = []
        for proc in self.procs:
            try:
                codes.append(proc.wait(timeout=timeout_s))
            except subprocess.TimeoutExpired:
                proc.kill()
                codes.append(proc.wait())
        return codes

    def tail(self, chars: int = 3000) -> str:
        return "\n".join(path.read_text(errors="replace")[-chars:] for path in self.log_paths)


def _ready(address: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://{address}/readyz", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.extend(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return found
