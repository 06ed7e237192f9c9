"""How a batch's writes and its offsets become durable together: the worker's two delivery guarantees.

- At least once (`OffsetCommits`): a batch's enriched records and dead letters are written and every
  send is checked, then its offsets are committed. A crash in between writes the batch again after
  the restart: duplicates, never a loss.
- Exactly once (`Transactions`): one Kafka transaction per batch holds its enriched records, its dead
  letters and its offsets (sent with the consumer's group metadata, so the group coordinator refuses
  them from a member that was taken out of the group). All of it commits, or none of it: a
  read_committed reader sees each input's outcome once. A crash leaves the transaction open until
  the slot's restart fences and aborts it (or the broker does, after the transaction timeout).

Both give the worker the same shape, one context manager per batch:

    with commits.batch(first_offsets) as commit:
        ...send and check every record...
        commit(next_offsets)

An exception inside aborts the transaction (exactly once) and rewinds the consumer to the batch's
first offsets, then goes on up. CommitError means the group refused the offsets: the batch will be
redone (exactly once: by whoever holds the partitions now, from the last committed offsets).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol

from newsfeed.stream.errors import TransactionError, TransactionTimeoutError

log = logging.getLogger(__name__)

Partition = tuple[str, int]
Commit = Callable[[Mapping[Partition, int]], None]


class Committing(Protocol):
    def commit(self, offsets: Mapping[Partition, int]) -> None: ...


class GroupMember(Protocol):
    def group_metadata(self) -> Any: ...
    def rewind(self, offsets: Mapping[Partition, int]) -> None: ...


class TransactionalWriter(Protocol):
    transactional_id: str

    def begin_transaction(self) -> None: ...
    def commit_transaction(self, offsets: Mapping[Partition, int], group_metadata: Any) -> None: ...
    def abort_transaction(self) -> None: ...


class OffsetCommits:
    """At least once: the offsets are committed by the consumer after the batch is written."""

    guarantee = "at-least-once"

    def __init__(self, source: Committing):
        self._source = source

    @contextmanager
    def batch(self, first_offsets: Mapping[Partition, int]) -> Iterator[Commit]:
        yield self._source.commit


class Transactions:
    """Exactly once: a batch's records, dead letters and offsets in one transaction."""

    guarantee = "exactly-once"

    def __init__(self, writer: TransactionalWriter, member: GroupMember):
        self._writer = writer
        self._member = member

    @contextmanager
    def batch(self, first_offsets: Mapping[Partition, int]) -> Iterator[Commit]:
        self._writer.begin_transaction()
        try:
            yield self._commit
        except TransactionTimeoutError:
            # The producer is stuck inside a call: ask it nothing more. The worker exits; the restart
            # of this slot aborts the transaction when it initialises its own.
            raise
        except BaseException as exc:
            self._abort(first_offsets, exc)
            raise

    def _commit(self, offsets: Mapping[Partition, int]) -> None:
        self._writer.commit_transaction(offsets, self._member.group_metadata())

    def _abort(self, first_offsets: Mapping[Partition, int], cause: BaseException) -> None:
        try:
            self._writer.abort_transaction()
        except TransactionError as exc:  # fenced, or the cluster is gone: nothing more to do here
            log.error("transaction not aborted", extra={"error": str(exc), "cause": str(cause)})
            raise exc from cause
        self._member.rewind(first_offsets)
        log.warning("transaction aborted: its records, dead letters and offsets are discarded",
                    extra={"cause": f"{type(cause).__name__}: {cause}",
                           "transactional_id": self._writer.transactional_id})
