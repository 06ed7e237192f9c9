"""The `newsfeed` command without a broker: argument errors, `classify` on files and on stdin."""

import json
from pathlib import Path

import pytest

from newsfeed import cli

SEED = Path(__file__).resolve().parents[3] / "shared" / "examples" / "seed-article.txt"
SPACE = "The rocket launched a communications satellite into orbit from the cosmodrome on Tuesday morning"


pytestmark = pytest.mark.usefixtures("restore_logging")  # the CLI takes over the root logger


@pytest.mark.parametrize("argv, message", [
    (["worker", "--batch-size", "0"], "newsfeed worker: error: --batch-size: expected a positive integer, got '0'"),
    (["nonsense"], "newsfeed: error: argument COMMAND: invalid choice: 'nonsense'"),
    (["consume"], "newsfeed consume: error: the following arguments are required: --topic"),
    (["classify", "/no/such/file.jsonl"], "newsfeed classify: error: cannot open /no/such/file.jsonl"),
    (["topics"], "newsfeed topics: error: the following arguments are required: ACTION"),
    (["schema", "record"], "newsfeed schema: error: argument NAME: invalid choice: 'record' (choose from 'input', "
                           "'output', 'dead-letter')"),
])
def test_a_bad_argument_is_one_line_and_exit_2(argv, message, capsys, monkeypatch):
    monkeypatch.delenv("NEWSFEED_BATCH_SIZE", raising=False)
    with pytest.raises(SystemExit) as exited:
        exit_code = cli.main(argv)
        raise SystemExit(exit_code)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1 and "Traceback" not in err


def test_worker_help_names_every_variable(capsys):
    from newsfeed.stream.settings import OPTIONS

    with pytest.raises(SystemExit):
        cli.main(["worker", "--help"])
    out = capsys.readouterr().out
    # the password has no flag (a flag would show in the process list), so --help cannot name it
    missing = [o.env for o in OPTIONS if o.env not in out and o.env != "NEWSFEED_SASL_PASSWORD"]
    assert missing == [] and "exit status" in out


def test_classify_writes_records_in_order_and_names_bad_lines(tmp_path, tiny_model_dir, capsysbinary):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join([
        json.dumps({"id": "one", "title": "Launch", "text": SPACE}).encode(),
        b'{"id": "two", "title": 3}',
        b"",
        json.dumps({"id": "three", "text": SPACE, "feed": "wire"}).encode(),
    ]) + b"\n")
    assert cli.main(["classify", str(source), "--model", str(tiny_model_dir), "--log-level", "ERROR"]) == 1
    captured = capsysbinary.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert [r["id"] for r in records] == ["one", "three"]
    assert records[1]["feed"] == "wire" and records[1]["model"]["version"] == "tiny-1"
    assert "origin" not in records[0]
    errors = [json.loads(line) for line in captured.err.splitlines()]
    assert errors == [{"line": 2, "reason": "no_text",
                       "message": "at least one of 'title', 'text', 'html' must be a non-empty string "
                                  "(title not a string)"}]


def test_classify_keeps_malformed_metadata_verbatim_and_warns_about_it(tmp_path, tiny_model_dir, capsysbinary):
    """Messy metadata no longer costs the article: it is classified, the field kept, the warning written."""
    source = tmp_path / "in.jsonl"
    lines = [{"id": "when", "text": SPACE, "published_at": "yesterday-ish"},
             {"id": 41, "url": "https://example.org/n", "text": SPACE, "source": {"name": "wire"}},
             {"id": "clean", "text": SPACE, "published_at": "2026-12-01T08:00:00Z"}]
    # the first line starts with a UTF-8 byte-order mark, as a file saved by a Windows editor does
    source.write_bytes(b"\xef\xbb\xbf" + b"\n".join(json.dumps(line).encode() for line in lines) + b"\n")
    assert cli.main(["classify", str(source), "--model", str(tiny_model_dir)]) == 0
    captured = capsysbinary.readouterr()
    when, numbered, clean = [json.loads(line) for line in captured.out.splitlines()]
    assert captured.err == b""
    assert when["published_at"] == "yesterday-ish" and when["status"] == "ok" and when["topics"] == ["space"]
    assert when["warnings"] == [{"field": "published_at", "kind": "not_a_timestamp",
                                 "message": "field 'published_at' is not an ISO 8601 date or date-time: "
                                            '"yesterday-ish"; ignored'}]
    assert numbered["source"] == {"name": "wire"} and len(numbered["id"]) == 64
    assert [(w["field"], w["kind"]) for w in numbered["warnings"]] == [("id", "not_a_string"),
                                                                        ("source", "not_a_string")]
    assert "got number 41" in numbered["warnings"][0]["message"]
    assert clean["warnings"] == [] and clean["schema_version"] == "2.0"


def test_classify_all_good_exits_0_and_writes_to_the_output_file(tmp_path, tiny_model_dir):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text(json.dumps({"id": "one", "text": SPACE}) + "\n")
    assert cli.main(["classify", str(source), "-o", str(out), "--model", str(tiny_model_dir)]) == 0
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["one"]


def test_classify_text_reads_the_whole_input_as_one_article(tmp_path, tiny_model_dir, capsysbinary):
    source = tmp_path / "page.txt"
    source.write_text(f"{SPACE}\n\nMore lines\nof the same page.\n")
    assert cli.main(["classify", "--text", str(source), "--model", str(tiny_model_dir)]) == 0
    (record,) = [json.loads(line) for line in capsysbinary.readouterr().out.splitlines()]
    assert record["text"].startswith("The rocket") and "More lines" in record["text"]
    assert set(record["topic_scores"]) == {"diplomacy", "space", "defence"}


def test_classify_text_of_nothing_is_an_error_object(tmp_path, tiny_model_dir, capsysbinary):
    source = tmp_path / "empty.txt"
    source.write_text("  \n")
    assert cli.main(["classify", "--text", str(source), "--model", str(tiny_model_dir)]) == 1
    captured = capsysbinary.readouterr()
    assert captured.out == b""
    assert json.loads(captured.err.splitlines()[-1])["reason"] == "no_text"


def test_seed_article_with_the_shipped_model(capsysbinary):
    """The shipped model is the product: when it does not resolve or load, this fails (exit 1), never skips."""
    if not SEED.is_file():
        pytest.skip(f"{SEED} is not present (the shared examples sit beside the checkout, not in it)")
    assert cli.main(["classify", "--text", str(SEED)]) == 0
    (record,) = [json.loads(line) for line in capsysbinary.readouterr().out.splitlines()]
    assert record["status"] == "ok"
    assert set(record["topic_scores"]) == {"diplomacy", "space", "defence"}
    assert len(record["region_scores"]) == 10
    assert {"version", "sha256"} <= set(record["model"])
