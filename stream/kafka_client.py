"""The one place that builds kafka-python clients, and turns their errors into `stream.errors` types.

The worker sees three small seams instead of kafka-python: a `KafkaSource` (poll records, commit
offsets), a `KafkaSink` (send, flush, check deliveries; a `TransactionalSink` also begins, commits and
aborts transactions) and an `Admin` (topics and their limits). Unit tests replace the first two with
list-backed fakes. Every client connects the same way (`_client_options`: bootstrap servers, client
id, TLS and SASL from `stream.security`).
"""

from __future__ import annotations

import logging
import ssl
import threading
import warnings
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

with warnings.catch_warnings():
    # kafka-python 3.0 loads its protocol schemas at import with importlib.resources.read_text and
    # open_text, which Python 3.11-3.12 flag as deprecated (3.13 took that back). Not ours to fix,
    # and it would fail every test run under filterwarnings=error.
    warnings.filterwarnings("ignore", "(read|open)_text is deprecated", DeprecationWarning)
    import kafka.errors
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, OffsetAndMetadata, TopicPartition
    from kafka.admin import ConfigResource, ConfigResourceType
    from kafka.consumer.subscription_state import ConsumerRebalanceListener
    from kafka.record.default_records import DefaultRecordBatchBuilder

from newsfeed.stream.errors import (AuthenticationError, BrokerError, CommitError, FencedError, ProduceError,
                           RecordTooLargeError, TopicError, TransactionError, TransactionTimeoutError)
from newsfeed.stream.security import client_security
from newsfeed.stream.settings import KafkaConnection, ProducerSettings, Settings
from newsfeed.stream.sink import Sink

log = logging.getLogger(__name__)

Partition = tuple[str, int]
Headers = list[tuple[str, bytes]]
T = TypeVar("T")

CLOSE_TIMEOUT_S = 5  # the longest a client's close waits (for a group leave, or unsent records)


