"""Exactly-once batches over fakes: what commits together, what an abort discards, when the worker stops.

The fake transactional sink keeps what a read_committed reader would see (`committed`) apart from
what was sent and then discarded (`aborted`), so the tests assert outcomes a downstream reader notices.
"""

import logging
import threading
import time
from dataclasses import dataclass, field

import pytest
from prometheus_client import CollectorRegistry

from newsfeed.stream.codec import read_dead_letter
from newsfeed.stream.errors import CommitError, FencedError, ProduceError, TransactionError, TransactionTimeoutError
from newsfeed.stream.health import Health
from newsfeed.stream.metrics import create_metrics
from newsfeed.stream.settings import Settings
from newsfeed.stream.transactions import OffsetCommits, Transactions
from newsfeed.stream.worker import Worker
from stream_fakes import FakeModel, FakeSink, FakeSource, FixedClassifier, article_bytes, record

SETTINGS = Settings.from_env({"NEWSFEED_GUARANTEE": "exactly-once", "NEWSFEED_WORKER_SLOT": "w0"})
OUT, DLQ = SETTINGS.output_topic, SETTINGS.dead_letter_topic


@dataclass
class FakeTransactionalSink(FakeSink):
    """A FakeSink whose sends count only once their transaction commits."""

    transactional_id: str = "newsfeed-classifier.w0"
    refuse_offsets: bool = False
    fenced: bool = False
    stuck: bool = False
    open: list = field(default_factory=list)
    committed: list = field(default_factory=list)
    aborted: list = field(default_factory=list)
    committed_offsets: list = field(default_factory=list)
    calls: list = field(default_factory=list)

    def begin_transaction(self):
        assert not self.open, "a transaction is already open"
        self.calls.append("begin")
        self.open = [None]  # open, nothing sent yet

    def send(self, topic, key, value, headers=None):
        delivery = super().send(topic, key, value, headers)
        self.open.append(self.sent[-1])
        return delivery

    def commit_transaction(self, offsets, group_metadata):
        self.calls.append("commit")
        if self.stuck:
            raise TransactionTimeoutError("commit_transaction did not return within 1 s")
        if self.refuse_offsets:
            raise CommitError("the group refused the offsets: IllegalGenerationError")
        assert group_metadata == "generation-7"
        self.committed.extend(self.open[1:])
        self.committed_offsets.append(dict(offsets))
        self.open = []

    def abort_transaction(self):
        self.calls.append("abort")
        if self.fenced:
            raise FencedError("abort_transaction: a newer producer with transactional id w0 has started")
        self.aborted.extend(self.open[1:])
        self.open = []


class FakeMember(FakeSource):
    def __init__(self, batches):
        super().__init__(batches)
        self.rewinds = []

    def group_metadata(self):
        return "generation-7"

    def rewind(self, offsets):
        self.rewinds.append(dict(offsets))


def make_worker(batches, sink=None, classify=None):
    source = FakeMember(batches)
    sink = sink if sink is not None else FakeTransactionalSink()
    registry = CollectorRegistry()
    worker = Worker(SETTINGS, source, sink, lambda: FakeModel(), classify or FixedClassifier(),
                    create_metrics(registry), Health(stall_after_s=60), Transactions(sink, source))
    return worker, source, sink, registry


def test_records_dead_letters_and_offsets_commit_in_one_transaction():
    batch = [record(10, article_bytes("a1"), partition=0), record(11, b"{not json", partition=0, key=b"k"),
             record(3, article_bytes("a2"), partition=1)]
    worker, source, sink, registry = make_worker([batch])
    worker.process(batch)
    assert sink.calls == ["begin", "commit"]
    assert [(s.topic, s.key) for s in sink.committed] == [(OUT, b"a1"), (DLQ, b"k"), (OUT, b"a2")]
    assert read_dead_letter(sink.committed[1].headers).reason == "invalid_json"
    assert sink.committed_offsets == [{("articles.raw", 0): 12, ("articles.raw", 1): 4}]
    assert source.commits == []  # the consumer commits nothing itself: the offsets are in the transaction
    assert registry.get_sample_value("newsfeed_records_produced_total") == 2


