"""Every setting of the streaming shell, in one place: its flag, its NEWSFEED_* variable, its default.

The environment is read here and nowhere else, and only when a `from_env` (or `read_options`) is called
(never at import). A flag given on the command line wins over the variable, which wins over the default.
The CLI builds its flags from `OPTIONS`, so `--help` and this table cannot disagree.

The settings come in groups, and each command reads only the groups it uses: `KafkaConnection` (every
Kafka client), `ProducerSettings` (a connection that writes), `TopicSettings`, `OfflineSettings` (the
model and the decoder's limits, for `classify`) and `Settings`, the worker's, which holds them all. So a
worker host's variables (SASL, exactly-once, topics) cannot stop `newsfeed train` or `classify`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields as dataclass_fields
from typing import Any

from newsfeed.stream.codec import Limits
from newsfeed.stream.errors import ConfigError
from newsfeed.stream.security import check_security


def _positive_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"expected a positive integer, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"expected a positive integer, got {raw!r}")
    return value


def _boolean(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"expected true or false, got {raw!r}")


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}, got {raw!r}")
        return raw

    return parse


def _address(raw: str) -> str:
    host, sep, port = raw.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"expected HOST:PORT (port 0 picks a free one), got {raw!r}")
    return raw


def _text(raw: str) -> str:
    if not raw.strip():
        raise ValueError("must not be empty")
    return raw


def _optional_text(raw: str) -> str | None:
    return raw or None


@dataclass(frozen=True)
class Option:
    """One setting: the Settings field it fills, its flag, its environment variable, default and help."""

    field: str
    flag: str | None  # None: environment only (secrets)
    env: str
    default: Any
    parse: Callable[[str], Any]
    help: str
    metavar: str | None = None


OPTIONS: tuple[Option, ...] = (
    Option("bootstrap_servers", "--bootstrap-servers", "NEWSFEED_BOOTSTRAP_SERVERS", "127.0.0.1:9092", _text,
           "Kafka bootstrap servers, comma-separated host:port", "HOST:PORT"),
    Option("input_topic", "--input-topic", "NEWSFEED_INPUT_TOPIC", "articles.raw", _text,
           "topic of raw articles (JSON objects)", "TOPIC"),
    Option("output_topic", "--output-topic", "NEWSFEED_OUTPUT_TOPIC", "articles.enriched", _text,
           "topic the enriched records are written to, keyed by article id", "TOPIC"),
    Option("dead_letter_topic", "--dead-letter-topic", "NEWSFEED_DEAD_LETTER_TOPIC", "articles.raw.dlq", _text,
           "topic refused input goes to, original bytes unchanged, reason in headers", "TOPIC"),
    Option("group_id", "--group-id", "NEWSFEED_GROUP_ID", "newsfeed-classifier", _text,
           "consumer group of the workers", "GROUP"),
    Option("client_id", "--client-id", "NEWSFEED_CLIENT_ID", "newsfeed-classifier", _text,
           "Kafka client id (shows in broker logs and quotas)", "ID"),
    Option("auto_offset_reset", "--auto-offset-reset", "NEWSFEED_AUTO_OFFSET_RESET", "earliest",
           _choice("earliest", "latest"), "where a group with no committed offset starts", "{earliest,latest}"),
    Option("model_dir", "--model", "NEWSFEED_MODEL_DIR", None, _optional_text,
           "model artifact or registry directory (default: the shipped model)", "DIR"),
    Option("model_poll_interval_ms", "--model-poll-interval-ms", "NEWSFEED_MODEL_POLL_INTERVAL_MS", 10000,
           _positive_int, "how often the worker reads the model registry's current pointer; a new model is "
           "loaded and verified in the background and serves from the next batch", "MS"),
    Option("shadow_model_dir", "--shadow-model", "NEWSFEED_SHADOW_MODEL_DIR", None, _optional_text,
           "a candidate model artifact (or registry: its current one, read once) that scores every committed "
           "batch after the champion, in a thread of its own, for the newsfeed_shadow_* metrics only: its results "
           "never reach the output topic; when it is still busy a batch is skipped, never waited for", "DIR"),
    Option("shadow_topic", "--shadow-topic", "NEWSFEED_SHADOW_TOPIC", None, _optional_text,
           "with --shadow-model: also write, for each article on which the two models' topic labels differ, "
           "both judgements and their evidence to this topic (read it with `newsfeed shadow report`)", "TOPIC"),
    Option("batch_size", "--batch-size", "NEWSFEED_BATCH_SIZE", 500, _positive_int,
           "most records taken per poll and classified in one call; batches start at 16 and grow to it while "
           "each fits in the time budget, half of max.poll.interval.ms", "N"),
    Option("poll_timeout_ms", "--poll-timeout-ms", "NEWSFEED_POLL_TIMEOUT_MS", 1000, _positive_int,
           "longest wait for records in one poll (also bounds how fast a stop signal is seen)", "MS"),
    Option("session_timeout_ms", "--session-timeout-ms", "NEWSFEED_SESSION_TIMEOUT_MS", 30000, _positive_int,
           "consumer group session timeout: how long the group waits for a silent worker. With a worker slot "
           "(static membership) a worker restarted within it takes its partitions back with no rebalance, and "
           "a worker that never comes back holds its partitions this long", "MS"),
    Option("heartbeat_interval_ms", "--heartbeat-interval-ms", "NEWSFEED_HEARTBEAT_INTERVAL_MS", 3000,
           _positive_int, "consumer group heartbeat interval (below a third of the session timeout)", "MS"),
    Option("max_poll_interval_ms", "--max-poll-interval-ms", "NEWSFEED_MAX_POLL_INTERVAL_MS", 300000,
           _positive_int, "longest time between polls before the group takes the partitions away; "
           "/livez fails past it; batches are sized to take at most half of it", "MS"),
    Option("delivery_timeout_ms", "--delivery-timeout-ms", "NEWSFEED_DELIVERY_TIMEOUT_MS", 120000, _positive_int,
           "how long the producer retries one send before it counts as failed", "MS"),
    Option("guarantee", "--guarantee", "NEWSFEED_GUARANTEE", "at-least-once", _choice("at-least-once", "exactly-once"),
           "at-least-once: a crash can write a batch twice; exactly-once: each batch's records, dead letters and "
           "offsets commit in one Kafka transaction (readers must use read_committed)",
           "{at-least-once,exactly-once}"),
    Option("worker_slot", "--worker-slot", "NEWSFEED_WORKER_SLOT", None, _optional_text,
           "this worker's place among the group's workers, e.g. a StatefulSet pod name: the same across its "
           "restarts and different from every other live worker. It is the worker's static group instance "
           "id, so a restart takes its partitions back without a rebalance; exactly-once needs it "
           "(transactional id GROUP.SLOT, so a restarted worker fences its zombie)", "SLOT"),
    Option("transaction_timeout_ms", "--transaction-timeout-ms", "NEWSFEED_TRANSACTION_TIMEOUT_MS", 60000,
           _positive_int, "exactly-once: the broker aborts a transaction left open this long; a transaction "
           "call that takes longer ends the worker (exit 1) for its supervisor to restart", "MS"),
    Option("max_input_bytes", "--max-input-bytes", "NEWSFEED_MAX_INPUT_BYTES", 524288, _positive_int,
           "larger input records are dead-lettered as too_large", "BYTES"),
    Option("max_json_depth", "--max-json-depth", "NEWSFEED_MAX_JSON_DEPTH", 64, _positive_int,
           "deeper-nested input JSON is dead-lettered as too_deep", "N"),
    Option("max_text_chars", "--max-text-chars", "NEWSFEED_MAX_TEXT_CHARS", 100000, _positive_int,
           "the classifier reads at most this many characters of an article's title, text and html each; "
           "the output record keeps every field whole", "CHARS"),
    Option("slow_article_ms", "--slow-article-ms", "NEWSFEED_SLOW_ARTICLE_MS", 2000, _positive_int,
           "an article whose own classification (text preparation and countries) takes longer is logged "
           "with its topic, partition and offset and counted in newsfeed_slow_articles_total; it is still "
           "enriched", "MS"),
    Option("http_address", "--http-address", "NEWSFEED_HTTP_ADDRESS", "127.0.0.1:9464", _address,
           "where /metrics, /livez and /readyz are served (use 0.0.0.0:PORT in a container)", "HOST:PORT"),
    Option("processes", "--processes", "NEWSFEED_PROCESSES", 1, _positive_int,
           "worker processes to run, each a full group member with its own consumer and producer; the "
           "HTTP address serves all of them, each series labelled process=\"i\"; one per core uses them all", "N"),
    Option("partitions", "--partitions", "NEWSFEED_PARTITIONS", 4, _positive_int,
           "partitions of each topic the worker or `topics create` creates", "N"),
    Option("create_topics", "--create-topics", "NEWSFEED_CREATE_TOPICS", False, _boolean,
           "create the three topics at start-up if they are missing (the broker does not auto-create)"),
    Option("security_protocol", "--security-protocol", "NEWSFEED_SECURITY_PROTOCOL", "PLAINTEXT",
           _choice("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"), "how every Kafka client connects",
           "{PLAINTEXT,SSL,SASL_PLAINTEXT,SASL_SSL}"),
    Option("sasl_mechanism", "--sasl-mechanism", "NEWSFEED_SASL_MECHANISM", "SCRAM-SHA-512",
           _choice("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"), "SASL mechanism (with SASL_SSL or SASL_PLAINTEXT)",
           "{PLAIN,SCRAM-SHA-256,SCRAM-SHA-512}"),
    Option("sasl_username", "--sasl-username", "NEWSFEED_SASL_USERNAME", None, _optional_text,
           "SASL user name", "USER"),
    Option("sasl_password", None, "NEWSFEED_SASL_PASSWORD", None, _optional_text,
           "SASL password (environment only: a flag would show in the process list)"),
    Option("sasl_password_file", "--sasl-password-file", "NEWSFEED_SASL_PASSWORD_FILE", None, _optional_text,
           "file holding the SASL password (one line), instead of NEWSFEED_SASL_PASSWORD", "FILE"),
    Option("ssl_cafile", "--ssl-cafile", "NEWSFEED_SSL_CAFILE", None, _optional_text,
           "PEM file of the CA certificates that verify the brokers (default: the system's)", "FILE"),
    Option("ssl_certfile", "--ssl-certfile", "NEWSFEED_SSL_CERTFILE", None, _optional_text,
           "PEM client certificate, for brokers that require one", "FILE"),
    Option("ssl_keyfile", "--ssl-keyfile", "NEWSFEED_SSL_KEYFILE", None, _optional_text,
           "PEM private key of the client certificate", "FILE"),
    Option("log_level", "--log-level", "NEWSFEED_LOG_LEVEL", "INFO",
           _choice("DEBUG", "INFO", "WARNING", "ERROR"), "level of the JSON log lines on stderr",
           "{DEBUG,INFO,WARNING,ERROR}"),
)

_BY_FIELD = {option.field: option for option in OPTIONS}


def read_options(fields: Iterable[str], environ: Mapping[str, str],
                 flags: Mapping[str, str | None] | None = None) -> dict[str, Any]:
    """The named settings alone, parsed: each from its flag (a raw string; None = not given), else its
    variable, else its default. A variable of a setting not named is never looked at, so a command that
    reads only what it uses cannot be stopped by a setting meant for another one."""
    flags = flags or {}
    values = {}
    for name in fields:
        option = _BY_FIELD[name]
        raw, source = flags.get(name), option.flag
        if raw is None:
            raw, source = environ.get(option.env), option.env
        if raw is None:
            values[name] = option.default
            continue
        try:
            values[name] = option.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{source}: {exc}") from None
    return values


class _FromEnv:
    """`from_env` for a settings dataclass: it reads its own fields and no other, then checks them."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str], flags: Mapping[str, str | None] | None = None) -> Any:
        """Settings from flags (raw strings by field name; None = not given), then `environ`, then defaults."""
        settings = cls(**read_options((f.name for f in dataclass_fields(cls)), environ, flags))  # type: ignore[arg-type]
        settings._check()
        return settings

    def _check(self) -> None:
        """ConfigError for values that parse but cannot work together (each class adds its own, then super's)."""


