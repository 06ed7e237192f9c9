"""The worker's HTTP endpoint: /metrics for Prometheus, /livez and /readyz for probes.

- /metrics is prometheus_client's own WSGI exposition, so it answers as Prometheus expects: OpenMetrics
  when the scraper asks for it (Accept), gzip when it accepts it, and only the families named by
  `name[]` query parameters when given.

- /livez: 200 while the poll loop keeps returning from polls; 503 once the last poll is older than
  the stall limit (the consumer's max.poll.interval.ms: past it the group has already given the
  partitions away). A liveness probe failing here means "restart me".
- /readyz: 200 when a model is loaded and at least one input partition is assigned; 503 otherwise
  (during start-up, a rebalance, or when the group has more members than partitions).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import make_wsgi_app
from prometheus_client.registry import Collector

from newsfeed.stream.errors import ConfigError

log = logging.getLogger(__name__)


class Health:
    """What the probes report, updated by the poll loop and the rebalance listener (any thread)."""

    def __init__(self, stall_after_s: float, clock: Callable[[], float] = time.monotonic):
        self._stall_after_s = stall_after_s
        self._clock = clock
        self._last_poll = clock()
        self._model_version: str | None = None
        self._partitions: frozenset[tuple[str, int]] = frozenset()

    def polled(self) -> None:
        self._last_poll = self._clock()

    def model_loaded(self, version: str) -> None:
        self._model_version = version

    def assigned(self, partitions: frozenset[tuple[str, int]]) -> None:
        self._partitions = partitions

    def live(self) -> tuple[bool, str]:
        idle = self._clock() - self._last_poll
        if idle > self._stall_after_s:
            return False, f"poll loop stalled: no poll for {idle:.0f} s (limit {self._stall_after_s:.0f} s)"
        return True, f"poll loop alive: last poll {idle:.1f} s ago"

    def ready(self) -> tuple[bool, str]:
        if self._model_version is None:
            return False, "no model loaded"
        if not self._partitions:
            return False, f"model {self._model_version} loaded; no partitions assigned"
        partitions = ", ".join(f"{t}[{p}]" for t, p in sorted(self._partitions))
        return True, f"model {self._model_version}; partitions {partitions}"


class HttpServer:
    """A background HTTP server; `address` is where it listens (the real port when asked for 0)."""

    def __init__(self, address: str, registry: Collector, health: Probes):
        host, _, port = address.rpartition(":")
        handler = type("Handler", (_Handler,), {"metrics_app": staticmethod(make_wsgi_app(registry)),
                                                "health": health})
        try:
            self._server = ThreadingHTTPServer((host, int(port)), handler)
        except OSError as exc:
            raise ConfigError(f"cannot serve HTTP on {address}: {exc.strerror or exc}") from exc
        self._server.daemon_threads = True
        bound_host, bound_port = self._server.server_address[:2]
        self.address = f"{bound_host}:{bound_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.1,), name="http", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class Probes(Protocol):
    """What /livez and /readyz ask: each answer is (ok, one line saying why)."""

    def live(self) -> tuple[bool, str]: ...
    def ready(self) -> tuple[bool, str]: ...


class _Handler(BaseHTTPRequestHandler):
    metrics_app: Callable[..., Iterable[bytes]]
    health: Probes

    def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches to)
        path, _, query = self.path.partition("?")
        if path == "/metrics":
            self._metrics(query)
        elif path in ("/livez", "/readyz"):
            ok, detail = self.health.live() if path == "/livez" else self.health.ready()
            self._reply(200 if ok else 503, (detail + "\n").encode(), "text/plain; charset=utf-8")
        else:
            self._reply(404, b"not found: try /metrics, /livez or /readyz\n", "text/plain; charset=utf-8")

    def _metrics(self, query: str) -> None:
        """The exposition as prometheus_client's WSGI app makes it, for this request's Accept, Accept-Encoding
        and query string."""
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/metrics", "QUERY_STRING": query,
                   "HTTP_ACCEPT": self.headers.get("Accept", ""),
                   "HTTP_ACCEPT_ENCODING": self.headers.get("Accept-Encoding", "")}
        answer: list[tuple[str, list[tuple[str, str]]]] = []
        body = b"".join(self.metrics_app(environ, lambda status, headers: answer.append((status, headers))))
        status, headers = answer[0]
        self.send_response(int(status.split()[0]))
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's signature)
        log.debug("http %s", format % args)
