"""The published JSON Schemas hold: they agree with the code, what `classify` writes validates, and the
README's contract tables name exactly what the schemas define."""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from newsfeed import cli
from newsfeed.models.classifier import EVIDENCE_PER_LABEL
from newsfeed.models.contract import SCHEMAS, load_schema, schema_text
from newsfeed.models.evidence import MENTION_SPANS, SPANS_PER_LABEL, SPANS_PER_NGRAM
from newsfeed.models.schema import (
    DEAD_LETTER_REASONS,
    SCHEMA_VERSION,
    STATUSES,
    TIMESTAMP_PATTERN,
    WARNING_KINDS,
    WARNINGS,
    InvalidArticle,
)
from newsfeed.models.taxonomy import REGIONS, TOPICS
from newsfeed.stream.codec import Limits, dead_letter_headers, decode_article

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT.parent / "shared" / "examples" / "seed-article.txt"
LIMITS = Limits(max_input_bytes=100_000, max_json_depth=16)


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(name))


def errors(name: str, instance) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(name).iter_errors(instance)]


@pytest.mark.parametrize("name", SCHEMAS)
def test_each_schema_is_a_valid_draft_2020_12_document_of_this_version(name):
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"urn:newsfeed-classifier:schema:{name}:{SCHEMA_VERSION}"


def test_the_schemas_name_the_code_s_label_sets_and_rules():
    output, dead_letter, article = load_schema("output"), load_schema("dead-letter"), load_schema("input")
    assert output["$defs"]["topic"]["enum"] == list(TOPICS)
    assert output["$defs"]["region"]["enum"] == list(REGIONS)
    assert list(output["properties"]["topic_scores"]["required"]) == list(TOPICS)
    assert list(output["properties"]["region_scores"]["required"]) == list(REGIONS)
    assert output["properties"]["status"]["enum"] == list(STATUSES)
    evidence = output["properties"]["evidence"]["additionalProperties"]["properties"]
    assert evidence["ngrams"]["maxItems"] == EVIDENCE_PER_LABEL
    assert evidence["ngrams"]["items"]["properties"]["spans"]["maxItems"] == SPANS_PER_NGRAM
    assert evidence["ngrams"]["maxItems"] * SPANS_PER_NGRAM + 1 == SPANS_PER_LABEL  # the passage is the 16th
    assert output["properties"]["countries"]["items"]["properties"]["spans"]["maxItems"] == MENTION_SPANS
    warning = output["properties"]["warnings"]["items"]["properties"]
    assert warning["kind"]["examples"] == list(WARNING_KINDS)
    assert set(warning["field"]["examples"]) == {name for name, _ in WARNINGS} == set(article["properties"])
    assert re.fullmatch(output["properties"]["schema_version"]["pattern"], SCHEMA_VERSION)
    assert re.fullmatch(dead_letter["properties"]["newsfeed.schema_version"]["pattern"], SCHEMA_VERSION)
    assert dead_letter["properties"]["newsfeed.reason"]["enum"] == list(DEAD_LETTER_REASONS)
    assert article["properties"]["published_at"]["pattern"] == TIMESTAMP_PATTERN


# (input, what the decoder makes of it): "clean" enriched without warnings, "warned", or refused.
ARTICLES = [
    ({"title": "Summit in Geneva"}, "clean"),
    ({"id": "a", "url": "https://example.org/a", "title": None, "text": "Talks resumed.", "html": None,
      "published_at": "2024-09-08T06:22:52Z", "source": "wire", "language": "en-GB", "feed": {"rank": 1}}, "clean"),
    ({"html": "<p>Launch</p>", "published_at": "2024-09-08 06:22+0200"}, "clean"),
    ({"title": "Summit", "published_at": "yesterday-ish"}, "warned"),
    ({"title": "Summit", "id": 7}, "warned"),
    ({"title": "Summit", "text": {"nested": True}}, "warned"),
    ({"title": "Summit", "source": ["a", "b"], "language": 3}, "warned"),
    ({"title": ["a", "list"]}, "refused"),
    ({"title": " ", "text": "", "html": None}, "refused"),
    ({"id": "no-text"}, "refused"),
]


@pytest.mark.parametrize("fields, outcome", ARTICLES)
def test_an_input_validates_exactly_when_it_is_enriched_without_warnings(fields, outcome):
    try:
        decoded = "warned" if decode_article(json.dumps(fields).encode(), LIMITS).warnings else "clean"
    except InvalidArticle:
        decoded = "refused"
    assert decoded == outcome
    assert (errors("input", fields) == []) == (outcome == "clean"), errors("input", fields)


def test_a_day_that_does_not_exist_is_the_one_thing_the_schema_cannot_tell():
    """A pattern cannot know the calendar: the input schema accepts 30 February, the decoder warns."""
    fields = {"title": "Summit", "published_at": "2024-02-30"}
    assert errors("input", fields) == []
    assert decode_article(json.dumps(fields).encode(), LIMITS).warnings[0].kind == "not_a_timestamp"


