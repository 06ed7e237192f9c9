"""The chaos suite's machinery: brokers it may kill, supervised worker processes, steady input, the audit.

Modelled on Kafka's own transaction system tests (tests/kafkatest/tests/core/transactions_test.py):
feed a known set of inputs, hurt the processors or the broker while they run, then read the output
with read_committed and compare it with the input, id by id.

- `Broker`: a kafka.sh broker. Tests that kill brokers get one of their own (own KAFKA_STATE_DIR
  under a temp dir, own ports), so the shared broker other tests use is never touched.
- `Slot`: one worker slot run the way a supervisor (systemd, Kubernetes) runs it: started again
  whenever it exits, until the test stops it. Each run's JSON log is kept.
- `Stream`: one test's topics, its inputs (ids known up front) and the steady producer.
- `audit`: the same closing check for every test: drain output and dead letters with read_committed,
  count each id, check the group's lag is zero.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

from newsfeed.stream.codec import read_dead_letter
from newsfeed.stream.kafka_io.consumer import connect_reader
from newsfeed.stream.kafka_io.producer import connect_sink
from newsfeed.stream.settings import Settings
from newsfeed.stream.topics import produce, read_records
from topic_fixtures import FAST_GROUP, KAFKA_SH, ROOT, SENTENCES, Topics, send_all
from waiting import wait_until
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition  # after stream.kafka_io: imported quietly

CHAOS = pytest.mark.chaos  # every chaos test module: `pytestmark = CHAOS`

# The fast group timings, and a transaction left open by a worker that never comes back is aborted by
# the broker within ~20 s.
FAST = {
    **FAST_GROUP,
    "NEWSFEED_TRANSACTION_TIMEOUT_MS": "10000",
    "NEWSFEED_HTTP_ADDRESS": "127.0.0.1:0",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- brokers -------------------------------------------------------------------------------------

class Broker:
    """A broker run by kafka.sh. `state_dir=None` is the shared broker: started if needed, never stopped here."""

    def __init__(self, state_dir: Path | None = None, extra_env: dict[str, str] | None = None):
        self.state_dir = state_dir
        self.env = {**os.environ, **(extra_env or {})}
        if state_dir is not None:
            self.env["KAFKA_STATE_DIR"] = str(state_dir)
            if not (state_dir / "format.properties").exists():
                # Always its own ports: KAFKA_PORT in the environment names the shared broker's.
                self.env["KAFKA_PORT"] = str(free_port())
                self.env["KAFKA_CONTROLLER_PORT"] = str(free_port())
        self.bootstrap = ""
        self.restarts = 0

    def _run(self, command: str, timeout_s: float = 300) -> str:
        done = subprocess.run(["bash", str(KAFKA_SH), command], capture_output=True, text=True, env=self.env,
                              timeout=timeout_s)
        if done.returncode != 0:
            raise AssertionError(f"kafka.sh {command} failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

    def start(self) -> str:
        self.bootstrap = self._run("start")
        return self.bootstrap

    def pid(self) -> int:
        assert self.state_dir is not None, "the shared broker is never killed"
        return int((self.state_dir / "kafka.pid").read_text().split()[0])

    def kill(self) -> None:
        """kill -9 the broker's JVM: no clean shutdown, logs recovered at the next start."""
        pid = self.pid()
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not _alive(pid), 30, f"broker pid {pid} to die")

    def stop(self) -> None:
        """A clean stop (SIGTERM, controlled shutdown)."""
        assert self.state_dir is not None, "the shared broker is never stopped by a test"
        self._run("stop")

    def restart(self, hard: bool) -> None:
        """kill -9 (`hard`) or stop cleanly, then start again on the same data."""
        if hard:
            self.kill()
        else:
            self.stop()
        self.start()
        self.restarts += 1


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# --- workers -------------------------------------------------------------------------------------

WORKER_COMMAND = [sys.executable, "-m", "newsfeed", "worker"]
STALLING_WORKER = [sys.executable, str(Path(__file__).with_name("stalling_worker.py"))]


