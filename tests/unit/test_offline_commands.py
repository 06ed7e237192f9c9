"""The offline commands run on a worker host: NEWSFEED_* variables meant for the worker (SASL without a
user, exactly-once without a slot, clashing topics, a bad HTTP address) stop the worker, never them."""

import json
import logging

import pytest

from newsfeed import cli
from newsfeed.models.model_registry import add_version

SPACE = "The rocket launched a communications satellite into orbit from the cosmodrome on Tuesday morning"

# Each of these alone makes `newsfeed worker` exit 2.
HOSTILE = {
    "NEWSFEED_SECURITY_PROTOCOL": "SASL_SSL",  # and no NEWSFEED_SASL_USERNAME
    "NEWSFEED_SSL_CAFILE": "/no/such/ca.pem",
    "NEWSFEED_BOOTSTRAP_SERVERS": " ",
    "NEWSFEED_GUARANTEE": "exactly-once",  # and no NEWSFEED_WORKER_SLOT
    "NEWSFEED_OUTPUT_TOPIC": "articles.raw",  # the input topic's name
    "NEWSFEED_HEARTBEAT_INTERVAL_MS": "40000",
    "NEWSFEED_HTTP_ADDRESS": "nowhere",
    "NEWSFEED_PROCESSES": "0",
    "NEWSFEED_DELIVERY_TIMEOUT_MS": "soon",
}


@pytest.fixture(autouse=True)
def worker_host(monkeypatch):
    for name, value in HOSTILE.items():
        monkeypatch.setenv(name, value)
    root = logging.getLogger()  # the CLI takes over the root logger, as a process should: give it back
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _run(argv, capsys):
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_variable_alone_stops_the_worker(name, monkeypatch, capsys):
    """So the commands below prove something: the environment they run in is a broken worker's."""
    for other in HOSTILE:
        if other != name:
            monkeypatch.delenv(other)
    code, _, err = _run(["worker"], capsys)
    assert code == 2 and err.startswith("newsfeed worker: error: ")


def test_classify_enriches_the_article(tmp_path, tiny_model_dir, capsys):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "one", "text": SPACE}) + "\n")
    code, out, err = _run(["classify", str(source), "--model", str(tiny_model_dir)], capsys)
    assert code == 0, err
    assert json.loads(out)["id"] == "one"


def test_classify_reads_the_model_from_its_variable(tmp_path, tiny_model_dir, monkeypatch, capsys):
    monkeypatch.setenv("NEWSFEED_MODEL_DIR", str(tiny_model_dir))
    (tmp_path / "in.txt").write_text(SPACE)
    code, out, err = _run(["classify", "--text", str(tmp_path / "in.txt")], capsys)
    assert code == 0, err
    assert json.loads(out)["model"]["version"] == "tiny-1"


def test_model_inspect_checks_the_artifact(tiny_model_dir, capsys):
    code, out, err = _run(["model", "inspect", str(tiny_model_dir)], capsys)
    assert code == 0, err
    assert json.loads(out)["checks"].startswith("ok")


def test_promote_to_a_held_version_switches_the_registry(tmp_path, tiny_model_dir, capsys):
    registry = tmp_path / "registry"
    registry.mkdir()
    add_version(registry, tiny_model_dir)
    code, out, err = _run(["promote", "--registry", str(registry), "--to", "tiny-1"], capsys)
    assert code == 0, err
    assert json.loads(out)["version"] == "tiny-1"
    assert (registry / "current").read_text().strip() == "tiny-1"


def test_evaluate_loads_the_model_and_gets_as_far_as_the_data(tmp_path, tiny_model_dir, capsys):
    code, _, err = _run(["evaluate", "--model", str(tiny_model_dir), "--data", str(tmp_path / "none")], capsys)
    assert (code, err) == (2, f"newsfeed evaluate: error: --data {tmp_path / 'none'} is not a directory\n")


def test_train_gets_as_far_as_the_data(tmp_path, capsys):
    code, _, err = _run(["train", "--data", str(tmp_path / "none"), "--out", str(tmp_path / "out")], capsys)
    assert (code, err) == (2, f"newsfeed train: error: --data {tmp_path / 'none'} is not a directory\n")


def test_schema_prints_the_output_schema(capsys):
    code, out, _ = _run(["schema"], capsys)
    assert code == 0 and json.loads(out)["title"] == "Enriched record"
