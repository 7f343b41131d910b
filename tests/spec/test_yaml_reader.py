"""The YAML reader: positions, duplicate keys, merges, and the limits that keep hostile files harmless."""

from __future__ import annotations

import datetime

from redplan.spec.yaml_reader import MAX_DEPTH, read_documents

TEXT = """\
version: 1
defaults: &defaults {state: stateful, tier: critical}
services:
  - name: a
    <<: *defaults
    tier: important
    ignore: [{rule: RP101, reason: known, expires: 2027-01-31}]
"""


def test_values_and_positions():
    (document,), errors = read_documents(TEXT, "f.yaml")
    assert errors == []
    service = document.data["services"][0]
    assert service == {
        "name": "a", "tier": "important", "state": "stateful",
        "ignore": [{"rule": "RP101", "reason": "known", "expires": datetime.date(2027, 1, 31)}],
    }
    locate = document.locator.position
    assert locate(("services", 0, "tier")) == (6, 11)
    assert locate(("services", 0, "tier"), at_key=True) == (6, 5)
    assert locate(("services", 0, "state")) == (2, 29)  # merged from the anchor: points at the anchor
    assert locate(("services", 0, "ignore", 0, "expires")) == (7, 52)
    assert locate(("services", 0, "no-such-key")) == (4, 5)  # the closest node that exists
    assert locate(()) == (1, 1)


def test_duplicate_keys_name_both_lines():
    _, errors = read_documents("a: 1\nb:\n  c: 1\n  c: 2\n", "f.yaml")
    assert [str(error) for error in errors] == ["f.yaml:4:3: duplicate key 'c' (first defined at line 3)"]


def test_multiple_documents():
    documents, errors = read_documents("version: 1\n---\nversion: 1\nservices: []\n", "f.yaml")
    assert errors == [] and [document.line for document in documents] == [1, 3]


def test_recursive_alias_is_refused():
    _, errors = read_documents("a: &x [1, *x]\n", "f.yaml")
    assert "refers to a node that contains it" in errors[0].message


def test_nesting_limit():
    depth_ok = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert read_documents(depth_ok, "f.yaml")[1] == []
    _, errors = read_documents("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "f.yaml")
    assert errors[0].message == f"nesting is deeper than {MAX_DEPTH} levels"
    _, errors = read_documents("[" * 300_000 + "]" * 300_000, "f.yaml")  # libyaml may stop first, at its own limit
    assert "nesting" in errors[0].message


def test_complex_keys_are_refused():
    _, errors = read_documents("? [a, b]\n: 1\n", "f.yaml")
    assert errors[0].message == "a key must be a plain value, not a list or mapping"


def test_custom_tags_are_refused_but_standard_ones_work():
    (document,), errors = read_documents("a: !!str 123\nb: !!int '7'\n", "f.yaml")
    assert errors == [] and document.data == {"a": "123", "b": 7}
    _, errors = read_documents("a: !Ref other\n", "f.yaml")
    assert "the tag !Ref is not allowed" in errors[0].message