class Slot:
    """One worker slot, supervised: whenever its process exits, it is started again (after `backoff_s`),
    until `stop()`; `restart=False` leaves it down instead (a lost machine)."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path, restart: bool = True,
                 command: list[str] | None = None, backoff_s: float = 0.5):
        self.name, self.log_dir = name, log_dir
        self.env = {**os.environ, **FAST, **env}
        self.command = command or WORKER_COMMAND
        self.restart, self.backoff_s = restart, backoff_s
        self.runs: list[Path] = []
        self.exits: list[int] = []  # exit status of each run that ended (negative: killed by that signal)
        self.kills = 0
        self._process: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._supervise, name=f"slot-{name}", daemon=True)

    def start(self) -> Slot:
        self._spawn()
        self._thread.start()
        return self

    def _spawn(self) -> None:
        path = self.log_dir / f"{self.name}-run{len(self.runs)}.log"
        with open(path, "wb") as log, self._lock:
            self._process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
                                             stderr=log)
            self.runs.append(path)

    def _supervise(self) -> None:
        while True:
            process = self._process
            status = process.wait()
            self.exits.append(status)
            if self._stopping.is_set() or not self.restart:
                return
            time.sleep(self.backoff_s)
            if self._stopping.is_set():
                return
            self._spawn()

    @property
    def pid(self) -> int:
        return self._process.pid

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def kill(self) -> None:
        """SIGKILL the current process (the supervisor starts the next one)."""
        with self._lock:
            process, runs = self._process, len(self.runs)
        assert process.poll() is None, f"{self.name} had already exited ({process.returncode}):\n{self.tail()}"
        process.send_signal(signal.SIGKILL)
        self.kills += 1
        if self.restart:
            wait_until(lambda: len(self.runs) > runs, 10, f"{self.name} to be started again")

    def stopped(self) -> bool:
        """Whether the current process is stopped (SIGSTOP: state T in /proc)."""
        try:
            with open(f"/proc/{self._process.pid}/stat") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] in ("T", "t")
        except OSError:
            return False

    def pause(self) -> None:
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self._process.send_signal(signal.SIGCONT)

    def stop(self, timeout_s: float = 30) -> int | None:
        """SIGTERM (finish the batch, leave the group), no restart; the exit status."""
        self._stopping.set()
        process = self._process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._thread.join(timeout=5)
        return process.returncode if process is not None else None

    def logs(self, run: int | None = None) -> list[dict]:
        paths = self.runs if run is None else [self.runs[run]]
        entries = []
        for path in paths:
            for line in path.read_text(errors="replace").splitlines():
                if line.startswith("{"):
                    entries.append(json.loads(line))
        return entries

    def logged(self, message: str) -> list[dict]:
        """The log entries of every run with this message."""
        return [entry for entry in self.logs() if entry.get("message") == message]

    def assigned(self) -> bool:
        """Whether the current run's last assignment holds partitions."""
        changes = [e for e in self.logs(len(self.runs) - 1) if e.get("message") == "assignment changed"]
        return bool(changes and changes[-1]["partitions"])

    def metric(self, name: str) -> float:
        """A sample of the current run's /metrics (0 when absent or not serving yet)."""
        addresses = [entry["address"] for entry in self.logs(len(self.runs) - 1)
                     if entry.get("message") == "http endpoint listening"]
        if not addresses:
            return 0.0
        try:
            with urllib.request.urlopen(f"http://{addresses[-1]}/metrics", timeout=5) as response:
                text = response.read().decode()
        except OSError:
            return 0.0
        for line in text.splitlines():
            sample, _, value = line.rpartition(" ")
            if sample == name:
                return float(value)
        return 0.0

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.runs[-1].read_text(errors="replace").splitlines()[-lines:]) if self.runs else ""


# --- one test's topics and inputs --------------------------------------------------------------------

def article(n: int) -> tuple[bytes, bytes]:
    """Input number n: key and value of a valid article with id c-NNNNN."""
    article_id = f"c-{n:05d}"
    fields = {"id": article_id, "title": f"Story {n}", "text": f"{SENTENCES[n % len(SENTENCES)]} Report {n}."}
    return article_id.encode(), json.dumps(fields).encode()


