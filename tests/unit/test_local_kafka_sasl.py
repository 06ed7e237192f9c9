"""kafka.sh's optional SASL_SSL listener: what it refuses before starting anything (no Java, no Maven)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "local-kafka" / "kafka.sh"


def start(state: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("KAFKA_")}
    full_env.update({"KAFKA_STATE_DIR": str(state), "KAFKA_PORT": "39092", "KAFKA_CONTROLLER_PORT": "39093", **env})
    return subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True, env=full_env, timeout=30,
                          check=False)


@pytest.fixture
def keystore(tmp_path) -> Path:
    path = tmp_path / "broker.p12"
    path.write_bytes(b"not really a keystore: never read, the script stops first")
    return path


@pytest.mark.parametrize("env, message", [
    ({"KAFKA_SASL_SSL_PORT": "x"}, "KAFKA_SASL_SSL_PORT 'x' is not a port number"),
    ({"KAFKA_SASL_SSL_PORT": "39092"}, "must differ from KAFKA_PORT and KAFKA_CONTROLLER_PORT"),
    ({"KAFKA_SASL_SSL_PORT": "39094"}, "needs KAFKA_SSL_KEYSTORE, a readable PKCS12 file"),
    ({"KAFKA_SASL_SSL_PORT": "39094", "KAFKA_SSL_KEYSTORE": "{keystore}"}, "needs KAFKA_SSL_KEYSTORE_PASSWORD"),
    ({"KAFKA_SASL_SSL_PORT": "39094", "KAFKA_SSL_KEYSTORE": "{keystore}", "KAFKA_SSL_KEYSTORE_PASSWORD": "a b"},
     "may hold letters, digits"),
    ({"KAFKA_SASL_SSL_PORT": "39094", "KAFKA_SSL_KEYSTORE": "{keystore}", "KAFKA_SSL_KEYSTORE_PASSWORD": "pw",
      "KAFKA_SSL_TRUSTSTORE": "/nonexistent/ca.pem"}, "KAFKA_SSL_TRUSTSTORE '/nonexistent/ca.pem' cannot be read"),
    ({"KAFKA_SASL_SSL_PORT": "39094", "KAFKA_SSL_KEYSTORE": "{keystore}", "KAFKA_SSL_KEYSTORE_PASSWORD": "pw"},
     "needs KAFKA_SASL_USERS as user:password"),
    ({"KAFKA_SASL_SSL_PORT": "39094", "KAFKA_SSL_KEYSTORE": "{keystore}", "KAFKA_SSL_KEYSTORE_PASSWORD": "pw",
      "KAFKA_SASL_USERS": "alice:pa\"ss"}, "needs KAFKA_SASL_USERS as user:password"),
])
def test_an_unusable_sasl_ssl_setting_is_refused_in_one_line(tmp_path, keystore, env, message):
    done = start(tmp_path / "state", **{k: v.format(keystore=keystore) for k, v in env.items()})
    assert done.returncode == 1
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_scram_users_are_fixed_when_the_storage_is_formatted(tmp_path, keystore):
    state = tmp_path / "state"
    (state / "data").mkdir(parents=True)
    (state / "data" / "meta.properties").write_text("formatted\n")
    (state / "format.properties").write_text(
        "port=39092\ncontroller_port=39093\ncluster_id=abc\nkafka_version=4.1.1\nscram_users=alice\n")
    done = start(state, KAFKA_SASL_SSL_PORT="39094", KAFKA_SSL_KEYSTORE=str(keystore),
                 KAFKA_SSL_KEYSTORE_PASSWORD="pw", KAFKA_SASL_USERS="alice:x,bob:y")
    assert done.returncode == 1
    assert "formatted with SCRAM users 'alice', not 'alice,bob'" in done.stderr and "run 'wipe'" in done.stderr
