"""Fuzzing: service files generated from the JSON Schema, and the shipped examples mutated (keys dropped,
values swapped or retyped, junk inserted, lines duplicated, text cut short), through validate, audit,
recommend and simulate. Whatever comes in, no exception escapes, the exit code is 0, 1 or 2, JSON asked
for is JSON, and exit 2 comes with `file:line:col: message` lines.

The schema generator is a small one written here: hypothesis-jsonschema handles this schema but takes
about half a second an example, canonicalising it again on every draw. Examples are few (the suite
derandomises hypothesis in tests/conftest.py); the corpus and generated files in
test_hostile_inputs.py cover the extremes one by one.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from hostile_specs import assert_contract
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import EXAMPLES
from typer.testing import CliRunner

from redplan.cli import app
from redplan.spec.models import REGION_PATTERN
from redplan.spec.schema import spec_json_schema

SCHEMA = spec_json_schema()
EXAMPLE_TEXTS = {path.name: path.read_text(encoding="utf-8") for path in sorted(EXAMPLES.glob("*.yaml"))}
REGIONS = ["aws:us-east-1", "aws:us-west-2", "aws:eu-west-1", "azure:westeurope", "gcp:us-central1",
           "gcp:europe-west5", "dc:frankfurt-1", "aws:us-east-l"]  # unlocated, a site, a typo among them
COMMANDS = [("validate",), ("audit", "-f", "json"), ("recommend", "-f", "json"), ("simulate", "--fail", "worst-region", "-f", "json")]
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])


# --- a strategy for what the schema allows ---------------------------------------------------------------

def _resolved(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid for `schema` (the subset of JSON Schema that `redplan schema` uses); integers stay
    below 1,000 and lists below 4 items, so that an example runs in a fraction of a second."""
    schema = _resolved(schema)
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return st.one_of([from_schema(arm) for arm in schema[combinator]])
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "object" and "properties" in schema:
        required = set(schema.get("required", ()))
        fields = {key: from_schema(inner) for key, inner in schema["properties"].items()}
        return st.fixed_dictionaries({key: fields[key] for key in fields if key in required},
                                     optional={key: fields[key] for key in fields if key not in required})
    if kind == "object":
        values = [from_schema(inner) for inner in schema.get("patternProperties", {}).values()] or [st.none()]
        return st.dictionaries(st.sampled_from(REGIONS), st.one_of(values), max_size=3)
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {})), max_size=3)
    if kind == "string":
        return _text(schema)
    if kind == "integer":
        low = schema.get("minimum", -1000)
        return st.integers(low, min(schema.get("maximum", 1000), low + 1000))
    if kind == "number":
        return st.floats(schema.get("minimum", schema.get("exclusiveMinimum", -1e6)), schema.get("maximum", 1e6),
                         exclude_min="exclusiveMinimum" in schema, allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    return st.none()


def _text(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    if schema.get("format") == "date":
        return st.dates(datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)).map(str)
    pattern = schema.get("pattern")
    if pattern == REGION_PATTERN:
        return st.sampled_from(REGIONS)
    if pattern:  # read as JSON Schema's (ECMA) regexes are: \\d and \\s are ASCII there, unlike in Python's re
        ascii_pattern = pattern.replace("\\d", "[0-9]").replace("\\s", "[ ]")
        return st.from_regex(ascii_pattern, fullmatch=True).filter(lambda text: len(text) <= schema.get("maxLength", 100))
    return st.text(min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 20), 20))


SPEC_FILES = from_schema(SCHEMA).map(lambda document: yaml.safe_dump(document, sort_keys=False, allow_unicode=True))


# --- mutations of the shipped examples --------------------------------------------------------------------

JUNK: list[Any] = [None, True, 0, -1, 1e308, float("nan"), "", "x" * 300, [], {}, [1, "a"], {"k": "v"}, "5 minutes", "99.99"]
INSERTED_TEXT = ["\t", ":", ": ", "- ", "{", "}", "[", "]", "&a ", "*a", "!!python/object:os.system ", "%", "---\n", "...\n",
                 "\ufeff", "'", '"', "#", "<<: ", "? ", "|", ">", "\n  ", "\x00", "\u202e"]


def _places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every value in `node`, itself included."""
    found = [path]
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, inner in items:
        found += _places(inner, path + (key,))
    return found


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        node = node[step]
    return node


@st.composite
def mutated_examples(draw: Callable[..., Any]) -> str:
    """A shipped example after one to three structural or textual mutations."""
    text = EXAMPLE_TEXTS[draw(st.sampled_from(sorted(EXAMPLE_TEXTS)))]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["drop", "swap", "retype", "junk key", "duplicate line", "truncate", "insert"]))
        if kind in ("duplicate line", "truncate", "insert"):
            lines = text.splitlines(keepends=True)
            at = draw(st.integers(0, max(0, len(text) - 1)))
            if kind == "duplicate line" and lines:
                index = draw(st.integers(0, len(lines) - 1))
                text = "".join(lines[: index + 1] + lines[index:])
            elif kind == "truncate":
                text = text[:at]
            else:
                text = text[:at] + draw(st.sampled_from(INSERTED_TEXT)) + text[at:]
            continue
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError:
            continue  # an earlier textual mutation broke it: keep the text as it is
        places = [place for place in _places(document) if place]
        if not places:
            continue
        path = draw(st.sampled_from(places))
        parent, key = _at(document, path[:-1]), path[-1]
        if kind == "drop":
            del parent[key]
        elif kind == "swap":
            other = draw(st.sampled_from(places))
            if other[: len(path)] != path and path[: len(other)] != other:  # neither inside the other
                other_parent, other_key = _at(document, other[:-1]), other[-1]
                parent[key], other_parent[other_key] = other_parent[other_key], parent[key]
        elif kind == "retype":
            parent[key] = draw(st.sampled_from(JUNK))
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["rto", "junk", "regions", "x" * 40, "replicas", "services"]))] = draw(st.sampled_from(JUNK))
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    return text


# --- the property ---------------------------------------------------------------------------------------

def _holds_the_contract(text: str) -> None:
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.yaml"
        path.write_text(text, encoding="utf-8")
        for command in COMMANDS:
            result = runner.invoke(app, [*command, str(path)], catch_exceptions=True)
            error = result.exception
            crash = None if error is None or isinstance(error, SystemExit) else repr(error)
            if crash:
                raise AssertionError(f"redplan {' '.join(command)} raised on:\n{text}") from error
            assert_contract(command, result.exit_code, result.stdout, result.stderr)
            if command == ("validate",) and result.exit_code == 2:
                break  # the other commands load the file the same way


@FUZZ
@given(SPEC_FILES)
def test_files_the_schema_allows(text):
    _holds_the_contract(text)


@FUZZ
@given(mutated_examples())
def test_mutated_examples(text):
    _holds_the_contract(text)


def test_the_schema_generator_reaches_valid_files_and_every_field():
    """The generator is worth something: some files it makes are valid, and it writes every service field."""
    seen: set[str] = set()
    valid = 0

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(from_schema(SCHEMA))
    def collect(document):
        nonlocal valid
        for service in document.get("services", []):
            seen.update(service)
        runner = CliRunner()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "generated.yaml"
            path.write_text(yaml.safe_dump(document), encoding="utf-8")
            valid += runner.invoke(app, ["validate", str(path)]).exit_code == 0

    collect()
    assert valid > 0
    assert seen == set(_resolved(SCHEMA["$defs"]["Service"])["properties"])
