"""The one place that builds kafka-python clients, and turns their errors into `stream.errors` types.

The worker sees three small seams instead of kafka-python: a `KafkaSource` (poll records, commit
offsets), a `KafkaSink` (send, flush, check deliveries; a `TransactionalSink` also begins, commits and
aborts transactions) and an `Admin` (topics and their limits). Unit tests replace the first two with
list-backed fakes. A module per role, so each one's kafka-python workarounds stand next to the calls
they are for: `connection` (what every client shares: where the cluster is, TLS and SASL, a refusal
reported at once), `consumer`, `producer` and `admin`.

kafka-python is imported here first, with its import-time warnings filtered: Python runs this file
before any module of the package, so every one of them finds kafka-python already imported, quietly.
"""

import warnings

with warnings.catch_warnings():
    # kafka-python 3.0 loads its protocol schemas at import with importlib.resources.read_text and
    # open_text, which Python 3.11-3.12 flag as deprecated (3.13 took that back). Not ours to fix,
    # and it would fail every test run under filterwarnings=error.
    warnings.filterwarnings("ignore", "(read|open)_text is deprecated", DeprecationWarning)
    import kafka  # noqa: F401 (with the modules below: those the clients here use)
    import kafka.admin  # noqa: F401
    import kafka.consumer.subscription_state  # noqa: F401
    import kafka.errors  # noqa: F401
    import kafka.record.default_records  # noqa: F401