@dataclass
class Stream(Topics):
    """One chaos test's topics and group on one broker, with what the tests do to and ask of them."""

    prefix: str = field(default_factory=lambda: f"chaos-{uuid.uuid4().hex[:8]}")

    def push(self, records: Iterable[tuple[bytes | None, bytes | None]]) -> int:
        """Write (key, value) records to the input topic; each one acknowledged before this returns."""
        return send_all(self.settings, self.settings.input_topic, records)

    def push_steadily(self, records: list[tuple[bytes | None, bytes | None]], per_second: float,
                      chunk: int = 50) -> threading.Thread:
        """Write the records in chunks at about `per_second`, on a thread (each chunk acknowledged)."""

        def run() -> None:
            sink = connect_sink(self.settings, {})
            try:
                for start in range(0, len(records), chunk):
                    began = time.monotonic()
                    part = records[start:start + chunk]
                    produce(sink, self.settings.input_topic,
                            ((f"input {start + n}", key, value) for n, (key, value) in enumerate(part)))
                    time.sleep(max(0.0, len(part) / per_second - (time.monotonic() - began)))
            finally:
                sink.close()

        thread = threading.Thread(target=run, name="steady-input", daemon=True)
        thread.start()
        return thread

    def output_offsets(self) -> int:
        """Offsets used in the output topic (records committed, aborted or open, and transaction markers):
        a cheap progress gauge."""
        return sum(_end_offsets(self.bootstrap, self.settings.output_topic, "read_uncommitted").values())

    def open_transactions(self) -> bool:
        """Whether an output partition has an open transaction (its last stable offset lags its end)."""
        topic = self.settings.output_topic
        return _end_offsets(self.bootstrap, topic, "read_committed") != _end_offsets(self.bootstrap, topic,
                                                                                     "read_uncommitted")

    def lag(self) -> int:
        """Input records not yet covered by the group's committed offsets."""
        settings = self.settings
        ends = _end_offsets(self.bootstrap, settings.input_topic, "read_uncommitted")
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap)
        try:
            committed = admin.list_group_offsets(settings.group_id).get(settings.group_id, {})
        finally:
            admin.close()
        return sum(max(0, end - (committed[tp].offset if tp in committed else 0)) for tp, end in ends.items())


