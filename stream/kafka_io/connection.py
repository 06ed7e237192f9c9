"""How every client reaches the cluster, and what is shared by the modules of each role.

Every client connects the same way (`client_options`: bootstrap servers, client id, TLS and SASL from
`stream.security`) and is built through `built`, so that a cluster refusing the credentials or the
certificate stops any command at once with the reason, where kafka-python alone would retry for 30 s
and then name none. `unreachable` is the one translation of a failure to connect into `stream.errors`.
`OnThread` is here because both the connect and the producer's transactional calls need a kafka-python
call that may wait without a bound, run where the caller can stop waiting for it.
"""

from __future__ import annotations

import logging
import ssl
import threading
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

import kafka.errors

from newsfeed.stream.errors import AuthenticationError, BrokerError
from newsfeed.stream.security import client_security
from newsfeed.stream.settings import KafkaConnection

Partition = tuple[str, int]
Headers = list[tuple[str, bytes]]
T = TypeVar("T")

CLOSE_TIMEOUT_S = 5  # the longest a client's close waits (for a group leave, or unsent records)


def _bootstrap(settings: KafkaConnection) -> list[str]:
    return [server.strip() for server in settings.bootstrap_servers.split(",") if server.strip()]


def client_options(settings: KafkaConnection) -> dict[str, Any]:
    """What every client shares: where the cluster is, who this is, how it encrypts and authenticates."""
    return {"bootstrap_servers": _bootstrap(settings), "client_id": settings.client_id, **client_security(settings)}


def unreachable(settings: KafkaConnection, exc: BaseException) -> BrokerError:
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


def built(settings: KafkaConnection, factory: Callable[[], T]) -> T:
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
    logger = logging.getLogger("kafka.net")
    level = logger.level
    if logger.getEffectiveLevel() > logging.ERROR:  # refusals are logged at ERROR: let them through here
        logger.setLevel(logging.ERROR)
    logger.addHandler(watch)
    try:
        build = OnThread("kafka-connect", factory, done=watch.done)
        watch.done.wait()
    finally:
        logger.removeHandler(watch)
        logger.setLevel(level)
    if build.finished and (build.succeeded or watch.refusal is None):
        return build.result()
    raise unreachable(settings, watch.refusal)


class OnThread(Generic[T]):
    """`call()` on a daemon thread of its own, so that the caller can stop waiting for it: kafka-python
    has calls that wait without a bound. One the caller gives up on is left to end on its own."""

    def __init__(self, name: str, call: Callable[[], T], done: threading.Event | None = None):
        self.done = done or threading.Event()  # set when call() has returned or raised
        self._outcome: list[tuple[bool, Any]] = []

        def run() -> None:
            try:
                self._outcome.append((True, call()))
            except BaseException as exc:  # handed to the caller by result(), with its type
                self._outcome.append((False, exc))
            finally:
                self.done.set()

        threading.Thread(target=run, name=name, daemon=True).start()

    @property
    def finished(self) -> bool:
        return bool(self._outcome)

    @property
    def succeeded(self) -> bool:
        return self.finished and self._outcome[0][0]

    def result(self) -> T:
        """What call() returned; what it raised, raised again. Only once it has finished."""
        ok, value = self._outcome[0]
        if not ok:
            raise value
        return value


def describe_offsets(offsets: Mapping[Partition, int]) -> str:
    return ", ".join(f"{t}[{p}]@{o}" for (t, p), o in sorted(offsets.items()))
