"""Argument and state handling of deploy/local-kafka/kafka.sh, without starting Java or Maven.

Every case points KAFKA_STATE_DIR at a fresh temporary folder and stops before any fetch, so
these run in milliseconds and never touch the real broker or its ports.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "local-kafka" / "kafka.sh"
ENV_VARS = ("KAFKA_STATE_DIR", "KAFKA_PORT", "KAFKA_CONTROLLER_PORT", "KAFKA_VERSION")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(state: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    full_env["KAFKA_STATE_DIR"] = str(state)
    full_env.update(env)
    return subprocess.run(
        ["bash", str(SCRIPT), *args], capture_output=True, text=True, env=full_env, timeout=30, check=False
    )


def write_format_file(state: Path, port: int, controller_port: int, version: str = "4.1.1") -> None:
    state.mkdir(parents=True, exist_ok=True)
    (state / "format.properties").write_text(
        f"port={port}\ncontroller_port={controller_port}\ncluster_id=abc\nkafka_version={version}\n"
    )


@pytest.mark.parametrize("args", [(), ("bogus",), ("start", "extra")])
def test_missing_unknown_or_extra_arguments_print_one_usage_line_and_exit_2(tmp_path, args):
    done = run(tmp_path, *args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("usage: kafka.sh ")


def test_help_documents_commands_and_every_setting(tmp_path):
    done = run(tmp_path, "--help")
    assert done.returncode == 0
    for word in ("fetch", "start", "stop", "status", "wipe", *ENV_VARS):
        assert word in done.stdout


def test_status_without_broker_exits_1_with_one_line(tmp_path):
    done = run(tmp_path, "status")
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1


def test_stop_without_broker_is_a_no_op_and_clears_a_stale_pid_file(tmp_path):
    (tmp_path / "kafka.pid").write_text("999999999\n")
    done = run(tmp_path, "stop")
    assert done.returncode == 0
    assert not (tmp_path / "kafka.pid").exists()
    assert run(tmp_path, "stop").returncode == 0


def test_stale_pid_file_does_not_count_as_running(tmp_path):
    # Our own pid is alive but is not a broker on this state dir's config.
    (tmp_path / "kafka.pid").write_text(f"{os.getpid()}\n")
    assert run(tmp_path, "status").returncode == 1


def test_start_refuses_other_ports_than_the_data_dir_was_formatted_with(tmp_path):
    port, cport = free_port(), free_port()
    write_format_file(tmp_path, port, cport)
    done = run(tmp_path, "start", KAFKA_PORT=str(port + 1 if port < 65535 else port - 1))
    assert done.returncode == 1
    assert "formatted for ports" in done.stderr and "wipe" in done.stderr
    assert not (tmp_path / "lib").exists()  # refused before fetching anything


def test_start_refuses_a_kafka_older_than_the_one_that_ran_on_the_data(tmp_path):
    write_format_file(tmp_path, free_port(), free_port(), version="99.0.0")
    done = run(tmp_path, "start", KAFKA_VERSION="4.1.1")
    assert done.returncode == 1
    assert "99.0.0" in done.stderr and "older" in done.stderr
    assert not (tmp_path / "lib").exists()


@pytest.mark.parametrize(
    "env",
    [
        {"KAFKA_PORT": "abc"},
        {"KAFKA_CONTROLLER_PORT": "70000"},
        {"KAFKA_PORT": "19092", "KAFKA_CONTROLLER_PORT": "19092"},
        {"KAFKA_VERSION": "latest; rm -rf /"},
    ],
)
def test_bad_settings_are_refused_before_doing_anything(tmp_path, env):
    done = run(tmp_path, "start", **env)
    assert done.returncode == 1
    assert "error:" in done.stderr
    assert not (tmp_path / "lib").exists()


def test_wipe_keeps_the_fetched_jars(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "kafka_2.13-4.1.1.jar").write_bytes(b"")
    for folder in ("data", "logs", "config"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x").write_text("x")
    write_format_file(tmp_path, free_port(), free_port())
    done = run(tmp_path, "wipe")
    assert done.returncode == 0
    assert (tmp_path / "lib" / "kafka_2.13-4.1.1.jar").exists()
    for gone in ("data", "logs", "config", "format.properties"):
        assert not (tmp_path / gone).exists()