def test_offsets_the_group_refuses_abort_the_batch_and_rewind_for_a_redo(caplog):
    batch = [record(5, article_bytes("a1"), partition=2), record(6, article_bytes("a2"), partition=2)]
    sink = FakeTransactionalSink(refuse_offsets=True)
    worker, source, sink, registry = make_worker([batch], sink=sink)
    with caplog.at_level(logging.WARNING):
        worker.process(batch)  # no exception: the worker goes on
    assert sink.calls == ["begin", "commit", "abort"]
    assert sink.committed == [] and [s.key for s in sink.aborted] == [b"a1", b"a2"]
    assert source.rewinds == [{("articles.raw", 2): 5}]
    assert registry.get_sample_value("newsfeed_commit_failures_total") == 1
    assert registry.get_sample_value("newsfeed_records_produced_total") == 0  # counted when the redo commits
    messages = [r.message for r in caplog.records]
    assert "transaction aborted: its records, dead letters and offsets are discarded" in messages
    assert "commit failed; the batch will be redone" in messages

    sink.refuse_offsets = False  # the redo, once the group has settled
    worker.process(batch)
    assert [s.key for s in sink.committed] == [b"a1", b"a2"]


def test_a_failed_send_aborts_the_transaction_and_stops_the_worker():
    batch = [record(0, article_bytes("a1")), record(1, b"[]")]
    sink = FakeTransactionalSink(failing={OUT})
    worker, source, sink, _ = make_worker([batch], sink=sink)
    with pytest.raises(ProduceError, match="1 of 2"):
        worker.process(batch)
    assert sink.calls == ["begin", "abort"]
    assert sink.committed == [] and len(sink.aborted) == 2  # the dead letter is discarded with the record
    assert source.commits == []


def test_a_fenced_worker_stops_with_the_reason_and_commits_nothing():
    batch = [record(0, article_bytes("a1"))]
    sink = FakeTransactionalSink(failing={OUT}, fenced=True)
    worker, _, sink, _ = make_worker([batch], sink=sink)
    with pytest.raises(FencedError, match="newer producer") as caught:
        worker.process(batch)
    assert isinstance(caught.value.__cause__, ProduceError)
    assert sink.committed == []


def test_a_stuck_commit_stops_the_worker_without_asking_the_stuck_producer_to_abort():
    batch = [record(0, article_bytes("a1"))]
    sink = FakeTransactionalSink(stuck=True)
    worker, _, sink, _ = make_worker([batch], sink=sink)
    with pytest.raises(TransactionTimeoutError):
        worker.process(batch)
    assert sink.calls == ["begin", "commit"]
    assert sink.committed == []


def test_a_model_failing_on_every_article_opens_no_transaction():
    def broken(articles, model):
        raise RuntimeError("bug")

    batch = [record(0, article_bytes("a1")), record(1, article_bytes("a2"))]
    worker, _, sink, _ = make_worker([batch], classify=broken)
    with pytest.raises(RuntimeError, match="bug"):
        worker.process(batch)
    assert sink.calls == []


def test_at_least_once_commits_through_the_consumer():
    source = FakeSource([])
    with OffsetCommits(source).batch({("t", 0): 1}) as commit:
        commit({("t", 0): 3})
    assert source.commits == [{("t", 0): 3}]


# --- TransactionalSink: kafka-python's unbounded calls, bounded; its errors, translated -----------------

class FakeProducer:
    """Stands in for a transactional KafkaProducer: each call blocks, raises or returns as told."""

    def __init__(self, commit=None, send_offsets=None, abort=None):
        self._commit, self._send_offsets, self._abort = commit, send_offsets, abort
        self.released = threading.Event()

    def _act(self, action):
        if action == "block":
            self.released.wait(30)
        elif action is not None:
            raise action

    def send_offsets_to_transaction(self, offsets, group_metadata):
        self._act(self._send_offsets)

    def commit_transaction(self):
        self._act(self._commit)

    def abort_transaction(self):
        self._act(self._abort)


def transactional_sink(producer, timeout_s=0.3):
    from newsfeed.stream.kafka_io.producer import TransactionalSink

    return TransactionalSink(producer, {}, flush_timeout_s=1, transactional_id="g.w0", timeout_s=timeout_s)


