"""Settings: defaults, NEWSFEED_* variables, flags over variables, and one-line errors naming the source."""

import argparse
import re
from pathlib import Path

import pytest

from newsfeed.stream.errors import ConfigError
from newsfeed.stream.settings import (OPTIONS, KafkaConnection, OfflineSettings, ProducerSettings, Settings, TopicSettings,
                             add_flags, flags_from)


def test_the_readme_table_gives_the_defaults_the_worker_uses():
    """Each row of the README's configuration table: its variables, then the defaults in backticks."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme[readme.index("| flag | variable | default |"):].split("\n\n")[0]
    settings, by_env = Settings.from_env({}), {option.env: option.field for option in OPTIONS}
    checked = 0
    for row in table.splitlines()[2:]:
        _, variables, defaults = row.strip("|").split(" | ")
        names = re.findall(r"`(NEWSFEED_\w+)`", variables)
        shown = re.findall(r"`([^`]+)`", defaults)
        for name, default in zip(names, shown, strict=False):
            if by_env[name] == "model_dir":
                assert settings.model_dir is None  # "the shipped model"
                continue
            assert str(getattr(settings, by_env[name])).lower() == default.lower(), name
            checked += 1
    assert checked >= 10


def test_variables_are_read_and_parsed():
    settings = Settings.from_env({
        "NEWSFEED_BOOTSTRAP_SERVERS": "kafka-1:9092,kafka-2:9092",
        "NEWSFEED_BATCH_SIZE": "50",
        "NEWSFEED_CREATE_TOPICS": "yes",
        "NEWSFEED_AUTO_OFFSET_RESET": "latest",
        "NEWSFEED_MODEL_DIR": "/models/registry",
    })
    assert settings.bootstrap_servers == "kafka-1:9092,kafka-2:9092"
    assert settings.batch_size == 50
    assert settings.create_topics is True
    assert settings.auto_offset_reset == "latest"
    assert settings.model_dir == "/models/registry"


def test_a_flag_wins_over_its_variable():
    settings = Settings.from_env({"NEWSFEED_BATCH_SIZE": "50"}, {"batch_size": "7"})
    assert settings.batch_size == 7


@pytest.mark.parametrize("environ, flags, message", [
    ({"NEWSFEED_BATCH_SIZE": "0"}, {}, "NEWSFEED_BATCH_SIZE: expected a positive integer, got '0'"),
    ({}, {"batch_size": "many"}, "--batch-size: expected a positive integer, got 'many'"),
    ({"NEWSFEED_AUTO_OFFSET_RESET": "oldest"}, {}, "NEWSFEED_AUTO_OFFSET_RESET: expected one of earliest, latest"),
    ({"NEWSFEED_CREATE_TOPICS": "maybe"}, {}, "NEWSFEED_CREATE_TOPICS: expected true or false"),
    ({"NEWSFEED_HTTP_ADDRESS": "9464"}, {}, "NEWSFEED_HTTP_ADDRESS: expected HOST:PORT"),
    ({"NEWSFEED_OUTPUT_TOPIC": "articles.raw"}, {}, "input, output and dead-letter topics must differ"),
    ({"NEWSFEED_SESSION_TIMEOUT_MS": "6000", "NEWSFEED_HEARTBEAT_INTERVAL_MS": "3000"}, {},
     "must be at most a third of NEWSFEED_SESSION_TIMEOUT_MS"),
])
def test_a_bad_value_is_a_config_error_naming_where_it_came_from(environ, flags, message):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(environ, flags)
    assert message in str(caught.value)


def test_each_group_reads_its_own_variables_and_no_other():
    """A Kafka tool is not stopped by a worker-only variable, nor an offline tool by a Kafka one."""
    worker_only = {"NEWSFEED_GUARANTEE": "exactly-once", "NEWSFEED_HTTP_ADDRESS": "nowhere",
                   "NEWSFEED_OUTPUT_TOPIC": "articles.raw", "NEWSFEED_BATCH_SIZE": "0"}
    kafka = {"NEWSFEED_SECURITY_PROTOCOL": "SASL_SSL", "NEWSFEED_DELIVERY_TIMEOUT_MS": "soon"}
    assert KafkaConnection.from_env(worker_only).bootstrap_servers == "127.0.0.1:9092"
    assert OfflineSettings.from_env({**kafka, "NEWSFEED_BATCH_SIZE": "7"}).batch_size == 7
    assert TopicSettings.from_env({**kafka, "NEWSFEED_BATCH_SIZE": "0"}).input_topic == "articles.raw"
    with pytest.raises(ConfigError, match="NEWSFEED_DELIVERY_TIMEOUT_MS"):
        ProducerSettings.from_env(kafka)
    with pytest.raises(ConfigError, match="input, output and dead-letter topics must differ"):
        TopicSettings.from_env(worker_only)
    for group in (KafkaConnection, ProducerSettings, TopicSettings):  # the worker's settings hold them all
        assert issubclass(Settings, group)


def test_flags_document_their_variable_and_default_and_come_back_as_raw_strings():
    parser = argparse.ArgumentParser()
    add_flags(parser, ["batch_size", "create_topics", "model_dir"])
    help_text = parser.format_help()
    assert "NEWSFEED_BATCH_SIZE, default: 500" in help_text
    assert "NEWSFEED_MODEL_DIR, default: the shipped model" in help_text
    flags = flags_from(parser.parse_args(["--batch-size", "9", "--create-topics"]))
    assert flags["batch_size"] == "9" and flags["create_topics"] == "true" and flags["model_dir"] is None
    assert Settings.from_env({}, flags).create_topics is True


def test_exactly_once_needs_a_worker_slot_and_names_its_transactional_id():
    with pytest.raises(ConfigError, match="exactly-once needs NEWSFEED_WORKER_SLOT"):
        Settings.from_env({"NEWSFEED_GUARANTEE": "exactly-once"})
    settings = Settings.from_env({"NEWSFEED_GUARANTEE": "exactly-once"}, {"worker_slot": "newsfeed-2"})
    from newsfeed.stream.kafka_io.producer import transactional_id

    assert transactional_id(settings) == "newsfeed-classifier.newsfeed-2"
    assert Settings.from_env({}).guarantee == "at-least-once"


def test_producer_batches_stay_under_the_smallest_topic_limit_and_requests_under_the_largest():
    """A record batch over a topic's max.message.bytes is refused by the broker; a request cap under the
    largest limit would refuse records that topic accepts."""
    from newsfeed.stream.kafka_io.producer import PRODUCER_BATCH_BYTES, _producer_options

    settings = Settings.from_env({})
    roomy = _producer_options(settings, {"articles.enriched": 1_048_588, "articles.dead-letter": 1_150_000})
    assert (roomy["batch_size"], roomy["max_request_size"]) == (PRODUCER_BATCH_BYTES, 1_150_000)
    tight = _producer_options(settings, {"articles.enriched": 100_000, "articles.dead-letter": 1_150_000})
    assert (tight["batch_size"], tight["max_request_size"]) == (100_000, 1_150_000)


def test_a_worker_slot_makes_a_static_group_member_and_assignment_stays_eager():
    """A restarted worker with the same slot rejoins as the same member (no rebalance for the others); a
    worker without one is a dynamic member. No cooperative assignor is configured (see group_options)."""
    from newsfeed.stream.kafka_io.consumer import group_options  # first: it imports kafka-python with its warnings quiet

    from kafka import KafkaConsumer
    from kafka.coordinator.assignors.abstract import RebalanceProtocol

    static = group_options(Settings.from_env({"NEWSFEED_WORKER_SLOT": "newsfeed-worker-1"}))
    assert static["group_instance_id"] == "newsfeed-worker-1"
    assert static["session_timeout_ms"] == 30000
    assert group_options(Settings.from_env({}))["group_instance_id"] is None
    assert set(static) <= set(KafkaConsumer.DEFAULT_CONFIG)  # each one a real kafka-python consumer option
    assert "partition_assignment_strategy" not in static
    defaults = KafkaConsumer.DEFAULT_CONFIG["partition_assignment_strategy"]
    assert all(assignor().supported_protocols() == [RebalanceProtocol.EAGER] for assignor in defaults)
