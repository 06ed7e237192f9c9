"""Topic administration: which topics exist, creating the missing ones, reading their size limits.

Kept apart from the data path: the worker uses it once, at start-up (do its topics exist, what do they
accept), and `newsfeed topics` for the rest; the sinks are given the limits it reads, never the client.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import kafka.errors
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from newsfeed.stream.errors import TopicError
from newsfeed.stream.kafka_io.connection import built, client_options, unreachable
from newsfeed.stream.settings import KafkaConnection


class Admin:
    """Topic administration: which exist, create missing ones, read their size limits."""

    def __init__(self, client: KafkaAdminClient, settings: KafkaConnection):
        self._client = client
        self._settings = settings

    def existing_topics(self) -> set[str]:
        try:
            return set(self._client.list_topics())
        except kafka.errors.KafkaError as exc:
            raise unreachable(self._settings, exc) from exc

    def create_topic(self, name: str, partitions: int, configs: Mapping[str, str]) -> bool:
        """Create a topic (replication: the broker's default); False if it already existed."""
        spec = {name: {"num_partitions": partitions, "configs": dict(configs)}}
        try:
            response = self._client.create_topics(spec, raise_errors=False)
        except kafka.errors.KafkaError as exc:
            raise TopicError(f"cannot create topic {name}: {exc}") from exc
        (result,) = response["topics"]
        error = kafka.errors.for_code(result["error_code"])
        if error is kafka.errors.TopicAlreadyExistsError:
            return False
        if error is not kafka.errors.NoError:
            raise TopicError(f"cannot create topic {name}: {error.__name__}: {result['error_message']}")
        try:
            self._client.wait_for_topics([name])
        except kafka.errors.KafkaError as exc:
            raise TopicError(f"topic {name} was created but has no leader yet: {exc}") from exc
        return True

    def max_message_bytes(self, topics: Collection[str]) -> dict[str, int]:
        """Each topic's max.message.bytes; TopicError if a topic does not exist."""
        missing = set(topics) - self.existing_topics()
        if missing:
            raise TopicError(f"topic(s) {', '.join(sorted(missing))} do not exist (create them with "
                             "`newsfeed topics create` or `newsfeed worker --create-topics`)")
        resources = [ConfigResource(ConfigResourceType.TOPIC, t, {"max.message.bytes": None}) for t in topics]
        try:
            described = self._client.describe_configs(resources, config_filter="all")
        except kafka.errors.KafkaError as exc:
            raise TopicError(f"cannot read the configuration of {', '.join(topics)}: {exc}") from exc
        return {t: int(described["topic"][t]["max.message.bytes"]["value"]) for t in topics}

    def close(self) -> None:
        self._client.close()


def connect_admin(settings: KafkaConnection) -> Admin:
    try:
        client = built(settings, lambda: KafkaAdminClient(**client_options(settings)))
    except kafka.errors.KafkaError as exc:
        raise unreachable(settings, exc) from exc
    return Admin(client, settings)
