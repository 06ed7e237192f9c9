"""The batch time budget: the next poll takes as many records as the last batch's measured cost per record
fits in half of max.poll.interval.ms, starting small and growing (to 80% of what fits) after each full
batch that fitted."""

from __future__ import annotations

import logging

from newsfeed.stream.budget import START_RECORDS, BatchBudget


def test_it_starts_small_and_doubles_after_each_full_batch_that_fits_up_to_the_batch_size():
    limits = []
    budget = BatchBudget(batch_size=500, max_poll_interval_ms=300_000, on_change=limits.append)
    assert budget.budget_s == 150 and budget.limit == START_RECORDS == 16
    while budget.limit < 500:
        budget.done(budget.limit, budget.limit * 0.001)  # 1 ms a record: everything fits
    assert limits == [16, 32, 64, 128, 256, 500]
    budget.done(120, 0.12)  # a batch that was not full says nothing about a larger one
    assert budget.limit == 500


def test_a_partial_batch_does_not_grow_the_limit():
    budget = BatchBudget(batch_size=500, max_poll_interval_ms=300_000)
    budget.done(3, 0.003)
    assert budget.limit == START_RECORDS


def test_a_slow_batch_shrinks_the_next_ones_to_what_fits_and_says_so(caplog):
    """With max.poll.interval.ms 10 s the budget is 5 s: at 0.2 s a record, 25 records fit; the next
    batches take 20, a margin for jitter, so a batch a little slower again is no new shrink."""
    budget = BatchBudget(batch_size=100, max_poll_interval_ms=10_000)
    budget.limit = 100
    with caplog.at_level(logging.WARNING, logger="newsfeed.stream.budget"):
        budget.done(100, 20.0)
        budget.done(20, 20 * 0.24)
    assert budget.limit == 20
    (line,) = [r for r in caplog.records if r.name == "newsfeed.stream.budget"]
    assert line.getMessage() == "a batch took too long for its time budget; next batches smaller"
    assert (line.records, line.seconds, line.budget_seconds, line.batch_limit, line.was) == (100, 20.0, 5.0, 20, 100)


def test_once_records_are_cheap_again_it_grows_back_to_the_batch_size_and_says_so(caplog):
    budget = BatchBudget(batch_size=100, max_poll_interval_ms=10_000)
    budget.limit = 100
    budget.done(100, 20.0)
    caplog.clear()  # the shrink's warning
    with caplog.at_level(logging.INFO, logger="newsfeed.stream.budget"):
        budget.done(25, 0.25)
        budget.done(50, 0.5)
        budget.done(100, 1.0)
    assert budget.limit == 100
    assert [r.getMessage() for r in caplog.records if r.name == "newsfeed.stream.budget"] == ["batch size back to --batch-size"]


def test_growth_stops_short_of_what_the_measured_cost_fits_so_jitter_does_not_shrink_it():
    budget = BatchBudget(batch_size=500, max_poll_interval_ms=10_000)  # 5 s budget
    budget.done(16, 1.6)  # 0.1 s a record: 50 fit; 32 next (doubling), then 40 (80% of 50), not 64
    assert budget.limit == 32
    budget.done(32, 3.2)
    assert budget.limit == 40
    budget.done(40, 4.0)
    assert budget.limit == 40
    budget.done(40, 4.8)  # 20% slower than measured: still within the budget, no shrink
    assert budget.limit == 40


def test_even_a_record_slower_than_the_budget_leaves_one_record_per_poll():
    budget = BatchBudget(batch_size=500, max_poll_interval_ms=10_000)
    budget.done(16, 16 * 7.0)
    assert budget.limit == 1
