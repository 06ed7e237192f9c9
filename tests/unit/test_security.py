"""TLS and SASL settings: checked before any client is built, turned into client options, never printed."""

import logging

import pytest

from newsfeed.stream.errors import ConfigError
from newsfeed.stream.logs import JsonFormatter
from newsfeed.stream.security import client_security, describe_security
from newsfeed.stream.settings import Settings

SECRET = "s3cr3t-p4ss"


def sasl_env(tmp_path, **extra):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    return {"NEWSFEED_SECURITY_PROTOCOL": "SASL_SSL", "NEWSFEED_SASL_USERNAME": "alice",
            "NEWSFEED_SASL_PASSWORD": SECRET, "NEWSFEED_SSL_CAFILE": str(ca), **extra}


def test_plaintext_needs_nothing_and_gives_only_the_protocol():
    assert client_security(Settings.from_env({})) == {"security_protocol": "PLAINTEXT"}


def test_sasl_ssl_gives_tls_and_scram_options(tmp_path):
    settings = Settings.from_env(sasl_env(tmp_path))
    options = client_security(settings)
    assert options == {
        "security_protocol": "SASL_SSL", "ssl_cafile": str(tmp_path / "ca.pem"), "ssl_certfile": None,
        "ssl_keyfile": None, "ssl_check_hostname": True, "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "alice", "sasl_plain_password": SECRET}


def test_the_password_can_come_from_a_file_whose_line_ending_is_dropped(tmp_path):
    secret_file = tmp_path / "password"
    secret_file.write_text(SECRET + "\n")
    env = sasl_env(tmp_path, NEWSFEED_SASL_MECHANISM="PLAIN")
    del env["NEWSFEED_SASL_PASSWORD"]
    settings = Settings.from_env(env, {"sasl_password_file": str(secret_file)})
    options = client_security(settings)
    assert (options["sasl_mechanism"], options["sasl_plain_password"]) == ("PLAIN", SECRET)


@pytest.mark.parametrize("change, message", [
    ({"NEWSFEED_SASL_USERNAME": None}, "SASL_SSL needs NEWSFEED_SASL_USERNAME"),
    ({"NEWSFEED_SASL_PASSWORD": None}, "exactly one of NEWSFEED_SASL_PASSWORD and NEWSFEED_SASL_PASSWORD_FILE"),
    ({"NEWSFEED_SASL_PASSWORD_FILE": "/etc/hostname"}, "exactly one of"),
    ({"NEWSFEED_SECURITY_PROTOCOL": "SSL"}, "SASL credentials are set but NEWSFEED_SECURITY_PROTOCOL is SSL"),
    ({"NEWSFEED_SECURITY_PROTOCOL": "SASL_PLAINTEXT"}, "TLS files are set but NEWSFEED_SECURITY_PROTOCOL is"),
    ({"NEWSFEED_SSL_CAFILE": "/nonexistent/ca.pem"}, "NEWSFEED_SSL_CAFILE: cannot read /nonexistent/ca.pem"),
    ({"NEWSFEED_SSL_KEYFILE": "/etc/hostname"}, "NEWSFEED_SSL_KEYFILE is set without NEWSFEED_SSL_CERTFILE"),
    ({"NEWSFEED_SASL_MECHANISM": "GSSAPI"}, "NEWSFEED_SASL_MECHANISM: expected one of PLAIN, SCRAM-SHA-256"),
])
def test_settings_that_cannot_connect_are_refused_up_front(tmp_path, change, message):
    env = {key: value for key, value in {**sasl_env(tmp_path), **change}.items() if value is not None}
    with pytest.raises(ConfigError, match=message) as caught:
        Settings.from_env(env)
    assert SECRET not in str(caught.value)


def test_an_unreadable_password_file_is_named_but_its_content_is_not(tmp_path):
    env = sasl_env(tmp_path)
    del env["NEWSFEED_SASL_PASSWORD"]
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(ConfigError, match=f"{empty} is empty"):
        client_security(Settings.from_env({**env, "NEWSFEED_SASL_PASSWORD_FILE": str(empty)}))


def test_the_password_is_in_no_repr_and_no_log_line(tmp_path):
    settings = Settings.from_env(sasl_env(tmp_path))
    assert SECRET not in repr(settings)
    described = describe_security(settings)
    assert described == {"security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512",
                         "sasl_username": "alice", "sasl_password_from": "environment",
                         "ssl_cafile": str(tmp_path / "ca.pem"), "ssl_certfile": None}
    line = JsonFormatter().format(logging.LogRecord("newsfeed.stream.app", logging.INFO, "", 0, "worker started", (), None))
    record = logging.LogRecord("newsfeed.stream.app", logging.INFO, "", 0, "settings %s", (settings,), None)
    record.__dict__.update(described)
    assert SECRET not in line and SECRET not in JsonFormatter().format(record)


def test_the_password_has_no_flag(tmp_path):
    from newsfeed.cli import build_parser

    help_text = build_parser().parse_args(["worker"]).__dict__
    assert "sasl_password" not in help_text and "sasl_password_file" in help_text


# --- the metrics endpoint: where it listens, and what it does not show --------------------------------

def test_the_metrics_endpoint_listens_on_loopback_unless_told_otherwise():
    from prometheus_client import CollectorRegistry

    from newsfeed.stream.health import Health, HttpServer

    assert Settings.from_env({}).http_address == "127.0.0.1:9464"  # the documented default: this host only
    server = HttpServer("127.0.0.1:0", CollectorRegistry(), Health(stall_after_s=60))
    try:
        host, port = server.address.rsplit(":", 1)
        assert host == "127.0.0.1" and int(port) > 0  # bound where it was told, on a free port
    finally:
        server.close()


def test_metrics_show_no_article_content_after_a_batch_of_good_and_bad_articles():
    """Labels come from fixed sets (topics, regions, statuses, reasons), never from what an article says."""
    import json

    from prometheus_client import CollectorRegistry, generate_latest

    from newsfeed.stream.health import Health
    from newsfeed.stream.metrics import create_metrics
    from newsfeed.stream.worker import Worker
    from stream_fakes import FakeModel, FakeSink, FakeSource, FixedClassifier, record

    secret_words = ["Zanzibarian-ambassador-9731", "confidential-source-4420", "https://leak.example/a1"]
    batch = [record(0, json.dumps({"id": secret_words[0], "title": secret_words[1], "url": secret_words[2],
                                   "text": "talks"}).encode()),
             record(1, json.dumps({"id": 7, "title": secret_words[1]}).encode()),  # a warning
             record(2, b'{"title": "' + secret_words[0].encode() + b'"')]  # invalid_json
    registry = CollectorRegistry()
    worker = Worker(Settings.from_env({}), FakeSource([]), FakeSink(), FakeModel, FixedClassifier(),
                    create_metrics(registry), Health(stall_after_s=60))
    worker.process(batch)
    exposed = generate_latest(registry).decode()
    assert "newsfeed_records_dead_lettered_total" in exposed
    assert not [word for word in secret_words if word in exposed]
