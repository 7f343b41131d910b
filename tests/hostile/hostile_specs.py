"""What the hostile-input tests share: a service file that uses every field of spec v1, the numeric
fields read from the JSON Schema, and a way to run many redplan commands in one child process whose
memory and time are bounded, reporting any exception that escapes instead of dying with it."""

from __future__ import annotations

import copy
import json
import os
import re
import resource
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redplan.spec.schema import spec_json_schema

MEMORY_LIMIT = 1536 * 2**20
"""Address space of a child: what a CI runner spares a linter-like tool, and far below a machine's."""
LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): \S")
SUMMARY = re.compile(r"^\d+ errors? in \d+ files?$")
COMMANDS: list[tuple[str, ...]] = [
    ("validate",),
    ("audit",),
    ("audit", "-f", "json"),
    ("recommend",),
    ("recommend", "-f", "json"),
    ("simulate", "--fail", "worst-region"),
    ("simulate", "--fail", "worst-region", "-f", "json"),
]

FULL: dict[str, Any] = {
    "version": 1,
    "sites": [{"name": "dc:frankfurt-1", "lat": 50.11, "lon": 8.68, "zones": 2, "rtt_ms": {"aws:eu-central-1": 2}}],
    "services": [{
        "name": "ledger", "tier": "critical", "state": "stateful",
        "objectives": {"rto": "1m", "rpo": "0s", "survive": ["node", "az"], "availability": "99.95%", "max_staleness": "5s"},
        "consistency": [{"operation": "read-feed", "level": "bounded", "max_staleness": "10s"}],
        "data": {"kind": "ledger", "write_rate": "800/s", "write_size": "1KiB", "read_rate": "2k/s", "size": "1TiB"},
        "latency_budget": {"write_p50": "10ms", "write_p99": "150ms", "read_p50": "5ms", "read_p99": "50ms"},
        "regions": ["dc:frankfurt-1", "aws:eu-central-1"], "clients": ["aws:eu-central-1"],
        "technology": "postgresql", "capacity": 2,
        "deployment": {
            "pattern": "quorum", "replication": "sync", "on_sync_standby_loss": "block",
            "replicas": [{"region": "dc:frankfurt-1", "az": 1, "role": "replica", "count": 2, "sync": True},
                         {"region": "aws:eu-central-1", "az": "a", "role": "replica", "count": 1}],
            "quorum": {"write": 2, "read": 2, "scope": "global", "read_scope": "global"},
            "conflict_resolution": "lww",
            "failover": {"automatic": True, "detection": "10s", "promotion": "10s", "redirect": "15s", "fencing": True},
            "backups": {"interval": "4h", "retention": "30d", "offsite": "aws:eu-central-1"},
            "replication_lag": {"p50": "100ms", "p99": "1s"},
        },
        "depends_on": [],
        "ignore": [{"rule": "RP101", "reason": "accepted for the test", "expires": "2099-01-31"}],
        "assumptions": {"availability": {"node": "99.9%", "az": "99.95%", "region": "99.99%", "provider": "99.999%"}},
    }],
}
"""A valid file that writes every key of spec v1 (a test checks that against the schema)."""


def renamed(document: dict[str, Any], tag: str) -> dict[str, Any]:
    """`document` with its service and site names made unique by `tag`, so that many such files load in one run."""
    text = json.dumps(document)
    for site in document.get("sites", []):
        text = text.replace(json.dumps(site["name"]), json.dumps(f"{site['name']}-{tag}"))
    result: dict[str, Any] = json.loads(text)
    for service in result.get("services", []):
        service["name"] = f"{service['name']}-{tag}"
    return result


# --- the schema's numeric fields ------------------------------------------------------------------

Path_ = tuple[Any, ...]
_UNIT_PATTERNS = {"ms|s|min": "duration", "/": "rate", "KiB": "size", "%": "fraction"}
_KIND_ORDER = ["duration", "rate", "size", "fraction", "number", "integer"]


