"""The facts a benchmark figure needs beside it: the machine, the interpreter, the libraries, the model."""

from __future__ import annotations

import os
import platform
import time
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

LIBRARIES = ("numpy", "scipy", "scikit-learn", "kafka-python", "crc32c", "orjson", "prometheus-client", "pycountry")


def machine_facts() -> dict[str, Any]:
    """Cores, CPU model, memory, Python, library versions, BLAS kernel and whether CRC-32C runs in C."""
    return {
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "libraries": {name: _version(name) for name in LIBRARIES},
        "blas": _blas(),
        "openblas_env": {name: os.environ.get(name) for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
        "kafka_crc32c": _crc32c_implementation(),
    }


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _blas() -> list[str]:
    import numpy  # noqa: F401 (the libraries must be loaded for threadpoolctl to see their BLAS)
    import scipy.linalg  # noqa: F401
    import sklearn.utils  # noqa: F401
    from threadpoolctl import threadpool_info

    return [f"{info.get('internal_api')} {info.get('version')} {info.get('architecture', '')} "
            f"threads={info.get('num_threads')}".strip() for info in threadpool_info()]


def _crc32c_implementation() -> str:
    """kafka-python checks and writes a CRC-32C over every record batch: in C with the crc32c package,
    else in pure Python (about 4 MB/s here), which then costs as much as the classifier."""
    from newsfeed.stream import kafka_io  # noqa: F401 (imports kafka-python with its warnings filtered)
    from kafka.record import util

    return "C (crc32c package)" if getattr(util, "crc32c_c", None) is not None else "pure Python"


def load_average() -> list[float]:
    return [float(x) for x in open("/proc/loadavg", encoding="ascii").read().split()[:3]]


class CpuShare:
    """How much of the machine's CPU went to processes outside the benchmark (other users' jobs) between
    `start()` and `stop()`: the figures are only as good as that share is small.

    Ours: this process, its children (live or finished) and the Kafka broker."""

    def __init__(self, broker_pid: int | None):
        self._broker_pid = broker_pid
        self._start: tuple[float, float] | None = None

    def start(self) -> None:
        self._start = (time.monotonic(), *self._snapshot())

    def stop(self) -> dict[str, float]:
        wall0, busy0, ours0 = self._start or (time.monotonic(), 0.0, 0.0)
        busy1, ours1 = self._snapshot()
        wall = time.monotonic() - wall0
        others = max(0.0, (busy1 - busy0) - (ours1 - ours0))
        return {"wall_s": round(wall, 1), "busy_core_s": round(busy1 - busy0, 1), "ours_core_s": round(ours1 - ours0, 1),
                "others_core_s": round(others, 1),
                "others_share": round(others / (wall * (os.cpu_count() or 1)), 3) if wall > 0 else 0.0}

    def _snapshot(self) -> tuple[float, float]:
        tick = os.sysconf("SC_CLK_TCK")
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
        busy = (sum(fields[:8]) - fields[3] - fields[4]) / tick  # all but idle and iowait
        times = os.times()
        ours = times.user + times.system + times.children_user + times.children_system
        pids = _descendants(os.getpid()) + ([self._broker_pid] if self._broker_pid else [])
        ours += sum(_cpu_seconds(pid) for pid in pids) / tick
        return busy, ours


def broker_pid() -> int | None:
    """The local broker's JVM (deploy/local-kafka), if one runs on this machine."""
    for stat in os.scandir("/proc"):
        if not stat.name.isdigit():
            continue
        try:
            with open(f"/proc/{stat.name}/cmdline", "rb") as cmdline:
                if b"kafka.Kafka" in cmdline.read():
                    return int(stat.name)
        except OSError:
            continue
    return None


def _descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        parent = queue.pop()
        for task in os.scandir(f"/proc/{parent}/task") if os.path.isdir(f"/proc/{parent}/task") else []:
            try:
                with open(f"/proc/{parent}/task/{task.name}/children", encoding="ascii") as children:
                    kids = [int(c) for c in children.read().split()]
            except OSError:
                continue
            found.extend(kids)
            queue.extend(kids)
    return found


def _cpu_seconds(pid: int) -> int:
    """utime + stime of a live process, in clock ticks (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0
