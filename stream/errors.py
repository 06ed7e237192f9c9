"""Errors the streaming shell raises on purpose, below the project's one base `NewsfeedError`.

Third-party errors (kafka-python's) are translated into these once, in `stream.kafka_io`,
with the original kept as `__cause__`.
"""

from newsfeed.models.errors import NewsfeedError


class ConfigError(NewsfeedError):
    """A setting (flag or NEWSFEED_* variable) has a value that cannot be used."""


class BrokerError(NewsfeedError):
    """The Kafka cluster could not be reached or refused a request (other than the ones below)."""


class TopicError(BrokerError):
    """A topic is missing, could not be created, or is configured so the worker cannot use it."""


class ProduceError(BrokerError):
    """A record could not be written; nothing after it may be committed."""


class RecordTooLargeError(ProduceError):
    """A record is larger than its destination topic accepts (its max.message.bytes)."""


class CommitError(BrokerError):
    """Consumed offsets could not be committed (e.g. the partitions were revoked meanwhile)."""


class AuthenticationError(BrokerError):
    """The cluster refused the client's credentials or certificate (SASL or TLS)."""


class TransactionError(BrokerError):
    """An exactly-once transaction could not be completed or aborted; the worker exits, and its restart
    (same transactional id) aborts whatever was left open."""


class TransactionTimeoutError(TransactionError):
    """A transaction call did not return in time (kafka-python's own calls wait without a limit)."""


class FencedError(TransactionError):
    """Another producer with this worker's transactional id has started: this one is a zombie and stops."""