def _resolved(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _kind(schema: dict[str, Any]) -> str | None:
    pattern = schema.get("pattern", "")
    for marker, kind in _UNIT_PATTERNS.items():
        if pattern and marker in pattern:
            return kind
    return {"number": "number", "integer": "integer"}.get(schema.get("type", ""))


def _leaves(schema: dict[str, Any], root: dict[str, Any], path: Path_, value: Any) -> Iterator[tuple[Path_, str]]:
    schema = _resolved(schema, root)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            for arm in schema[combinator]:
                yield from _leaves(arm, root, path, value)
            return
    if "properties" in schema:
        for key, inner in schema["properties"].items():
            yield from _leaves(inner, root, path + (key,), value.get(key) if isinstance(value, dict) else None)
    elif "items" in schema:
        yield from _leaves(schema["items"], root, path + (0,), value[0] if isinstance(value, list) and value else None)
    elif "patternProperties" in schema or "additionalProperties" in schema and isinstance(schema["additionalProperties"], dict):
        key = next(iter(value)) if isinstance(value, dict) and value else "aws:eu-central-1"
        for inner in [*schema.get("patternProperties", {}).values(), schema.get("additionalProperties")]:
            if isinstance(inner, dict):
                yield from _leaves(inner, root, path + (key,), None)
    elif (kind := _kind(schema)) is not None:
        yield path, kind


def numeric_fields(document: dict[str, Any] = FULL) -> dict[Path_, str]:
    """Every place of a spec file that takes a number, a duration, a rate, a size or a percentage, read
    from `redplan schema` (a field added to the models is covered without touching the tests), with the
    path that `document` gives it (list items at index 0) and its kind."""
    schema = spec_json_schema()
    found: dict[Path_, str] = {}
    for path, kind in _leaves(schema, schema, (), document):
        if path not in found or _KIND_ORDER.index(kind) < _KIND_ORDER.index(found[path]):
            found[path] = kind
    return found


def set_at(document: dict[str, Any], path: Path_, value: Any) -> dict[str, Any]:
    """A deep copy of `document` with `value` at `path`, making the mappings and lists on the way."""
    result = copy.deepcopy(document)
    node: Any = result
    for step, after in zip(path, path[1:]):
        if isinstance(node, list):
            while len(node) <= step:
                node.append({} if not isinstance(after, int) else [])
            node = node[step]
        else:
            node = node.setdefault(step, [] if isinstance(after, int) else {})
    node[path[-1]] = value
    return result


# --- runs in a bounded child process -------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    args: list[str]
    exit_code: int
    stdout: str
    stderr: str
    crash: str | None  # the traceback of an exception that escaped, if one did
    seconds: float


_DRIVER = """
import json, sys, time, traceback
from typer.testing import CliRunner
from redplan.cli import app

runner = CliRunner()
answers = []
for args in json.loads(sys.stdin.read()):
    start = time.perf_counter()
    result = runner.invoke(app, args, catch_exceptions=True)
    error = result.exception
    crash = None if error is None or isinstance(error, SystemExit) else "".join(traceback.format_exception(error))
    answers.append({"args": args, "exit_code": result.exit_code, "stdout": result.stdout, "stderr": result.stderr,
                    "crash": crash, "seconds": time.perf_counter() - start})
json.dump(answers, sys.stdout)
"""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


# OpenBLAS reserves address space for a buffer per core when numpy loads: on a many-core runner that alone
# could hit MEMORY_LIMIT, which is meant for what redplan does with its input.
_ENVIRONMENT = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def bounded_process(args: list[str], *, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`python -m redplan ARGS` as a user runs it, in at most MEMORY_LIMIT and `timeout` seconds."""
    return subprocess.run([sys.executable, "-m", "redplan", *args], capture_output=True, text=True, timeout=timeout,
                          preexec_fn=_limit_memory, cwd=cwd, env=_ENVIRONMENT)


def run_contained(runs: list[list[str]], *, timeout: float = 120) -> list[Outcome]:
    """Each run's outcome, all run one after another in a single child process (one start-up for all) whose
    address space is bounded by MEMORY_LIMIT; an exception escaping a command is reported, not fatal."""
    completed = subprocess.run([sys.executable, "-c", _DRIVER], input=json.dumps(runs), capture_output=True, text=True,
                               timeout=timeout, preexec_fn=_limit_memory, env=_ENVIRONMENT)
    assert completed.returncode == 0, f"the child process died:\n{completed.stderr[-4000:]}"
    return [Outcome(**answer) for answer in json.loads(completed.stdout)]


def _strict_json(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")
    return json.loads(text, parse_constant=refuse)


def assert_contract(args: list[str] | tuple[str, ...], exit_code: int, stdout: str, stderr: str, crash: str | None = None) -> None:
    """What every run must give, whatever the input: no escaping exception or traceback, exit 0, 1 or 2,
    JSON (without NaN or Infinity) when JSON was asked for and the input was good, and for exit 2 a
    `file:line:col: message` for every problem (or the one-line complaint about a --fail value)."""
    shown = f"redplan {' '.join(args)}"
    assert crash is None, f"{shown} raised:\n{crash}"
    assert "Traceback" not in stdout + stderr, f"{shown} printed a traceback:\n{stderr[-3000:]}"
    assert exit_code in (0, 1, 2), f"{shown} exited {exit_code}:\n{stderr[-3000:]}"
    if exit_code in (0, 1):
        if "json" in args:
            _strict_json(stdout)
        return
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines, f"{shown} exited 2 and said nothing"
    if lines[0].startswith("--fail"):
        assert len(lines) == 1, stderr
        return
    assert SUMMARY.match(lines[-1]), f"{shown}: no summary line:\n{stderr[-3000:]}"
    unlocated = [line for line in lines[:-1] if not LOCATED.match(line)]
    assert not unlocated, f"{shown}: errors without file:line:col:\n" + "\n".join(unlocated[:20])


def check(outcome: Outcome) -> None:
    assert_contract(outcome.args, outcome.exit_code, outcome.stdout, outcome.stderr, outcome.crash)


def check_process(args: list[str], completed: subprocess.CompletedProcess[str]) -> None:
    assert_contract(args, completed.returncode, completed.stdout, completed.stderr)


def first_errors(stderr: str) -> dict[str, str]:
    """The first error reported for each file: {file: 'line:col: message'}."""
    first: dict[str, str] = {}
    for line in stderr.splitlines():
        match = LOCATED.match(line)
        if match:
            first.setdefault(match["file"], line[len(match["file"]) + 1:])
    return first
