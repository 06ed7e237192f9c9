"""How many records the next poll may take, so that one batch never costs the group.

A batch that runs past max.poll.interval.ms gets its worker evicted: the group moves its partitions and
the batch is done again elsewhere. The cost of a record is not known in advance (a slower model, long
articles, a busy neighbour on the node), so the worker measures it: each batch's time over its record
count gives a cost per record, and the next poll takes at most as many records as fit in the time
budget, half of max.poll.interval.ms (the other half is headroom for a batch costlier than the last).

- It starts small (`START_RECORDS`) and doubles after each full batch that fitted, up to --batch-size:
  the first batch of a slow model must not be the one that is evicted. Growth stops at `GROW_TO` of
  what fits, so that batches sized at the limit do not cross the budget on every jitter.
- A batch whose cost per record says fewer records fit than the limit shrinks it at once to `GROW_TO`
  of what fits, with a log line.
- The limit is a gauge, newsfeed_batch_limit_records.

The clock is the caller's: `done` is told how long the batch took.
"""

from __future__ import annotations

import logging
import math

log = logging.getLogger(__name__)

BUDGET_FRACTION = 0.5  # of max.poll.interval.ms
START_RECORDS = 16
GROW_TO = 0.8  # of the records that fit in the budget: a margin for batches costlier than the last


class BatchBudget:
    """The record limit of the next poll, from the measured cost of the last batch."""

    def __init__(self, batch_size: int, max_poll_interval_ms: int, on_change=None):
        self.batch_size = batch_size
        self.budget_s = max_poll_interval_ms / 1000 * BUDGET_FRACTION
        self.limit = min(batch_size, START_RECORDS)
        self._shrunk = False
        self._on_change = on_change or (lambda limit: None)
        self._on_change(self.limit)

    def done(self, records: int, seconds: float) -> None:
        """A batch of `records` took `seconds` from its poll to its commit: set the next poll's limit."""
        if records <= 0:
            return
        per_record = seconds / records
        fits = self.batch_size if per_record <= 0 else max(1, math.floor(self.budget_s / per_record))
        target = max(1, math.floor(fits * GROW_TO))
        if fits < self.limit:
            log.warning("a batch took too long for its time budget; next batches smaller", extra={
                "records": records, "seconds": round(seconds, 3), "budget_seconds": self.budget_s,
                "batch_limit": target, "was": self.limit})
            self._shrunk = True
            self._set(target)
        elif records >= self.limit and self.limit < self.batch_size:  # a full batch that fitted: grow
            grown = min(self.batch_size, 2 * self.limit, target)
            if grown > self.limit:
                self._set(grown)
                if grown == self.batch_size and self._shrunk:
                    log.info("batch size back to --batch-size", extra={"batch_limit": grown})
                    self._shrunk = False

    def _set(self, limit: int) -> None:
        self.limit = limit
        self._on_change(limit)
