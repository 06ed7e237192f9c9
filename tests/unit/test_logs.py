"""Logs are JSON lines with the extra fields alongside the message."""

import io
import json
import logging

from newsfeed.stream.logs import configure_logging


def test_each_record_is_one_json_line_with_its_extra_fields():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    try:
        configure_logging("INFO", stream)
        logging.getLogger("newsfeed.stream.worker").info("batch committed", extra={"records": 3, "source": "t[0]@5"})
        logging.getLogger("newsfeed.stream.worker").debug("not shown")
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("newsfeed").exception("failed")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    first, second = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert first["message"] == "batch committed" and first["level"] == "info"
    assert first["logger"] == "newsfeed.stream.worker" and first["records"] == 3 and first["source"] == "t[0]@5"
    assert first["time"].endswith("Z")
    assert second["level"] == "error" and "ValueError: boom" in second["exception"]
