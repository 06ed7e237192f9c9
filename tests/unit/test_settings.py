"""Settings: defaults, NEWSFEED_* variables, flags over variables, and one-line errors naming the source."""

import argparse

import pytest

from stream.errors import ConfigError
from stream.settings import OPTIONS, Settings, add_flags, flags_from


def test_defaults_are_the_documented_ones():
    settings = Settings.from_env({})
    assert (settings.input_topic, settings.output_topic, settings.dead_letter_topic) == (
        "articles.raw", "articles.enriched", "articles.raw.dlq")
    assert settings.group_id == "newsfeed-classifier"
    assert settings.auto_offset_reset == "earliest"
    assert settings.model_dir is None
    assert settings.create_topics is False


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


def test_every_option_has_a_field_a_flag_and_a_newsfeed_variable():
    fields = set(Settings.__dataclass_fields__)
    assert {option.field for option in OPTIONS} == fields
    assert all(option.env.startswith("NEWSFEED_") for option in OPTIONS)
    # the password alone has no flag: a flag would show it in the process list
    assert [option.field for option in OPTIONS if option.flag is None] == ["sasl_password"]
    assert all(option.flag.startswith("--") for option in OPTIONS if option.flag is not None)


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
    from stream.kafka_client import transactional_id

    assert transactional_id(settings) == "newsfeed-classifier.newsfeed-2"
    assert Settings.from_env({}).guarantee == "at-least-once"


def test_producer_batches_stay_under_the_smallest_topic_limit_and_requests_under_the_largest():
    """A record batch over a topic's max.message.bytes is refused by the broker; a request cap under the
    largest limit would refuse records that topic accepts."""
    from stream.kafka_client import PRODUCER_BATCH_BYTES, _producer_options

    settings = Settings.from_env({})
    roomy = _producer_options(settings, {"articles.enriched": 1_048_588, "articles.dead-letter": 1_150_000})
    assert (roomy["batch_size"], roomy["max_request_size"]) == (PRODUCER_BATCH_BYTES, 1_150_000)
    tight = _producer_options(settings, {"articles.enriched": 100_000, "articles.dead-letter": 1_150_000})
    assert (tight["batch_size"], tight["max_request_size"]) == (100_000, 1_150_000)


def test_a_worker_slot_makes_a_static_group_member_and_assignment_stays_eager():
    """A restarted worker with the same slot rejoins as the same member (no rebalance for the others); a
    worker without one is a dynamic member. No cooperative assignor is configured (see group_options)."""
    from stream.kafka_client import group_options  # first: it imports kafka-python with its warnings quiet

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
