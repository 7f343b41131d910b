"""Hostile, malformed and extreme input: every file gives `file:line:col: message` and exit 2, or a
result (exit 0 or 1), in bounded time and memory, and never a traceback.

The corpus in corpus/ holds the files small enough to read, each starting with `# expect: LINE:COL:
message` (the first error validate reports for it) or `# expect: valid`, as tests/spec/broken does;
what is too big to commit or follows from the schema (10 MB files, bytes that are not UTF-8, every
numeric field, a duplicate key in every mapping, symlink loops) is made here. The commands run in
one child process at a time, bounded to MEMORY_LIMIT of address space and a timeout.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hostile_specs import (
    COMMANDS,
    FULL,
    bounded_process,
    check,
    check_process,
    first_errors,
    numeric_fields,
    renamed,
    run_contained,
    set_at,
)

from redplan.spec.loader import MAX_ERRORS
from redplan.spec.yaml_reader import read_documents

CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.yaml"))


def expectation(path: Path) -> str:
    first = path.read_bytes().decode("utf-8").removeprefix("\ufeff").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: '"
    return first.removeprefix("# expect: ")


INVALID = [path for path in CORPUS if expectation(path) != "valid"]
VALID = [path for path in CORPUS if expectation(path) == "valid"]


def assert_reported(first: str | None, path: Path, expected: str) -> None:
    assert first is not None, f"{path.name}: no error reported"
    if re.match(r"^\d+:\d+: ", expected):
        assert first.startswith(expected), f"{path.name}: {first}"
    else:
        assert expected in first, f"{path.name}: {first}"


@pytest.mark.parametrize("path", CORPUS, ids=lambda path: path.stem)
def test_corpus_file_is_reported_at_its_line_or_valid(redplan, path):
    expected = expectation(path)
    result = redplan("validate", str(path))
    if expected == "valid":
        assert result.exit_code == 0, result.stderr
    else:
        assert result.exit_code == 2
        assert_reported(first_errors(result.stderr).get(str(path)), path, expected)


def test_every_command_reports_every_broken_corpus_file():
    """All commands over the whole broken corpus at once: each file named at its line, no traceback."""
    outcomes = run_contained([[*command, *map(str, INVALID)] for command in COMMANDS])
    for outcome in outcomes:
        check(outcome)
        assert outcome.exit_code == 2
        first = first_errors(outcome.stderr)
        for path in INVALID:
            assert_reported(first.get(str(path)), path, expectation(path))


def test_every_command_gives_a_result_for_the_valid_corpus_files():
    outcomes = run_contained([[*command, *map(str, VALID)] for command in COMMANDS])
    for outcome in outcomes:
        check(outcome)
        assert outcome.exit_code in (0, 1), outcome.stderr
    reported = json.loads(outcomes[COMMANDS.index(("recommend", "-f", "json"))].stdout)
    with_services = {str(path) for path in VALID
                     if any(document.data and document.data.get("services") for document in read_documents(path.read_text(encoding="utf-8-sig"), "")[0])}
    assert {service["file"] for service in reported["services"]} == with_services


# --- generated: too big, not UTF-8, every numeric field, every mapping ------------------------------

MB = 2**20
HEAD = "version: 1\nservices:\n  - name: {name}\n    state: stateful\n"


@pytest.fixture(scope="module")
def big_files(tmp_path_factory) -> dict[str, str]:
    """Ten-megabyte files and the expected start of the first error for each ('' for a valid file)."""
    folder = tmp_path_factory.mktemp("big")
    files = {
        "comment.yaml": (HEAD.format(name="commented") + "# " + "x" * (10 * MB) + "\n", ""),
        "number-list.yaml": ("version: 1\nservices: [" + "1, " * (10 * MB // 3) + "]\n",
                             "2:12: services[0]: expected a mapping, got 1"),
        "unknown-keys.yaml": (HEAD.format(name="keys") + "".join(f"    k{i}: 1\n" for i in range(120_000)),
                              "3:5: service 'keys': holds more than 100,000 values"),
        "long-name.yaml": (HEAD.format(name="n" * (10 * MB)), "3:11: service 'nnnnn"),
        "long-duration.yaml": (HEAD.format(name="slow") + "    objectives: {rto: " + "9" * (10 * MB) + "s}\n",
                               "5:23: service 'slow': objectives.rto: '99999"),
        "long-number.yaml": (HEAD.format(name="digits") + "    capacity: " + "9" * (10 * MB) + "\n",
                             "5:15: a value of 10,485,760 characters is too long to read as a whole number"),
        "many-documents.yaml": ("---\nversion: 1\n" * (10 * MB // 14), "200001:1: more than 100,000 YAML documents in one file"),
        "over-the-limit.yaml": ("# " + "x" * (17 * MB) + "\n", "1:1: is larger than the 16 MiB limit"),
    }
    expected = {}
    for name, (text, first) in files.items():
        (folder / name).write_text(text, encoding="utf-8")
        expected[str(folder / name)] = first
    return expected


def test_ten_megabyte_files_in_bounded_memory_and_time(big_files):
    """One real `redplan validate` over them all, then the other commands over what it can read: each big
    file costs at most a few seconds, and the worst (3.5 million list items) stays within MEMORY_LIMIT."""
    result = bounded_process(["validate", *big_files], timeout=90)
    check_process(["validate"], result)
    assert result.returncode == 2
    first = first_errors(result.stderr)
    for path, expected in big_files.items():
        if expected:
            assert first.get(path, "").startswith(expected), (path, first.get(path))
        else:
            assert path not in first
    assert len(result.stderr.splitlines()) < 200, "a file's errors must be capped, not millions"
    assert sum(1 for line in result.stderr.splitlines() if "number-list" in line) == MAX_ERRORS + 1
    valid = [path for path, expected in big_files.items() if not expected]
    small = [path for path, expected in big_files.items() if os.path.getsize(path) < 2 * MB]
    for outcome in run_contained([[*command, *valid] for command in COMMANDS] + [["audit", "-f", "json", *small]]):
        check(outcome)


UNDECODABLE = {
    "utf-32.yaml": ("version: 1\n".encode("utf-32"), "1:1: is UTF-32; save it as UTF-8"),
    "utf-16-without-bom.yaml": ("version: 1\n".encode("utf-16-le"), "1:2: is a binary file (NUL byte), not YAML"),
    "overlong-utf-8.yaml": (b"version: 1\nservices:\n  - name: \xc0\xaf\n", "3:11: is not UTF-8: byte 0xc0 cannot be decoded"),
    "lone-continuation-byte.yaml": (b"version: 1\n\x80\n", "2:1: is not UTF-8: byte 0x80 cannot be decoded"),
    "cut-multibyte-character.yaml": (b"version: 1\nservices: []\n# caf\xc3", "3:6: is not UTF-8: byte 0xc3 cannot be decoded"),
    "bom-then-latin-1.yaml": (b"\xef\xbb\xbfversion: 1\nservices:\n  - name: caf\xe9\n", "3:14: is not UTF-8: byte 0xe9"),
    "surrogate-escape.yaml": (b'version: 1\nservices:\n  - name: "\\ud800"\n', "3:14: YAML syntax error: found invalid Unicode character escape code"),
    "bom-only.yaml": (b"\xef\xbb\xbf", "1:1: is empty"),
    "bom-then-valid.yaml": (b"\xef\xbb\xbfversion: 1\nservices:\n  - {name: bom, state: stateless}\n", ""),
}


def test_bytes_that_are_not_utf_8_or_hide_a_bom(redplan, tmp_path):
    for name, (content, _) in UNDECODABLE.items():
        (tmp_path / name).write_bytes(content)
    result = redplan("validate", str(tmp_path))
    first = first_errors(result.stderr)
    for name, (_, expected) in UNDECODABLE.items():
        if expected:
            assert first.get(str(tmp_path / name), "").startswith(expected), (name, first.get(str(tmp_path / name)))
        else:
            assert str(tmp_path / name) not in first


def numeric_values(kind: str) -> list[Any]:
    """YAML texts to put where a `kind` goes: non-finite, negative, zero, huge, tiny, wrongly typed."""
    common = [".nan", ".inf", "-.inf", "-1", "0", "-0.0", "9" * 40, "1.7976931348623157e+308", "4.9e-324",
              "true", "null", "''", "[1]", "{a: 1}"]
    by_kind = {
        "duration": ["-5s", "0s", "0.0000000000000001ms", "100000000000000w", "P99999999999999999999W", "9" * 400 + "s",
                     "3153600000s", "3153600001s", "PT", "1e3s"],
        "rate": ["-1/s", "0/s", "0.000000000001/d", "1000G/s", "1001G/s", "9" * 400 + "/s"],
        "size": ["-1B", "0B", "0.0000001B", "1000000PB", "1000001PB", "9" * 400 + "B"],
        "fraction": ["0%", "100%", "100.0001%", "0.0000000000001%", "1.0", "0.99999999999999999999", "-99%", "99.99"],
        "number": ["1.0e+10", "0.0000001", "-90.0", "180", "180.0000001"],
        "integer": ["1", "2.0", "1.5", "100000", "100001"],
    }
    return common + by_kind[kind]


def test_every_numeric_field_with_extreme_values(tmp_path):
    """Every numeric field the schema has (new ones included) with every extreme value: a located error,
    or a result whose JSON has no NaN or Infinity."""
    fields = numeric_fields()
    assert len(fields) >= 30, fields
    files: list[Path] = []
    for path, kind in sorted(fields.items(), key=str):
        for value in numeric_values(kind):
            tag = str(len(files))
            marked = set_at(renamed(FULL, tag), path, "__VALUE__")
            text = yaml.safe_dump(marked, sort_keys=False, width=10**6, allow_unicode=True)
            file = tmp_path / f"{'.'.join(map(str, path))}={tag}.yaml"
            file.write_text(text.replace("'__VALUE__'", value).replace("__VALUE__", value), encoding="utf-8")
            files.append(file)
    validated, audited = run_contained([["validate", *map(str, files)], ["audit", "-f", "json", *map(str, files)]], timeout=60)
    check(validated)
    check(audited)
    first = first_errors(validated.stderr)
    assert first_errors(audited.stderr) == first  # over 200 kB, audit loads in parallel shares, then reports as validate
    valid = [str(file) for file in files if str(file) not in first]
    assert 0 < len(valid) < len(files)
    outcomes = run_contained([[*command, *valid] for command in COMMANDS[1:]], timeout=120)
    for outcome in outcomes:
        check(outcome)
        assert outcome.exit_code in (0, 1), outcome.stderr[-2000:]


def mappings(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every mapping in `node`."""
    found = [path] if isinstance(node, dict) else []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, inner in items:
        found += mappings(inner, path + (key,))
    return found


