"""The published record contract: JSON Schema (draft 2020-12) documents, shipped as package data.

`models/schemas/` holds one document per thing that crosses the project's edge: the input article,
the enriched record and the dead-letter headers. They are data, not code, so a consumer in any
language can validate against the same files `newsfeed schema` prints. The code does not validate
against them at run time (the worker's own checks are `models.schema`'s); the tests hold the two
together. What a compatible change is: models/schemas/README.md.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

# The documents by the name `newsfeed schema NAME` takes.
SCHEMAS: dict[str, str] = {
    "input": "input.schema.json",
    "output": "output.schema.json",
    "dead-letter": "dead-letter.schema.json",
}


def schema_text(name: str) -> str:
    """The document as shipped, byte for byte (KeyError for a name not in SCHEMAS)."""
    return resources.files(__package__).joinpath("schemas", SCHEMAS[name]).read_text(encoding="utf-8")


def load_schema(name: str) -> dict[str, Any]:
    return json.loads(schema_text(name))
