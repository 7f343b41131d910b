"""The JSON Schema: kept in the repository in sync, and accepting every example."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from support import EXAMPLES, REPO

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


def schema_from_cli(redplan) -> dict:
    result = redplan("schema")
    assert result.exit_code == 0
    return json.loads(result.stdout)


def test_repository_copy_is_current(redplan):
    """Regenerate with: redplan schema -o redplan.schema.json --force"""
    committed = json.loads((REPO / "redplan.schema.json").read_text(encoding="utf-8"))
    assert committed == schema_from_cli(redplan)


def test_schema_is_valid_draft_2020_12(redplan):
    jsonschema.Draft202012Validator.check_schema(schema_from_cli(redplan))


def documents(path):
    """What an editor sees: YAML with dates left as text."""
    text = path.read_text(encoding="utf-8")
    return [json.loads(json.dumps(document, default=str)) for document in yaml.safe_load_all(text)]


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda path: path.stem)
def test_every_example_validates_against_the_schema(redplan, path):
    validator = jsonschema.Draft202012Validator(schema_from_cli(redplan))
    assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../redplan.schema.json")
    for document in documents(path):
        errors = [error.message for error in validator.iter_errors(document)]
        assert errors == []


@pytest.mark.parametrize(
    "document",
    [
        {"version": 1, "services": [{"name": "a", "state": "stateful", "objectives": {"rto": "5 minutes"}}]},
        {"version": 1, "services": [{"name": "a", "state": "stateful", "surprise": 1}]},
        {"version": 2},
        {"version": 1, "services": [{"name": "a", "state": "stateful", "objectives": {"availability": 1.5}}]},
    ],
)
def test_schema_rejects_what_the_loader_rejects(redplan, document):
    validator = jsonschema.Draft202012Validator(schema_from_cli(redplan))
    assert list(validator.iter_errors(document))