def test_a_commit_that_never_returns_times_out_with_a_clear_message():
    producer = FakeProducer(commit="block")
    started = time.monotonic()
    with pytest.raises(TransactionTimeoutError, match=r"commit_transaction did not return within 0.3 s .*g\.w0"):
        transactional_sink(producer).commit_transaction({("t", 0): 1}, "meta")
    assert time.monotonic() - started < 2
    producer.released.set()


def test_kafka_errors_become_commit_fenced_or_transaction_errors():
    import kafka.errors

    stale = FakeProducer(send_offsets=kafka.errors.CommitFailedError("consumer group metadata mismatch"))
    with pytest.raises(CommitError, match=r"refused the offsets t\[0\]@1"):
        transactional_sink(stale).commit_transaction({("t", 0): 1}, "meta")
    fenced = FakeProducer(abort=kafka.errors.KafkaError(
        "Cannot execute transactional method because we are in an error state: [Error 90] ProducerFencedError"))
    with pytest.raises(FencedError, match="NEWSFEED_WORKER_SLOT"):
        transactional_sink(fenced).abort_transaction()
    broken = FakeProducer(commit=kafka.errors.KafkaConnectionError("gone"))
    with pytest.raises(TransactionError, match="commit_transaction failed"):
        transactional_sink(broken).commit_transaction({("t", 0): 1}, "meta")


# --- KafkaSource: no offsets from a member the group has let go ------------------------------------------

class FakeConsumer:
    def __init__(self, metadata):
        self._metadata = metadata

    def group_metadata(self):
        return self._metadata


def test_a_consumer_the_group_let_go_sends_no_offsets():
    """kafka-python reports generation -1 and no member id once the group took the partitions away (e.g.
    after max.poll.interval.ms), and the broker accepts transactional offsets with those unchecked: a stalled
    worker's late commit would overwrite its successor's offsets. The chaos suite caught exactly that."""
    from kafka.consumer.group import ConsumerGroupMetadata

    from newsfeed.stream.kafka_io.consumer import KafkaSource

    current = ConsumerGroupMetadata(group_id="g", generation_id=4, member_id="m-1", group_instance_id=None)
    assert KafkaSource(FakeConsumer(current), commit_timeout_ms=1000).group_metadata() is current
    gone = ConsumerGroupMetadata(group_id="g", generation_id=-1, member_id="", group_instance_id=None)
    with pytest.raises(CommitError, match="no longer a member of group g"):
        KafkaSource(FakeConsumer(gone), commit_timeout_ms=1000).group_metadata()


def test_closing_a_producer_whose_flush_times_out_does_not_hide_why_the_worker_stops(caplog):
    """kafka-python's close flushes first and raises when that times out (a dead cluster): the error the
    worker is stopping for must stay the one reported, not a KafkaTimeoutError from its clean-up."""
    import kafka.errors

    from newsfeed.stream.kafka_io.producer import KafkaSink

    class Stuck:
        def close(self, timeout):
            raise kafka.errors.KafkaTimeoutError("Timeout waiting for future")

    with caplog.at_level(logging.WARNING):
        KafkaSink(Stuck(), {}, flush_timeout_s=1).close()
    assert [r.message for r in caplog.records] == ["producer closed with records unsent"]


def test_a_retriable_poll_error_is_an_empty_poll_and_others_stop_the_worker():
    """A clean broker restart made kafka-python's poll raise ECONNREFUSED once (chaos suite): not a reason
    to stop a worker that the next poll would have carried on."""
    import kafka.errors

    from newsfeed.stream.errors import BrokerError
    from newsfeed.stream.kafka_io.consumer import KafkaSource

    class Raising:
        def __init__(self, error):
            self.error = error

        def poll(self, timeout_ms, max_records):
            raise self.error

    assert KafkaSource(Raising(kafka.errors.KafkaConnectionError("111 ECONNREFUSED")), 1000).poll(10, 5) == []
    with pytest.raises(BrokerError, match="poll failed"):
        KafkaSource(Raising(kafka.errors.TopicAuthorizationFailedError()), 1000).poll(10, 5)