@dataclass(frozen=True)
class KafkaConnection(_FromEnv):
    """How every Kafka client reaches and authenticates to the cluster: all `consume` reads."""

    bootstrap_servers: str
    client_id: str
    security_protocol: str
    sasl_mechanism: str
    sasl_username: str | None
    sasl_password: str | None = field(repr=False)  # never in a repr, so never in a log line
    sasl_password_file: str | None
    ssl_cafile: str | None
    ssl_certfile: str | None
    ssl_keyfile: str | None

    def _check(self) -> None:
        check_security(self)
        super()._check()


@dataclass(frozen=True)
class ProducerSettings(KafkaConnection):
    """A connection that writes: `produce` and `dlq redrive` read this, as the worker does."""

    delivery_timeout_ms: int


@dataclass(frozen=True)
class TopicSettings(_FromEnv):
    """The worker's three topics, and the partitions it (or `topics create`) creates them with."""

    input_topic: str
    output_topic: str
    dead_letter_topic: str
    partitions: int

    def _check(self) -> None:
        topics = (self.input_topic, self.output_topic, self.dead_letter_topic)
        if len(set(topics)) != 3:
            raise ConfigError(f"input, output and dead-letter topics must differ, got {', '.join(topics)}")
        super()._check()


class _DecoderLimits:
    """`limits` for a settings group with the decoder's three bounds: the worker's and `classify`'s,
    which must refuse exactly the same input."""

    max_input_bytes: int
    max_json_depth: int
    max_text_chars: int

    @property
    def limits(self) -> Limits:
        """What the decoder refuses as too_large or too_deep."""
        return Limits(self.max_input_bytes, self.max_json_depth, self.max_text_chars)


