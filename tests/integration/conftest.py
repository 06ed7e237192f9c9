"""Integration fixtures: the real local broker, unique topics per test, workers as real subprocesses.

The broker is the project's own (`deploy/local-kafka/kafka.sh start`, idempotent); set
NEWSFEED_BOOTSTRAP_SERVERS to use another one. There is no fake broker here: if none can be
reached the tests fail. The model is the shipped default unless NEWSFEED_MODEL_DIR names another.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from broker_helpers import WorkerProcess
from topic_fixtures import KAFKA_SH, Topics
from topic_fixtures import loadable_model_dir


@pytest.fixture(scope="session")
def bootstrap() -> str:
    override = os.environ.get("NEWSFEED_BOOTSTRAP_SERVERS")
    if override:
        return override
    started = subprocess.run(["bash", str(KAFKA_SH), "start"], capture_output=True, text=True, timeout=600)
    if started.returncode != 0:
        pytest.fail(f"the local broker did not start (kafka.sh start exit {started.returncode}):\n"
                    f"{started.stderr[-3000:]}")
    return started.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def model_dir() -> str:
    return loadable_model_dir()


@pytest.fixture
def topics(bootstrap) -> Topics:
    return Topics(bootstrap)


@pytest.fixture
def start_worker(topics, model_dir, tmp_path):
    """Start workers for this test's topics; any still running at the end are killed."""
    started: list[WorkerProcess] = []

    def start(**extra_env: str) -> WorkerProcess:
        worker = WorkerProcess({**topics.env, "NEWSFEED_MODEL_DIR": model_dir},
                               tmp_path / f"worker-{len(started)}.log", extra_env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()