def test_every_record_classify_writes_validates(tmp_path, capsysbinary):
    """Through the shipped model: judged, too short, not English, messy metadata, the seed article."""
    source = tmp_path / "in.jsonl"
    lines = [fields for fields, outcome in ARTICLES if outcome != "refused"] + [
        {"id": "de", "text": "Die Außenminister trafen sich in Berlin, um über einen Waffenstillstand zu sprechen."},
        {"id": "seed", "title": "Seed", "text": SEED.read_text(encoding="utf-8")},
    ]
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert cli.main(["classify", str(source), "--log-level", "ERROR"]) == 0
    records = [json.loads(line) for line in capsysbinary.readouterr().out.splitlines()]
    assert len(records) == len(lines)
    for record in records:
        assert errors("output", record) == [], record["id"]
    assert {record["status"] for record in records} == set(STATUSES)
    assert records[-1]["topics"] and records[-1]["countries"] and records[-1]["evidence"]  # a full one, too


def test_a_record_that_breaks_the_contract_does_not_validate(tmp_path, capsysbinary):
    source = tmp_path / "one.txt"
    source.write_text("The rocket launched a communications satellite into orbit on Tuesday morning.")
    assert cli.main(["classify", "--text", str(source), "--log-level", "ERROR"]) == 0
    record = json.loads(capsysbinary.readouterr().out)
    assert errors("output", record) == []
    spaced = {"space": {"ngrams": [{"ngram": "rocket", "weight": 0.5, "spans": [[4, 10, 12]]}], "passage": None}}
    for path, bad in [("topics", ["weather"]), ("topic_scores", {"space": 1.5}), ("status", "maybe"),
                      ("schema_version", "1.0"), ("warnings", [{"field": "id"}]), ("model", {"version": "x"}),
                      ("evidence", {"space": ["rocket"]}), ("evidence", spaced), ("prepared_text", None)]:
        assert errors("output", {**record, path: bad}), path
    assert errors("output", {key: value for key, value in record.items() if key != "warnings"})


def test_dead_letter_headers_validate_as_the_worker_writes_them():
    headers = dict((name, value.decode()) for name, value in
                   [("trace", b"abc"), *dead_letter_headers("no_text", "m" * 500, "articles.raw", 2, 17)])
    assert errors("dead-letter", headers) == []
    assert errors("dead-letter", {**headers, "newsfeed.reason": "bad_mood"})
    assert errors("dead-letter", {**headers, "newsfeed.source.offset": "-1"})


# --- the README's tables ------------------------------------------------------------------------------

def contract_tables() -> dict[str, list[list[str]]]:
    """The README's contract tables by their first header cell ("field" twice: input, then output)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Record contracts", 1)[1].split("\n## ", 1)[0]
    tables: list[tuple[str, list[list[str]]]] = []
    rows: list[list[str]] = []
    for line in section.splitlines() + [""]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]])
        elif rows:
            tables.append((rows[0][0], rows[2:]))
            rows = []
    assert [header for header, _ in tables] == ["field", "field", "header"]
    return {"input": tables[0][1], "output": tables[1][1], "dead-letter": tables[2][1]}


def names(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


@pytest.mark.parametrize("name", SCHEMAS)
def test_the_readme_table_names_exactly_the_schema_s_fields(name):
    listed = [field for row in contract_tables()[name] for field in names(row[0])]
    assert sorted(listed) == sorted(load_schema(name)["properties"])


def test_the_readme_tables_list_every_closed_set_in_full():
    output = {field: row[1] for row in contract_tables()["output"] for field in names(row[0])}
    assert set(names(output["topics"])) >= set(TOPICS)
    assert set(names(output["region_scores"])) >= set(REGIONS)
    assert set(names(output["status"])) >= set(STATUSES)
    assert set(names(output["warnings"])) >= set(WARNING_KINDS)
    assert SCHEMA_VERSION in names(output["schema_version"])
    reasons = {field: row[1] for row in contract_tables()["dead-letter"] for field in names(row[0])}
    assert names(reasons["newsfeed.reason"]) == list(DEAD_LETTER_REASONS)


# --- shipped and printed -------------------------------------------------------------------------------

def test_the_schemas_are_package_data():
    """What `pip install` copies: the package-data patterns must cover every schema file."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["newsfeed.models"]
    for path in (ROOT / "models" / "schemas").iterdir():
        assert any(fnmatch.fnmatch(f"schemas/{path.name}", pattern) for pattern in patterns), path.name


@pytest.mark.parametrize("name", SCHEMAS)
def test_newsfeed_schema_prints_the_document(name, capsys):
    assert cli.main(["schema", name]) == 0
    assert capsys.readouterr().out == schema_text(name)


def test_newsfeed_schema_prints_the_record_s_by_default(capsys):
    assert cli.main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "Enriched record"
