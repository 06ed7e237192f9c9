"""An authenticated cluster: a broker of this module's own with a SASL_SSL listener (a throwaway CA made here
with openssl, SCRAM-SHA-512 credentials created when its storage is formatted, PLAIN users, client
certificates required). A worker connects and processes over it; wrong credentials or certificates fail
within seconds, with a message that says what to check and never the password."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from broker_helpers import WorkerProcess, drain
from topic_fixtures import KAFKA_SH, ROOT, Topics, send_all

pytestmark = [pytest.mark.integration, pytest.mark.sasl]

USER = "newsfeed"
PASSWORD = f"pw-{secrets.token_hex(8)}"  # made up per run: found in no log unless something leaks it
WRONG = f"wrong-{secrets.token_hex(8)}"


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certificates(directory: Path, store_password: str) -> dict[str, Path]:
    """A CA, a broker certificate for 127.0.0.1 (in a PKCS12 keystore) and a client certificate, all signed by it."""
    directory.mkdir(parents=True, exist_ok=True)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=newsfeed throwaway test CA", cwd=directory)
    (directory / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for name, subject in (("broker", "/CN=127.0.0.1"), ("client", "/CN=newsfeed-worker")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj",
                subject, cwd=directory)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.pem", "-days", "2", "-extfile", "san.ext", cwd=directory)
    openssl("pkcs12", "-export", "-in", "broker.pem", "-inkey", "broker.key", "-certfile", "ca.pem", "-name", "broker",
            "-out", "broker.p12", "-passout", f"pass:{store_password}", cwd=directory)
    return {name: directory / file for name, file in (("ca", "ca.pem"), ("keystore", "broker.p12"),
                                                       ("client_cert", "client.pem"), ("client_key", "client.key"))}


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def sasl_broker(tmp_path_factory):
    """The SASL_SSL bootstrap address, and the files a client needs."""
    base = tmp_path_factory.mktemp("sasl")
    store_password = secrets.token_hex(8)
    files = make_certificates(base / "certs", store_password)
    port = free_port()
    env = {**os.environ, "KAFKA_STATE_DIR": str(base / "broker"), "KAFKA_PORT": str(free_port()),
           "KAFKA_CONTROLLER_PORT": str(free_port()), "KAFKA_SASL_SSL_PORT": str(port),
           "KAFKA_SSL_KEYSTORE": str(files["keystore"]), "KAFKA_SSL_KEYSTORE_PASSWORD": store_password,
           "KAFKA_SSL_TRUSTSTORE": str(files["ca"]), "KAFKA_SASL_USERS": f"{USER}:{PASSWORD}"}
    started = subprocess.run(["bash", str(KAFKA_SH), "start"], env=env, capture_output=True, text=True, timeout=600)
    assert started.returncode == 0, started.stderr[-3000:]
    assert f"SASL_SSL listener on 127.0.0.1:{port}" in started.stderr
    yield f"127.0.0.1:{port}", files
    subprocess.run(["bash", str(KAFKA_SH), "stop"], env=env, capture_output=True, timeout=120)


def client_env(bootstrap: str, files: dict[str, Path], mechanism: str, **extra: str) -> dict[str, str]:
    env = {"NEWSFEED_BOOTSTRAP_SERVERS": bootstrap, "NEWSFEED_SECURITY_PROTOCOL": "SASL_SSL",
           "NEWSFEED_SASL_MECHANISM": mechanism, "NEWSFEED_SASL_USERNAME": USER,
           "NEWSFEED_SSL_CAFILE": str(files["ca"]), "NEWSFEED_SSL_CERTFILE": str(files["client_cert"]),
           "NEWSFEED_SSL_KEYFILE": str(files["client_key"]), **extra}
    return {key: value for key, value in env.items() if value}


class SecuredTopics(Topics):
    """Topics whose settings also say how to reach the secured listener."""

    def __init__(self, bootstrap: str, secured: dict[str, str]):
        super().__init__(bootstrap)
        self.secured = secured

    @property
    def env(self) -> dict[str, str]:
        return {**super().env, **self.secured}


@pytest.mark.parametrize("mechanism, guarantee, password_from", [
    ("SCRAM-SHA-512", "exactly-once", "file"), ("PLAIN", "at-least-once", "environment")])
def test_a_worker_connects_and_processes_over_sasl_ssl(sasl_broker, model_dir, tmp_path, mechanism, guarantee,
                                                       password_from):
    bootstrap, files = sasl_broker
    if password_from == "file":
        (tmp_path / "password").write_text(PASSWORD + "\n")
        secret = {"NEWSFEED_SASL_PASSWORD_FILE": str(tmp_path / "password")}
    else:
        secret = {"NEWSFEED_SASL_PASSWORD": PASSWORD}
    topics = SecuredTopics(bootstrap, client_env(bootstrap, files, mechanism, **secret))
    topics.create(partitions=2)
    settings = topics.settings
    articles = [(f"s-{n}".encode(), json.dumps({"id": f"s-{n}", "title": f"Launch {n}",
                                                "text": "The rocket placed a satellite into orbit."}).encode())
                for n in range(40)]
    send_all(settings, settings.input_topic, articles)

    worker = WorkerProcess({**topics.env, "NEWSFEED_MODEL_DIR": model_dir, "NEWSFEED_GUARANTEE": guarantee,
                            "NEWSFEED_WORKER_SLOT": "0"}, tmp_path / "worker.log")
    try:
        enriched = drain(settings, settings.output_topic, expected=40)
        assert sorted(json.loads(r.value)["id"] for r in enriched) == sorted(k.decode() for k, _ in articles), (
            worker.log_path.read_text()[-4000:])
        started = next(e for e in worker.logs() if e["message"] == "worker started")
        assert (started["security_protocol"], started["sasl_mechanism"], started["sasl_username"],
                started["sasl_password_from"]) == ("SASL_SSL", mechanism, USER, password_from)
        assert worker.stop() == 0
    finally:
        worker.kill()
    assert PASSWORD not in worker.log_path.read_text()


@pytest.mark.parametrize("case, change, expected", [
    ("wrong password", {"NEWSFEED_SASL_PASSWORD": WRONG},
     f"refused the credentials of SASL user '{USER}' (SCRAM-SHA-512)"),
    ("unknown user", {"NEWSFEED_SASL_USERNAME": "mallory", "NEWSFEED_SASL_PASSWORD": PASSWORD},
     "refused the credentials of SASL user 'mallory'"),
    ("wrong PLAIN password", {"NEWSFEED_SASL_MECHANISM": "PLAIN", "NEWSFEED_SASL_PASSWORD": WRONG},
     f"refused the credentials of SASL user '{USER}' (PLAIN)"),
    ("broker certificate not trusted", {"NEWSFEED_SSL_CAFILE": "", "NEWSFEED_SASL_PASSWORD": PASSWORD},
     "CERTIFICATE_VERIFY_FAILED"),
    ("no client certificate", {"NEWSFEED_SSL_CERTFILE": "", "NEWSFEED_SSL_KEYFILE": "",
                               "NEWSFEED_SASL_PASSWORD": PASSWORD}, "BAD_CERTIFICATE"),
])
def test_refused_credentials_or_certificates_stop_the_worker_within_seconds(sasl_broker, model_dir, tmp_path, case,
                                                                             change, expected):
    bootstrap, files = sasl_broker
    env = {**os.environ, **client_env(bootstrap, files, "SCRAM-SHA-512", **change),
           "NEWSFEED_MODEL_DIR": model_dir, "NEWSFEED_HTTP_ADDRESS": "127.0.0.1:0"}
    env = {key: value for key, value in env.items() if value}
    done = subprocess.run([sys.executable, "-m", "newsfeed", "worker"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=90)
    assert done.returncode == 1, done.stderr[-2000:]
    logs = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    failures = [entry for entry in logs if entry["message"].startswith("worker failed")]
    assert len(failures) == 1, done.stderr[-3000:]
    assert failures[0]["error_type"] == "AuthenticationError" and expected in failures[0]["message"], failures
    # from its first contact with the cluster (right after the HTTP endpoint is up) to giving up
    (listening,) = [entry for entry in logs if entry["message"] == "http endpoint listening"]
    took = _seconds(failures[0]["time"]) - _seconds(listening["time"])
    # kafka-python alone would retry for 30 s; here 0.1-2 s, up to 9 s on this 2-core machine under full load
    assert took < 15, f"{case}: took {took:.1f} s:\n" + "\n".join(
        f"{e['time']} {e['logger']} {e['message'][:200]}" for e in logs if e["logger"].startswith("kafka"))[-5000:]
    assert PASSWORD not in done.stderr and WRONG not in done.stderr