def _end_offsets(bootstrap: str, topic: str, isolation_level: str) -> dict[TopicPartition, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, isolation_level=isolation_level,
                             enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        return consumer.end_offsets(partitions)
    finally:
        consumer.close()


# --- the audit ----------------------------------------------------------------------------------------

@dataclass
class Audit:
    """What one chaos test found, in the figures the issue asks for."""

    test: str
    guarantee: str
    inputs: int  # records pushed: good articles plus bad inputs
    bad_inputs: int
    crashes: int  # worker processes killed or failed, each followed by a restart or a takeover
    broker_restarts: int
    output_read: int  # enriched records a read_committed reader sees
    output_written: int  # records in the output topic, aborted ones included (what read_uncommitted sees)
    duplicates: int  # extra copies of an id among output_read (must be 0 in exactly-once)
    losses: int  # good ids missing from output_read
    unexpected: int  # ids in the output that were never an input
    dead_letters: int
    dead_letter_duplicates: int
    dead_letter_losses: int
    lag: int
    seconds: float
    notes: dict = field(default_factory=dict)

    def check(self) -> None:
        assert self.losses == 0, f"{self.losses} inputs lost"
        assert self.unexpected == 0, f"{self.unexpected} output ids were never inputs"
        assert self.dead_letter_losses == 0, f"{self.dead_letter_losses} bad inputs missing from the dead letters"
        assert self.lag == 0, f"group lag {self.lag}"
        if self.guarantee == "exactly-once":
            assert self.duplicates == 0, f"{self.duplicates} duplicate enriched records in exactly-once mode"
            assert self.dead_letter_duplicates == 0, f"{self.dead_letter_duplicates} duplicate dead letters"

    def as_dict(self) -> dict:
        return asdict(self)


AUDITS: list[Audit] = []  # every audit of the session, for the summary at the end


def audit(test: str, stream: Stream, guarantee: str, good_ids: Iterable[str], bad_keys: Iterable[bytes],
          crashes: int = 0, broker_restarts: int = 0, started: float | None = None, timeout_s: float = 120,
          notes: dict | None = None) -> Audit:
    """Wait until the group has committed every input and no output transaction is open, then read output
    and dead letters to their end with read_committed and count every id. Checks and records the result."""
    good, bad = Counter(good_ids), Counter(bad_keys)
    wait_until(lambda: stream.lag() == 0, timeout_s, "the group's lag to reach zero")
    wait_until(lambda: not stream.open_transactions(), timeout_s, "open output transactions to end")
    settings = stream.settings
    enriched = _read_all(settings, settings.output_topic)
    letters = _read_all(settings, settings.dead_letter_topic)
    seen = Counter(json.loads(record.value)["id"] for record in enriched)
    letter_keys = Counter(record.key for record in letters)
    for record in letters:
        read_dead_letter(record.headers)  # every dead letter says why (KeyError otherwise)
    result = Audit(
        test=test, guarantee=guarantee, inputs=sum(good.values()) + sum(bad.values()), bad_inputs=sum(bad.values()),
        crashes=crashes, broker_restarts=broker_restarts, output_read=len(enriched),
        output_written=len(_read_all(settings, settings.output_topic, "read_uncommitted")),
        duplicates=sum(count - 1 for key, count in seen.items() if key in good and count > 1),
        losses=sum(1 for key in good if key not in seen),
        unexpected=sum(1 for key in seen if key not in good),
        dead_letters=len(letters),
        dead_letter_duplicates=sum(count - 1 for key, count in letter_keys.items() if count > 1),
        dead_letter_losses=sum(1 for key in bad if key not in letter_keys) + sum(
            1 for key in letter_keys if key not in bad),
        lag=stream.lag(), seconds=round(time.monotonic() - started, 1) if started else 0.0, notes=notes or {})
    AUDITS.append(result)
    result.check()
    return result


def output_ids(stream: Stream, isolation_level: str) -> Counter:
    """How often each id is in the output topic, as a reader of that isolation level sees it."""
    settings = stream.settings
    return Counter(json.loads(record.value)["id"] for record in _read_all(settings, settings.output_topic,
                                                                          isolation_level))


@dataclass(frozen=True)
class Pause:
    """The longest time between two consecutive output records (by their Kafka timestamps, which the
    worker's producer sets as it sends), and when it began, in Unix seconds."""

    seconds: float
    began: float


def longest_pause(stream: Stream, partitions: Iterable[int] | None = None) -> Pause:
    """The longest pause in the committed output, over all of it or over the output of these input
    partitions (each output record names its input partition in `origin`). Measured over the whole run:
    call it once the input has been worked off, so the time before the first record and after the last
    does not count."""
    wanted = set(partitions) if partitions is not None else None
    settings = stream.settings
    stamps = sorted(record.timestamp_ms / 1000 for record in _read_all(settings, settings.output_topic)
                    if wanted is None or json.loads(record.value)["origin"]["partition"] in wanted)
    assert len(stamps) >= 2, "fewer than two output records: no pause to measure"
    gap, began = max((later - earlier, earlier) for earlier, later in zip(stamps, stamps[1:]))
    return Pause(round(gap, 2), began)


def _read_all(settings: Settings, topic: str, isolation_level: str = "read_committed") -> list:
    reader = connect_reader(settings, topic, isolation_level=isolation_level)
    try:
        return list(read_records(reader))
    finally:
        reader.close()


def seeded(name: str) -> random.Random:
    """The random source of one test: the same moments on every run (CHAOS_SEED shifts them all)."""
    return random.Random(f"{os.environ.get('CHAOS_SEED', '5')}:{name}")
