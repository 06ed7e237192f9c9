"""`newsfeed worker`, with three hooks for the chaos tests; nothing else changes (the real model, loop and clients).

- Stall (CHAOS_STALL_SECONDS): the first time any worker process of the test classifies a batch holding
  an article whose id starts with "stall-", it logs "stalling" (with the batch's ids) and sleeps that long
  before classifying. Its heartbeats go on; its polls do not.
- Freeze (CHAOS_FREEZE_AT_COMMIT=N): just before its N-th transaction commit, with the batch's records
  sent and acknowledged inside the open transaction, it logs "freezing mid-transaction" and stops itself
  with SIGSTOP, heartbeats and all, until the test sends SIGCONT: a zombie caught at the worst moment.

- Slow (CHAOS_SLOW_MS_PER_ARTICLE): every article costs this many milliseconds more to classify: a model
  slower than planned. With CHAOS_SLOWER_AFTER=N and CHAOS_SLOWER_MS, the articles after the process's
  N-th cost CHAOS_SLOWER_MS instead: a model (or a node) that gets slower mid-stream.

The marker file CHAOS_STALL_MARKER makes the first two happen once across all the test's processes.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time

import newsfeed.stream.app
import newsfeed.stream.kafka_io.producer

log = logging.getLogger("chaos")


def once() -> bool:
    """True the first time any process of the test asks (the marker file did not exist yet)."""
    try:
        with open(os.environ["CHAOS_STALL_MARKER"], "x") as marker:
            marker.write(str(os.getpid()))
        return True
    except FileExistsError:
        return False


def stalling(make_classify):
    seconds = float(os.environ["CHAOS_STALL_SECONDS"])

    def make():
        classify = make_classify()

        def classify_batch(articles, model, **kwargs):
            if any(article.id.startswith("stall-") for article in articles) and once():
                log.warning("stalling", extra={"seconds": seconds, "ids": [a.id for a in articles]})
                time.sleep(seconds)
                log.warning("stall over")
            return classify(articles, model, **kwargs)

        return classify_batch

    return make


def slowed(make_classify):
    per_article_s = float(os.environ["CHAOS_SLOW_MS_PER_ARTICLE"]) / 1000
    slower_after = int(os.environ.get("CHAOS_SLOWER_AFTER", "-1"))
    slower_s = float(os.environ.get("CHAOS_SLOWER_MS", "0")) / 1000
    classified = [0]

    def make():
        classify = make_classify()

        def classify_batch(articles, model, **kwargs):
            cost = slower_s if 0 <= slower_after < classified[0] else per_article_s
            classified[0] += len(articles)
            time.sleep(cost * len(articles))
            return classify(articles, model, **kwargs)

        return classify_batch

    return make


def freezing(commit_transaction):
    freeze_at, commits = int(os.environ["CHAOS_FREEZE_AT_COMMIT"]), []

    def commit(self, offsets, group_metadata):
        commits.append(offsets)
        if len(commits) == freeze_at and once():
            log.warning("freezing mid-transaction",
                        extra={"offsets": {f"{t}[{p}]": o for (t, p), o in offsets.items()}})
            for handler in logging.getLogger().handlers:
                handler.flush()
            os.kill(os.getpid(), signal.SIGSTOP)
        return commit_transaction(self, offsets, group_metadata)

    return commit


if __name__ == "__main__":
    if "CHAOS_STALL_SECONDS" in os.environ:
        newsfeed.stream.app.default_classify = stalling(newsfeed.stream.app.default_classify)
    if "CHAOS_SLOW_MS_PER_ARTICLE" in os.environ:
        newsfeed.stream.app.default_classify = slowed(newsfeed.stream.app.default_classify)
    if "CHAOS_FREEZE_AT_COMMIT" in os.environ:
        sink = newsfeed.stream.kafka_io.producer.TransactionalSink
        sink.commit_transaction = freezing(sink.commit_transaction)
    from newsfeed import cli

    sys.exit(cli.main(["worker"]))