@dataclass(frozen=True)
class OfflineSettings(_DecoderLimits, _FromEnv):
    """What the commands that need no Kafka read (`classify`, `evaluate`): the model and the decoder's
    limits, which `classify` shares with the worker so that it classifies exactly as the worker does."""

    model_dir: str | None
    batch_size: int
    max_input_bytes: int
    max_json_depth: int
    max_text_chars: int


@dataclass(frozen=True)
class Settings(_DecoderLimits, ProducerSettings, TopicSettings):
    """The worker's settings: every option, its connection and topics included."""

    group_id: str
    auto_offset_reset: str
    model_dir: str | None
    model_poll_interval_ms: int
    shadow_model_dir: str | None
    shadow_topic: str | None
    batch_size: int
    poll_timeout_ms: int
    session_timeout_ms: int
    heartbeat_interval_ms: int
    max_poll_interval_ms: int
    guarantee: str
    worker_slot: str | None
    transaction_timeout_ms: int
    max_input_bytes: int
    max_json_depth: int
    max_text_chars: int
    slow_article_ms: int
    http_address: str
    processes: int
    create_topics: bool
    log_level: str

    def _check(self) -> None:
        if self.shadow_topic is not None:
            if self.shadow_model_dir is None:
                raise ConfigError("NEWSFEED_SHADOW_TOPIC (--shadow-topic) needs a shadow model (--shadow-model)")
            if self.shadow_topic in (self.input_topic, self.output_topic, self.dead_letter_topic):
                raise ConfigError(f"the shadow topic must differ from the worker's other topics, got {self.shadow_topic}")
        if self.heartbeat_interval_ms * 3 > self.session_timeout_ms:
            raise ConfigError(
                f"NEWSFEED_HEARTBEAT_INTERVAL_MS ({self.heartbeat_interval_ms}) must be at most a third of "
                f"NEWSFEED_SESSION_TIMEOUT_MS ({self.session_timeout_ms})"
            )
        if self.guarantee == "exactly-once" and self.worker_slot is None:
            raise ConfigError(
                "exactly-once needs NEWSFEED_WORKER_SLOT (--worker-slot): a name that stays the same across the "
                "worker's restarts and differs from every other live worker's, e.g. the StatefulSet pod name"
            )
        super()._check()


def add_flags(parser: argparse.ArgumentParser, fields: Iterable[str]) -> None:
    """Add the flags of the named settings to a parser; each one's help names its variable and default."""
    for name in fields:
        option = _BY_FIELD[name]
        if option.flag is None:
            continue
        default = option.default if option.default is not None else (
            "the shipped model" if name == "model_dir" else "none")
        help_text = f"{option.help} [{option.env}, default: {default}]"
        if option.parse is _boolean:
            parser.add_argument(option.flag, dest=option.field, action="store_const", const="true",
                                default=None, help=help_text)
        else:
            parser.add_argument(option.flag, dest=option.field, default=None, metavar=option.metavar,
                                help=help_text)


def flags_from(namespace: argparse.Namespace) -> dict[str, str | None]:
    """The raw setting flags found in parsed arguments, for `Settings.from_env(environ, flags)`."""
    return {option.field: getattr(namespace, option.field, None) for option in OPTIONS}
