"""What the integration tests use besides fixtures (and besides tests/topic_fixtures.py): reading topics,
workers as real subprocesses and the output record's contract. A plain module, so that test modules
import it by name (a `from conftest import` picks whichever conftest pytest loaded last).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from jsonschema import Draft202012Validator

from newsfeed.models.contract import load_schema
from newsfeed.models.schema import STATUSES
from newsfeed.models.taxonomy import REGIONS, TOPICS
from newsfeed.stream.kafka_io.consumer import Record, connect_reader
from newsfeed.stream.settings import Settings
from newsfeed.stream.topics import read_records
from topic_fixtures import FAST_GROUP, ROOT

_OUTPUT_SCHEMA = Draft202012Validator(load_schema("output"))
DEAD_LETTER_SCHEMA = Draft202012Validator(load_schema("dead-letter"))



def drain(settings: Settings, topic: str, expected: int, timeout_s: float = 60) -> list[Record]:
    """Read a topic from its beginning until `expected` records are there (or the timeout), then a bit more."""
    reader = connect_reader(settings, topic)
    records: list[Record] = []
    deadline = time.monotonic() + timeout_s
    try:
        for record in read_records(reader, follow=True, idle_timeout_s=timeout_s):
            records.append(record)
            if len(records) >= expected or time.monotonic() > deadline:
                break
        # anything beyond `expected` (a duplicate, say) would arrive now
        records.extend(read_records(reader, follow=True, idle_timeout_s=1.0))
    finally:
        reader.close()
    return records


def count_records(settings: Settings, topic: str) -> int:
    reader = connect_reader(settings, topic)
    try:
        return sum(1 for _ in read_records(reader))
    finally:
        reader.close()


class WorkerProcess:
    """`python -m newsfeed worker` as a real subprocess, its JSON log lines in a file."""

    def __init__(self, env: dict[str, str], log_path: Path, extra_env: dict[str, str] | None = None):
        self.log_path = log_path
        full_env = {**os.environ, **FAST_GROUP, **env, "NEWSFEED_HTTP_ADDRESS": "127.0.0.1:0", **(extra_env or {})}
        self._log = open(log_path, "wb")  # noqa: SIM115 (closed in stop/kill)
        self.process = subprocess.Popen([sys.executable, "-m", "newsfeed", "worker"], cwd=ROOT, env=full_env,
                                        stdout=subprocess.DEVNULL, stderr=self._log)
        self.address = self._wait_for_address()

    def logs(self) -> list[dict]:
        lines = self.log_path.read_text(errors="replace").splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def _wait_for_address(self, timeout_s: float = 60) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for entry in self.logs():
                if entry.get("message") == "http endpoint listening":
                    return entry["address"]
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited {self.process.returncode}:\n{self.log_path.read_text()[-3000:]}")
            time.sleep(0.1)
        raise AssertionError(f"worker did not start its HTTP endpoint:\n{self.log_path.read_text()[-3000:]}")

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://{self.address}{path}", timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def wait_ready(self, timeout_s: float = 60) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            status, body = self.get("/readyz")
            if status == 200:
                return body
            assert self.process.poll() is None, self.log_path.read_text()[-3000:]
            time.sleep(0.2)
        raise AssertionError(f"worker not ready after {timeout_s} s: {body}")

    def metric(self, name: str, **labels: str) -> float:
        """One sample from /metrics (0 if absent)."""
        wanted = name + ("{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}" if labels else "")
        for line in self.get("/metrics")[1].splitlines():
            sample, _, value = line.rpartition(" ")
            if sample == wanted:
                return float(value)
        return 0.0

    def stop(self, timeout_s: float = 30) -> int:
        """SIGTERM, then wait for the exit; the exit code."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout_s)
        finally:
            self._log.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._log.close()


_RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def assert_enriched_record(record: dict, input_topic: str) -> None:
    """An output record as the contract (issue 2, section 3) describes it, valid against the published schema."""
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _OUTPUT_SCHEMA.iter_errors(record)]
    assert problems == [], problems
    assert isinstance(record["id"], str) and record["id"]
    assert set(record["topic_scores"]) == set(TOPICS)
    assert all(0.0 <= score <= 1.0 for score in record["topic_scores"].values())
    assert set(record["topics"]) <= set(TOPICS) and len(set(record["topics"])) == len(record["topics"])
    scores = [record["topic_scores"][label] for label in record["topics"]]
    assert scores == sorted(scores, reverse=True)
    assert set(record["region_scores"]) == set(REGIONS)
    assert all(0.0 <= score <= 1.0 for score in record["region_scores"].values())
    assert set(record["regions"]) <= set(REGIONS)
    text = record["prepared_text"]
    for country in record["countries"]:
        assert set(country) == {"code", "name", "mentions", "focus", "spans"}
        assert re.fullmatch(r"[A-Z]{2}", country["code"]) and isinstance(country["mentions"], int)
        assert isinstance(country["focus"], bool)
        assert all(0 <= start < end <= len(text) for start, end in country["spans"])
    assert set(record["evidence"]) <= set(record["topics"]) | set(record["regions"])
    for evidence in record["evidence"].values():
        # Every span lies in the text the record carries (tests/unit/test_evidence.py checks what it holds).
        for ngram in evidence["ngrams"]:
            assert all(0 <= start < end <= len(text) for start, end in ngram["spans"])
    assert record["status"] in STATUSES
    if record["status"] != "ok":
        assert record["topics"] == [] and record["regions"] == []
    assert record["language"] is None or re.fullmatch(r"[a-z]{2}", record["language"])
    assert set(record["model"]) == {"version", "sha256"} and re.fullmatch(r"[0-9a-f]{64}", record["model"]["sha256"])
    assert _RFC3339_UTC.match(record["processed_at"])
    origin = record["origin"]
    assert origin["topic"] == input_topic and origin["partition"] >= 0 and origin["offset"] >= 0