def test_a_duplicate_key_is_found_in_every_mapping(tmp_path):
    """FULL with the first key of one mapping written twice, for every mapping: the error names the key
    and both lines (PyYAML alone would keep the second silently)."""
    cases = {}
    for index, path in enumerate(mappings(FULL)):
        document = renamed(FULL, str(index))
        node: Any = document
        for step in path:
            node = node[step]
        key = next(iter(node))
        node["__DUPLICATE__"] = node[key]
        text = yaml.safe_dump(document, sort_keys=False, width=10**6, default_flow_style=False)
        line = next(number for number, content in enumerate(text.splitlines(), 1) if "__DUPLICATE__" in content)
        file = tmp_path / f"duplicate-{index}.yaml"
        file.write_text(text.replace("__DUPLICATE__", str(key)), encoding="utf-8")
        cases[str(file)] = (key, line)
    assert len(cases) >= 15
    result, = run_contained([["validate", *cases]])
    check(result)
    first = first_errors(result.stderr)
    for file, (key, line) in cases.items():
        assert re.match(rf"{line}:\d+: duplicate key {re.escape(repr(key))} \(first defined at line \d+\)", first[file]), first[file]


def test_replica_counts_in_the_thousands(tmp_path):
    """5,000 replica entries and counts of 100,000: bounded (refused for a stateful service, whose
    quorum and latency models grow with the square of its copies) or answered in linear time."""
    entries = "".join(f"        - {{region: aws:us-east-1, az: {'abc'[index % 3]}, role: instance}}\n" for index in range(5000))
    files = {
        "stateless-5000-entries.yaml": ("web", "stateless", entries, None),
        "stateless-count-100000.yaml": ("api", "stateless", "        - {region: aws:us-east-1, role: instance, count: 100000}\n", None),
        "stateful-5000-entries.yaml": ("db", "stateful", entries.replace("instance", "replica"), "5,000 replicas hold data or vote"),
        "stateful-count-101.yaml": ("kv", "stateful", "        - {region: aws:us-east-1, role: replica, count: 101}\n", "101 replicas hold data or vote"),
    }
    for name, (service, state, replicas, _) in files.items():
        text = (f"version: 1\nservices:\n  - name: {service}\n    state: {state}\n    regions: [aws:us-east-1]\n"
                f"    objectives: {{rto: 1m, survive: [node, az]}}\n    deployment:\n      replicas:\n{replicas}")
        (tmp_path / name).write_text(text, encoding="utf-8")
    refused = [str(tmp_path / name) for name, (*_, error) in files.items() if error]
    accepted = [str(tmp_path / name) for name, (*_, error) in files.items() if not error]
    outcomes = run_contained([["validate", *refused], *([*command, *accepted] for command in COMMANDS)], timeout=120)
    for outcome in outcomes:
        check(outcome)
        assert outcome.seconds < 30, (outcome.args[0], outcome.seconds)
    first = first_errors(outcomes[0].stderr)
    for name, (*_, error) in files.items():
        if error:
            assert error in first[str(tmp_path / name)]
    assert all(outcome.exit_code in (0, 1) for outcome in outcomes[1:]), [outcome.stderr for outcome in outcomes[1:]]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_symlink_loops_and_named_pipes_in_a_directory(tmp_path):
    """Directories and `**` globs do not follow symlinked folders (two links to `.` made glob's `**` walk
    forever), and a named pipe among the files is reported, not opened (reading it waits for a writer)."""
    folder = tmp_path / "services"
    (folder / "team").mkdir(parents=True)
    (folder / "team" / "web.yaml").write_text(
        "version: 1\nservices:\n  - {name: web, state: stateless}\n", encoding="utf-8")
    (folder / "team" / "here").symlink_to(".")
    (folder / "team" / "up").symlink_to("..")
    (folder / "loop.yaml").symlink_to("loop.yaml")
    (folder / "dangling.yaml").symlink_to("nowhere.yaml")
    os.mkfifo(folder / "pipe.yaml")
    expected = {
        str(folder / "dangling.yaml"): "1:1: cannot read: No such file or directory",
        str(folder / "loop.yaml"): "1:1: cannot read: Too many levels of symbolic links",
        str(folder / "pipe.yaml"): "1:1: is a named pipe, socket or device, not a file: not read",
    }
    for args in (["validate", str(folder)], ["validate", f"{folder}/**/*.yaml"], ["audit", "-f", "json", str(folder)]):
        result = bounded_process(args, timeout=30)
        check_process(args, result)
        assert result.returncode == 2
        assert first_errors(result.stderr) == expected, result.stderr


def test_a_long_depends_on_chain_is_followed_without_cubic_cost():
    """recommend puts each service in series with everything it depends on: over a chain of 2,000 services
    that walk took 13 s when it checked a list for names already seen (45 s for 3,000); a set takes 0.3 s."""
    from redplan.engine.recommend import _dependencies

    depends_on = {f"s{index}": [f"s{index + 1}"] for index in range(2000)} | {"s2000": []}
    start = time.perf_counter()
    chains = [_dependencies(name, depends_on) for name in depends_on]
    assert time.perf_counter() - start < 5
    assert chains[0] == [f"s{index}" for index in range(1, 2001)] and chains[-1] == []