@dataclass(frozen=True)
class Record:
    """One record read from a topic: bytes as they were written."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Headers
    timestamp_ms: int

    @property
    def coordinates(self) -> str:
        return f"{self.topic}[{self.partition}]@{self.offset}"


def _bootstrap(settings: KafkaConnection) -> list[str]:
    return [server.strip() for server in settings.bootstrap_servers.split(",") if server.strip()]


def _client_options(settings: KafkaConnection) -> dict[str, Any]:
    """What every client shares: where the cluster is, who this is, how it encrypts and authenticates."""
    return {"bootstrap_servers": _bootstrap(settings), "client_id": settings.client_id, **client_security(settings)}


def _unreachable(settings: KafkaConnection, exc: BaseException) -> BrokerError:
    if isinstance(exc, _ClosedInHandshake):
        return AuthenticationError(
            f"the Kafka cluster at {settings.bootstrap_servers} accepted {exc.count} connections in a row and "
            f"closed each during the {'SASL ' if settings.sasl_username else 'TLS '}handshake: most likely it "
            + (f"refused the credentials of SASL user {settings.sasl_username!r} ({settings.sasl_mechanism}): check "
               "NEWSFEED_SASL_USERNAME and the password" if settings.sasl_username else
               "refused the client certificate: check NEWSFEED_SSL_CERTFILE and NEWSFEED_SSL_KEYFILE"))
    if isinstance(exc, kafka.errors.SaslAuthenticationFailedError):
        return AuthenticationError(
            f"the Kafka cluster at {settings.bootstrap_servers} refused the credentials of SASL user "
            f"{settings.sasl_username!r} ({settings.sasl_mechanism}): check NEWSFEED_SASL_USERNAME and the "
            f"password ({exc})")
    if _tls_refusal(exc):
        return AuthenticationError(
            f"TLS with the Kafka cluster at {settings.bootstrap_servers} failed: {exc} (check "
            "NEWSFEED_SSL_CAFILE, and NEWSFEED_SSL_CERTFILE/NEWSFEED_SSL_KEYFILE if the brokers require a client "
            "certificate)")
    return BrokerError(f"cannot use the Kafka cluster at {settings.bootstrap_servers}: {exc}")


_TLS_REFUSALS = ("CERTIFICATE", "UNKNOWN_CA", "WRONG_VERSION_NUMBER")


def _tls_refusal(exc: BaseException) -> bool:
    """A TLS handshake that fails on a certificate (or meets a plaintext port): no retry will mend it."""
    return isinstance(exc, (ssl.SSLError, kafka.errors.KafkaConnectionError)) and any(
        marker in str(exc).upper() for marker in _TLS_REFUSALS)


class _ClosedInHandshake(Exception):
    """The cluster accepted connections and closed each one before the client was through its handshake."""

    def __init__(self, count: int):
        super().__init__(f"{count} connections closed during the handshake")
        self.count = count


# A broker that fails a SASL login closes the connection, and under load kafka-python often sees only that
# ("socket disconnected"), not the error response before it. A broker that is down refuses the connection
# instead; so this many accepted-then-closed connections in a row count as a refusal (about 1 s of retries).
CLOSED_IN_HANDSHAKE = 3


class _RefusalWatch(logging.Handler):
    """Keeps the first refusal (credentials or certificate) among the errors kafka-python logs from threads
    started after the watch (the new client's own: not those of earlier clients still retrying)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.refusal: BaseException | None = None
        self.done = threading.Event()
        self._older_threads = {thread.ident for thread in threading.enumerate()}
        self._closed = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread in self._older_threads or record.name != "kafka.net.connection":
            return  # one record per failed connection: kafka.net.connection's "Connection lost: <error>"
        for arg in record.args if isinstance(record.args, tuple) else ():
            if isinstance(arg, kafka.errors.SaslAuthenticationFailedError) or _tls_refusal(arg):
                self._refused(arg)
            elif isinstance(arg, kafka.errors.KafkaConnectionError) and "socket disconnected" in str(arg):
                self._closed += 1
                if self._closed >= CLOSED_IN_HANDSHAKE:
                    self._refused(_ClosedInHandshake(self._closed))

    def _refused(self, reason: BaseException) -> None:
        self.refusal = self.refusal or reason
        self.done.set()


def _built(settings: KafkaConnection, factory: Callable[[], T]) -> T:
    """`factory()`, a kafka-python client (they connect as they are built); when the cluster refuses the
    credentials or the certificate, an AuthenticationError at once, naming the reason.

    kafka-python 3.0.12 retries a refused login or handshake until bootstrap_timeout_ms (30 s) and then
    says only "Unable to bootstrap" (kafka/net/manager.py, _do_bootstrap); the reason is in the records it
    logs meanwhile. So with TLS or SASL the client is built on a thread while a handler on the kafka.net
    loggers watches for a refusal; on one, the thread is left to time out on its own and the caller fails.
    """
    if settings.security_protocol == "PLAINTEXT":
        return factory()
    watch = _RefusalWatch()
    outcome: list[tuple[bool, Any]] = []

    def build() -> None:
        try:
            outcome.append((True, factory()))
        except BaseException as exc:  # handed to the caller below, with its type
            outcome.append((False, exc))
        finally:
            watch.done.set()

    logger = logging.getLogger("kafka.net")
    level = logger.level
    if logger.getEffectiveLevel() > logging.ERROR:  # refusals are logged at ERROR: let them through here
        logger.setLevel(logging.ERROR)
    logger.addHandler(watch)
    try:
        threading.Thread(target=build, name="kafka-connect", daemon=True).start()
        watch.done.wait()
    finally:
        logger.removeHandler(watch)
        logger.setLevel(level)
    if not outcome:
        raise _unreachable(settings, watch.refusal)
    ok, value = outcome[0]
    if not ok:
        raise _unreachable(settings, watch.refusal) if watch.refusal is not None else value
    return value


def _poll(consumer: KafkaConsumer, timeout_ms: int, max_records: int) -> list[Record]:
    """Records from one poll. A retriable error (the broker restarting, a connection reset) is no records
    this time: the next poll retries, as kafka-python does itself for most of them. Others stop the caller."""
    try:
        polled = consumer.poll(timeout_ms=timeout_ms, max_records=max_records)
    except kafka.errors.FencedInstanceIdError as exc:
        # Static membership: a newer member joined with this one's group.instance.id and took its place.
        raise BrokerError(f"poll failed: another worker joined the group with this worker's group instance id "
                          f"(the same NEWSFEED_WORKER_SLOT): this one stops ({exc})") from exc
    except kafka.errors.KafkaError as exc:
        if exc.retriable:
            log.warning("poll failed; polling again", extra={"error": str(exc)})
            return []
        raise BrokerError(f"poll failed: {exc}") from exc
    return [
        Record(r.topic, r.partition, r.offset, r.key, r.value, list(r.headers or []), r.timestamp)
        for records in polled.values()
        for r in records
    ]


class _AssignmentListener(ConsumerRebalanceListener):
    """Keeps the set of assigned partitions and reports each change; runs on the client's IO thread."""

    def __init__(self, on_change: Callable[[frozenset[Partition]], None]):
        self._assigned: frozenset[Partition] = frozenset()
        self._on_change = on_change

    def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        self._assigned -= {(tp.topic, tp.partition) for tp in revoked}
        self._on_change(self._assigned)

    def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        self._assigned |= {(tp.topic, tp.partition) for tp in assigned}
        self._on_change(self._assigned)


class KafkaSource:
    """A group member reading one topic, committing only the offsets it is told to."""

    def __init__(self, consumer: KafkaConsumer, commit_timeout_ms: int):
        self._consumer = consumer
        self._commit_timeout_ms = commit_timeout_ms

    def poll(self, timeout_ms: int, max_records: int) -> list[Record]:
        return _poll(self._consumer, timeout_ms, max_records)

    def commit(self, offsets: Mapping[Partition, int]) -> None:
        """Commit the next offset to read for each partition; CommitError if the group refuses."""
        to_commit = {TopicPartition(t, p): OffsetAndMetadata(offset, "", -1) for (t, p), offset in offsets.items()}
        try:
            self._consumer.commit(to_commit, timeout_ms=self._commit_timeout_ms)
        except kafka.errors.KafkaError as exc:
            raise CommitError(f"commit of {_describe(offsets)} failed: {exc}") from exc

    def lags(self) -> dict[Partition, int]:
        """Records behind the end of each assigned partition whose end and position are known (no waiting)."""
        lags: dict[Partition, int] = {}
        try:
            for tp in self._consumer.assignment():
                highwater = self._consumer.highwater(tp)  # from the last fetch response: no request
                position = self._consumer.position(tp, timeout_ms=0) if highwater is not None else None
                if position is not None:
                    lags[(tp.topic, tp.partition)] = max(0, highwater - position)
        except kafka.errors.KafkaError as exc:  # e.g. revoked meanwhile: no figure this time, not an outage
            log.debug("consumer lag not read", extra={"error": str(exc)})
        return lags

    def group_metadata(self) -> Any:
        """This member's group, generation and member id, for offsets sent in a transaction (KIP-447).

        CommitError when this consumer is no longer a member (the group took its partitions away, e.g.
        after max.poll.interval.ms without a poll): kafka-python then reports generation -1 and no member
        id, and the broker takes transactional offsets with those without any generation check, so a
        stalled worker's late commit would overwrite the offsets of the member that took over.
        """
        metadata = self._consumer.group_metadata()
        if metadata.generation_id < 0 or not metadata.member_id:
            raise CommitError(f"this worker is no longer a member of group {metadata.group_id} "
                              f"({metadata.state}): its partitions were taken away, so its offsets are not sent")
        return metadata

    def rewind(self, offsets: Mapping[Partition, int]) -> None:
        """Read again from these offsets, on the partitions this member still holds (an aborted batch)."""
        for (topic, partition), offset in offsets.items():
            tp = TopicPartition(topic, partition)
            try:
                if tp in self._consumer.assignment():
                    self._consumer.seek(tp, offset)
            except kafka.errors.KafkaError as exc:
                # revoked meanwhile: its next owner starts from the committed offset anyway
                log.debug("not rewound", extra={"partition": f"{topic}[{partition}]", "error": str(exc)})

    def close(self) -> None:
        """Close, waiting 5 s at most (no auto-commit: every commit was explicit). A dynamic member leaves the
        group, so its partitions move at once; a static one (a worker slot) does not: the group keeps its
        place, and its partitions, for the session timeout, expecting it back (kafka-python sends no
        LeaveGroup for a static member, as the Java client does not)."""
        self._consumer.close(autocommit=False, timeout_ms=CLOSE_TIMEOUT_S * 1000)


def _describe(offsets: Mapping[Partition, int]) -> str:
    return ", ".join(f"{t}[{p}]@{o}" for (t, p), o in sorted(offsets.items()))


def group_instance_id(settings: Settings) -> str | None:
    """The static group member id (KIP-345): the worker slot, when there is one.

    A restarted worker that rejoins with the same id within the session timeout takes back its own
    partitions without a rebalance, so the other workers never stop. The id only has to be unique within
    the group, and the slot already is (it names the transactional id GROUP.SLOT too). Without a slot
    (at-least-once), the worker is a dynamic member, as before.
    """
    return settings.worker_slot


def group_options(settings: Settings) -> dict[str, Any]:
    """How the consumer takes part in its group: membership, timeouts, assignment strategy.

    The assignment stays eager (kafka-python's default range and round-robin assignors), not
    cooperative: kafka-python 3.0.12 has a CooperativeStickyAssignor, but its consumer returns no records
    at all while a JoinGroup is in flight (KafkaConsumer._poll_once returns early until
    coordinator.poll() is done), so the partitions that do not move stop anyway, and each move takes
    two rebalance rounds instead of one. Static membership removes the rebalance of a restart, which is
    the common case; a member that leaves for good costs one eager rebalance after the session timeout.
    """
    return {
        "group_id": settings.group_id,
        "group_instance_id": group_instance_id(settings),
        "session_timeout_ms": settings.session_timeout_ms,
        "heartbeat_interval_ms": settings.heartbeat_interval_ms,
        "max_poll_interval_ms": settings.max_poll_interval_ms,
    }


def connect_source(settings: Settings, on_assignment: Callable[[frozenset[Partition]], None]) -> KafkaSource:
    """A consumer-group member subscribed to the input topic, with manual commits.

    It reads with read_committed in either mode: records an upstream producer aborted are never
    classified, and (exactly-once) the offsets it resumes from are never those of an open transaction.
    """
    try:
        consumer = _built(settings, lambda: KafkaConsumer(
            **_client_options(settings),
            **group_options(settings),
            isolation_level="read_committed",
            enable_auto_commit=False,
            auto_offset_reset=settings.auto_offset_reset,
            max_poll_records=settings.batch_size,
            allow_auto_create_topics=False,
        ))
        consumer.subscribe([settings.input_topic], listener=_AssignmentListener(on_assignment))
        # Fetch metadata once subscribed, so the consumer knows the topic's partitions before it first joins.
        # Otherwise the group's first assignment is made from empty metadata, the next metadata update makes
        # the member rejoin at once, and kafka-python 3.0.12 can drop that rejoin's result: when the SyncGroup
        # answer comes after the poll that sent it has timed out, need_rejoin() is already False and the
        # assignment is never applied, so the member holds no partitions for good (seen under load).
        consumer.topics()
    except kafka.errors.KafkaError as exc:
        raise _unreachable(settings, exc) from exc
    return KafkaSource(consumer, commit_timeout_ms=settings.session_timeout_ms)


class Delivery:
    """The pending result of one send."""

    def __init__(self, future):
        self._future = future

    def failure(self) -> ProduceError | None:
        """None once the broker acknowledged the record; else why it is not (yet) written."""
        if not self._future.is_done:
            return ProduceError("not acknowledged (still in flight after flush)")
        if self._future.failed():
            error = ProduceError(str(self._future.exception))
            error.__cause__ = self._future.exception
            return error
        return None


class KafkaSink(Sink):
    """Sends records, refusing up front any record larger than its topic's max.message.bytes."""

    def __init__(self, producer: KafkaProducer, limits: Mapping[str, int], flush_timeout_s: float):
        self._producer = producer
        self._limits = dict(limits)
        self._flush_timeout_s = flush_timeout_s

    def check_size(self, topic: str, key: bytes | None, value: bytes | None, headers: Headers) -> None:
        size = DefaultRecordBatchBuilder.estimate_size_in_bytes(key, value, headers)
        limit = self._limits.get(topic)
        if limit is not None and size > limit:
            raise RecordTooLargeError(f"{size} bytes, over the max.message.bytes of {topic} ({limit})")

    def send(self, topic: str, key: bytes | None, value: bytes | None, headers: Headers | None = None) -> Delivery:
        headers = headers or []
        self.check_size(topic, key, value, headers)
        try:
            return Delivery(self._producer.send(topic, value=value, key=key, headers=headers))
        except kafka.errors.MessageSizeTooLargeError as exc:
            raise RecordTooLargeError(str(exc)) from exc
        except kafka.errors.KafkaError as exc:
            raise ProduceError(f"send to {topic} failed: {exc}") from exc

    def flush(self) -> None:
        """Wait until every record sent so far is acknowledged or has failed."""
        try:
            self._producer.flush(timeout=self._flush_timeout_s)
        except kafka.errors.KafkaError as exc:
            raise ProduceError(f"flush failed: {exc}") from exc

    def close(self) -> None:
        """Close, waiting 5 s at most: every batch was flushed and checked, so nothing is left to wait for
        unless the cluster is gone, and then waiting longer does not help."""
        try:
            self._producer.close(timeout=CLOSE_TIMEOUT_S)
        except kafka.errors.KafkaError as exc:
            # kafka-python's close flushes first and raises when that times out. The process is on its way
            # out; what is unsent stays unsent (exactly once: inside a transaction that will be aborted).
            log.warning("producer closed with records unsent", extra={"error": str(exc)})


class TransactionalSink(KafkaSink):
    """A KafkaSink whose sends belong to transactions; every call that waits on the cluster is bounded.

    kafka-python's send_offsets_to_transaction, commit_transaction and abort_transaction wait without a
    timeout: a long outage would hang the worker silently. Here each waits at most `timeout_s`, then
    raises TransactionTimeoutError (the call is left running on its own thread, and the worker exits).
    """

    def __init__(self, producer: KafkaProducer, limits: Mapping[str, int], flush_timeout_s: float,
                 transactional_id: str, timeout_s: float):
        super().__init__(producer, limits, flush_timeout_s)
        self.transactional_id = transactional_id
        self._timeout_s = timeout_s

    def begin_transaction(self) -> None:
        try:
            self._producer.begin_transaction()  # local state only: no request, no wait
        except kafka.errors.KafkaError as exc:
            raise self._failed("begin", exc) from exc

    def commit_transaction(self, offsets: Mapping[Partition, int], group_metadata: Any) -> None:
        """Put the consumed offsets in the open transaction and commit it.

        CommitError if the group refused the offsets (this member's generation is stale: it was taken
        out of the group meanwhile); the transaction can then be aborted and the batch redone.
        """
        to_commit = {TopicPartition(t, p): OffsetAndMetadata(offset, "", -1) for (t, p), offset in offsets.items()}
        try:
            self._bounded("send_offsets_to_transaction",
                          lambda: self._producer.send_offsets_to_transaction(to_commit, group_metadata))
        except (kafka.errors.CommitFailedError, kafka.errors.FencedInstanceIdError,
                kafka.errors.IllegalGenerationError, kafka.errors.UnknownMemberIdError) as exc:
            raise CommitError(f"the group refused the offsets {_describe(offsets)}: {exc}") from exc
        except kafka.errors.KafkaError as exc:
            raise self._failed("send_offsets_to_transaction", exc) from exc
        try:
            self._bounded("commit_transaction", self._producer.commit_transaction)
        except kafka.errors.KafkaError as exc:
            raise self._failed("commit_transaction", exc) from exc

    def abort_transaction(self) -> None:
        """Abort the open transaction: its records and offsets are discarded for read_committed readers."""
        try:
            self._bounded("abort_transaction", self._producer.abort_transaction)
        except kafka.errors.KafkaError as exc:
            raise self._failed("abort_transaction", exc) from exc

    def _bounded(self, name: str, call: Callable[[], T]) -> T:
        """`call()` on a thread of its own, waited for `timeout_s` at most."""
        outcome: list[tuple[bool, Any]] = []

        def run() -> None:
            try:
                outcome.append((True, call()))
            except BaseException as exc:  # handed to the caller below, with its type
                outcome.append((False, exc))

        thread = threading.Thread(target=run, name=f"kafka-{name}", daemon=True)
        thread.start()
        thread.join(self._timeout_s)
        if not outcome:
            raise TransactionTimeoutError(
                f"{name} did not return within {self._timeout_s:g} s (transactional id {self.transactional_id}): "
                "the cluster is unreachable or stuck; the worker stops, and its restart aborts the transaction")
        ok, value = outcome[0]
        if not ok:
            raise value
        return value

    def _failed(self, call: str, exc: Exception) -> TransactionError:
        if isinstance(exc, (kafka.errors.ProducerFencedError, kafka.errors.InvalidProducerEpochError)) or \
                "ProducerFenced" in str(exc):
            return FencedError(f"{call}: a newer producer with transactional id {self.transactional_id} has started "
                               "(another worker runs with this NEWSFEED_WORKER_SLOT): this one is fenced and stops")
        return TransactionError(f"{call} failed (transactional id {self.transactional_id}): {exc}")


# The worker sends a whole batch (~500 enriched records of ~2-5 KB) and then flushes. kafka-python's
# 16 KB default batches make that dozens of produce requests per partition, each a trip through its
# pure-Python sender; 256 KB batches with a 5 ms linger cut them to a few and measured about 9% more
# articles/s end to end (bench). flush() sends at once regardless of the linger, so latency is unhurt.
PRODUCER_BATCH_BYTES = 262_144
PRODUCER_LINGER_MS = 5


def _producer_options(settings: ProducerSettings, limits: Mapping[str, int]) -> dict[str, Any]:
    # A record batch larger than a topic's max.message.bytes would be refused and split again: keep under it.
    sizes = {"max_request_size": max(limits.values()),
             "batch_size": min(PRODUCER_BATCH_BYTES, *limits.values())} if limits else {}
    return {**_client_options(settings), "acks": "all", "enable_idempotence": True,
            "delivery_timeout_ms": settings.delivery_timeout_ms, "allow_auto_create_topics": False,
            "linger_ms": PRODUCER_LINGER_MS, **sizes}


def connect_sink(settings: ProducerSettings, limits: Mapping[str, int]) -> KafkaSink:
    """An idempotent acks=all producer for topics with the given max.message.bytes limits.

    One producer writes both the output and the dead-letter topic (so that exactly-once puts both in
    one transaction); its own request cap is the largest limit among them, and `KafkaSink.send` holds
    each record to its own topic's limit.
    """
    try:
        producer = _built(settings, lambda: KafkaProducer(**_producer_options(settings, limits)))
    except kafka.errors.KafkaError as exc:
        raise _unreachable(settings, exc) from exc
    return KafkaSink(producer, limits, flush_timeout_s=settings.delivery_timeout_ms / 1000 + 5)


def transactional_id(settings: Settings) -> str:
    """GROUP.SLOT: the same for a worker slot across restarts, so a restarted worker fences its zombie."""
    return f"{settings.group_id}.{settings.worker_slot}"


def connect_transactional_sink(settings: Settings, limits: Mapping[str, int]) -> TransactionalSink:
    """A transactional producer, initialised: any transaction an earlier instance of this slot left open is
    aborted (or completed) by the cluster first, and that instance, if still alive, is fenced."""
    timeout_ms = settings.transaction_timeout_ms
    tid = transactional_id(settings)
    try:
        producer = _built(settings, lambda: KafkaProducer(
            **_producer_options(settings, limits), transactional_id=tid, transaction_timeout_ms=timeout_ms,
            max_block_ms=timeout_ms))
    except kafka.errors.KafkaError as exc:
        raise _unreachable(settings, exc) from exc
    try:
        producer.init_transactions()  # waits max_block_ms at most
    except kafka.errors.KafkaError as exc:
        producer.close(timeout=0)
        if isinstance(exc, kafka.errors.SaslAuthenticationFailedError):
            raise _unreachable(settings, exc) from exc
        raise TransactionError(f"cannot initialise transactions for transactional id {tid}: {exc}") from exc
    # A flush waits no longer than a transaction may stay open: past that the broker aborts it anyway.
    flush_timeout_s = min(settings.delivery_timeout_ms / 1000 + 5, timeout_ms / 1000)
    return TransactionalSink(producer, limits, flush_timeout_s, tid, timeout_ms / 1000)


class Admin:
    """Topic administration: which exist, create missing ones, read their size limits."""

    def __init__(self, client: KafkaAdminClient, settings: KafkaConnection):
        self._client = client
        self._settings = settings

    def existing_topics(self) -> set[str]:
        try:
            return set(self._client.list_topics())
        except kafka.errors.KafkaError as exc:
            raise _unreachable(self._settings, exc) from exc

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
        client = _built(settings, lambda: KafkaAdminClient(**_client_options(settings)))
    except kafka.errors.KafkaError as exc:
        raise _unreachable(settings, exc) from exc
    return Admin(client, settings)


class KafkaReader:
    """Reads every partition of one topic from its beginning, outside any consumer group; read_committed
    by default, so records of aborted transactions are skipped and open ones are waited for."""

    def __init__(self, consumer: KafkaConsumer, ends: Mapping[TopicPartition, int]):
        self._consumer = consumer
        self._ends = dict(ends)

    def poll(self, timeout_ms: int, max_records: int) -> list[Record]:
        return _poll(self._consumer, timeout_ms, max_records)

    def caught_up(self) -> bool:
        """Whether every partition has been read up to where it ended when the reader started."""
        try:
            return all(self._consumer.position(tp) >= end for tp, end in self._ends.items())
        except kafka.errors.KafkaError as exc:
            raise BrokerError(f"cannot read positions: {exc}") from exc

    def close(self) -> None:
        self._consumer.close(autocommit=False)


def connect_reader(settings: KafkaConnection, topic: str, isolation_level: str = "read_committed") -> KafkaReader:
    try:
        consumer = _built(settings, lambda: KafkaConsumer(
            **_client_options(settings), group_id=None, enable_auto_commit=False, allow_auto_create_topics=False,
            isolation_level=isolation_level))
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        if not partitions:
            consumer.close()
            raise TopicError(f"topic {topic} does not exist")
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
    except kafka.errors.KafkaError as exc:
        raise _unreachable(settings, exc) from exc
    return KafkaReader(consumer, ends)
