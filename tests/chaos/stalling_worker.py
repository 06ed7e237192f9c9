"""`newsfeed worker`, with one hook for the chaos tests: a worker that stalls in the middle of a batch, once.

The first time any worker process of the test classifies a batch holding an article whose id starts with
"stall-", it logs "stalling" (with the batch's ids) and sleeps CHAOS_STALL_SECONDS before classifying;
the marker file CHAOS_STALL_MARKER makes it happen once across all processes. Nothing else changes: the
real model, the real loop, the real Kafka clients.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

import stream.app


def stalling(make_classify):
    marker, seconds = Path(os.environ["CHAOS_STALL_MARKER"]), float(os.environ["CHAOS_STALL_SECONDS"])

    def make():
        classify = make_classify()

        def classify_batch(articles, model):
            if any(article.id.startswith("stall-") for article in articles) and not marker.exists():
                marker.write_text(str(os.getpid()))
                logging.getLogger("chaos").warning("stalling", extra={"seconds": seconds,
                                                                      "ids": [a.id for a in articles]})
                time.sleep(seconds)
                logging.getLogger("chaos").warning("stall over")
            return classify(articles, model)

        return classify_batch

    return make


if __name__ == "__main__":
    stream.app.default_classify = stalling(stream.app.default_classify)
    import newsfeed

    sys.exit(newsfeed.main(["worker"]))
