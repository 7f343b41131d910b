"""docs/spec.md and docs/rules.md are generated from the schema and the rule registry, and kept in sync."""

from __future__ import annotations

import importlib.util
import re

import pytest
from support import REPO

from redplan.rules.registry import RULES
from redplan.spec.schema import spec_json_schema

SCRIPT = REPO / "tools" / "build_docs.py"


def load_builder():
    spec = importlib.util.spec_from_file_location("build_docs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def builder():
    return load_builder()


@pytest.fixture(scope="module")
def pages(builder):
    return builder.documents()


@pytest.mark.parametrize("name", ["spec.md", "rules.md"])
def test_committed_page_is_current(pages, name):
    path = REPO / "docs" / name
    assert path.exists(), f"docs/{name} is missing: run `python tools/build_docs.py`"
    committed = path.read_text(encoding="utf-8")
    assert committed == pages[path], f"docs/{name} is out of date: run `python tools/build_docs.py` and commit the result"


def sections(text: str) -> dict[str, str]:
    """Level-2 sections of a page by heading."""
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def test_spec_has_a_row_for_every_key_of_every_object(pages):
    schema = spec_json_schema()
    found = sections(pages[REPO / "docs" / "spec.md"])
    objects = {"The document": schema, **schema["$defs"]}
    assert set(objects) <= set(found)
    for title, definition in objects.items():
        rows = re.findall(r"^\| `(\w+)`", found[title], flags=re.M)
        assert rows == list(definition["properties"]), title


def test_spec_rows_carry_type_allowed_values_default_and_description(pages):
    text = pages[REPO / "docs" / "spec.md"]
    assert ("| `role` | string | `primary`, `standby`, `replica`, `witness`, `arbiter`, `non-voting`, `instance` | `replica` | "
            in text)
    assert "| `rpo` | [duration](#durations) | 0, 500ms, 30s, 5m, 4h, 2d or ISO 8601 (PT5M). | *none* | Most acknowledged" in text
    assert "| `write_rate` | [rate](#rates) | 2000/s, 10k/min, 5/h. | *none* |" in text
    assert "| `state` *(required)* | string | `stateful`, `stateless` |  | " in text
    assert "| `rtt_ms` | map of [region](#regions) to number | > 0, ≤ 10000 | `{}` |" in text
    assert "Used at: `services[].deployment.replicas[]`." in text


def test_every_described_key_keeps_its_description(pages):
    """A description written on a model reaches the page (a row may not drop it)."""
    text = pages[REPO / "docs" / "spec.md"]
    schema = spec_json_schema()
    for definition in [schema, *schema["$defs"].values()]:
        for prop in definition["properties"].values():
            description = prop.get("description")
            if description and not description.startswith("A duration"):
                assert description.replace("|", "\\|") in text


def test_rules_page_documents_every_rule_with_its_examples(pages):
    found = sections(pages[REPO / "docs" / "rules.md"])
    assert list(found) == [f"{rule.code} {rule.name}" for rule in RULES]
    for rule in RULES:
        body = found[f"{rule.code} {rule.name}"]
        assert body.lstrip().startswith(f"**{rule.severity}**: ")
        assert body.count("```yaml") == 2, rule.code
        assert body.index("**Failing**") < body.index("**Passing**")
    index = pages[REPO / "docs" / "rules.md"].split("\n## ", 1)[0]
    for rule in RULES:
        assert f"| [{rule.code}](#{rule.code.lower()}-{rule.name}) | `{rule.name}` | {rule.severity} |" in index


def test_rule_examples_are_the_docstrings_yaml(pages):
    """The failing example of RP101 appears line for line, unindented, in a YAML block."""
    text = pages[REPO / "docs" / "rules.md"]
    assert ("**Failing**\n\n```yaml\nobjectives: {rpo: 0s}\ndeployment:\n  pattern: active-passive\n  replication: async\n"
            in text)


def test_prose_escaping(builder):
    assert builder._prose("W + R > N, <b>*x*</b> and `a <b> *c*` depends_on _x_") == (
        "W + R &gt; N, &lt;b&gt;\\*x\\*&lt;/b&gt; and `a <b> *c*` depends_on \\_x\\_")


def test_check_mode_reports_stale_pages_and_writing_fixes_them(builder, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(builder, "DOCS", tmp_path)
    assert builder.main(["--check"]) == 1
    assert "spec.md is out of date: run `python tools/build_docs.py`" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # --check writes nothing
    assert builder.main([]) == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["rules.md", "spec.md"]
    assert builder.main(["--check"]) == 0


def test_a_rule_docstring_off_convention_is_refused(builder):
    class Odd(type(RULES[1])):
        """Something else first.

        Failing::

            x: 1
        """

    with pytest.raises(ValueError, match="must start with 'RP101 rpo-zero-without-sync: '"):
        builder.rules_markdown([Odd()])
