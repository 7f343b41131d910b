"""The published tolerance tables, reproduced through the public JSON output (DESIGN.md §4).

tests/analysis/test_quorum.py checks the tolerance math directly; this checks the whole path a user
takes: a spec v1 service file declaring a `deployment:`, `redplan recommend FILE --format json`
(run as a subprocess, as CI scripts run it), and the figures under `services[i].assessment`.

The cases are data, in tests/engine/published/:

* one service file per table (etcd.yaml, mongodb.yaml, aurora.yaml, cockroachdb.yaml, spanner.yaml,
  cassandra.yaml), each a valid spec v1 file whose comments cite the source of its layouts;
* expected.yaml, mapping each service name to the published figures (and the hand derivation of
  every redplan field asserted), with `gaps:` for published figures redplan does not reproduce.
  Each gap runs as a strict xfail: it must keep failing until the gap is closed.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PUBLISHED = Path(__file__).resolve().parent / "published"
EXPECTED_FILE = PUBLISHED / "expected.yaml"
CASE_FILES = sorted(path for path in PUBLISHED.glob("*.yaml") if path != EXPECTED_FILE)

TOLERANCE_FIELDS = ("nodes", "azs", "regions", "providers", "nodes_after_az_loss", "nodes_after_region_loss")
PROPERTIES = ("write", "read", "durability")
FLAGS = ("consistent_reads", "conflicting_writes")
EXPECTATION_KEYS = frozenset({*PROPERTIES, *FLAGS})


def _load(path: Path):
    with path.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


EXPECTED: dict[str, dict] = _load(EXPECTED_FILE)
SERVICES: dict[str, Path] = {}  # service name -> the case file that declares it
DUPLICATES: list[str] = []
for _case in CASE_FILES:
    for _service in _load(_case)["services"]:
        if _service["name"] in SERVICES:
            DUPLICATES.append(_service["name"])
        SERVICES[_service["name"]] = _case


def _redplan(*args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "REDPLAN_CATALOG_DIR"}  # the shipped catalogs
    return subprocess.run(
        [sys.executable, "-m", "redplan", *args], capture_output=True, text=True, cwd=REPO, env=env, timeout=300
    )


@functools.cache
def _assessments(case: Path) -> dict[str, dict]:
    """service name -> services[i].assessment of `redplan recommend CASE --format json`."""
    run = _redplan("recommend", str(case), "--format", "json")
    # 0: every service has a recommendation; 1: some has none that meets every objective (these
    # files state no objectives worth meeting; only the assessment of the declared deployment matters)
    assert run.returncode in (0, 1), f"exit {run.returncode}\n{run.stderr}"
    report = json.loads(run.stdout)
    assert report["schema_version"] == 1
    names = [service["name"] for service in report["services"]]
    assert len(names) == len(set(names)), f"duplicate service names in the report: {names}"
    return {service["name"]: service["assessment"] for service in report["services"]}


def _as_fields(expected) -> dict[str, int]:
    """[nodes, azs, regions, providers, after_az, after_region] or a partial {field: value} mapping."""
    if isinstance(expected, list):
        assert len(expected) == len(TOLERANCE_FIELDS), f"a full tolerance has 6 figures, not {expected}"
        return dict(zip(TOLERANCE_FIELDS, expected))
    unknown = set(expected) - set(TOLERANCE_FIELDS)
    assert not unknown, f"unknown tolerance fields {sorted(unknown)} in expected.yaml"
    return dict(expected)


def _mismatches(assessment: dict, expected: dict) -> list[str]:
    unknown = set(expected) - EXPECTATION_KEYS
    assert not unknown, f"unknown keys {sorted(unknown)} in expected.yaml"
    assert expected, "an expectation with no figures checks nothing"
    found = []
    for prop in PROPERTIES:
        for field, want in _as_fields(expected.get(prop, {})).items():
            got = assessment["tolerance"][prop][field]
            if got != want:
                found.append(f"tolerance.{prop}.{field}: published {want}, redplan {got}")
    for flag in FLAGS:
        if flag in expected and assessment[flag] is not expected[flag]:
            found.append(f"{flag}: published {expected[flag]}, redplan {assessment[flag]}")
    return found


def _cases():
    for name, entry in EXPECTED.items():
        figures = {key: value for key, value in entry.items() if key not in ("source", "gaps")}
        yield pytest.param(name, entry["source"], figures, id=name)
        for number, gap in enumerate(entry.get("gaps", []), start=1):
            reason = " ".join(gap["reason"].split())
            figures = {key: value for key, value in gap.items() if key != "reason"}
            mark = pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)
            yield pytest.param(name, entry["source"], figures, id=f"{name}-gap{number}", marks=mark)


# --- the data itself ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASE_FILES, ids=lambda path: path.name)
def test_case_files_are_valid_spec_v1(case):
    run = _redplan("validate", str(case))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("ok: 1 file, "), run.stdout


def test_every_case_has_expectations_and_every_expectation_a_case():
    assert CASE_FILES, "no case files in tests/engine/published/"
    assert not DUPLICATES, f"service names must be unique across the case files: {DUPLICATES}"
    assert sorted(set(SERVICES) - set(EXPECTED)) == [], "services without expected figures"
    assert sorted(set(EXPECTED) - set(SERVICES)) == [], "expected figures for services no case file declares"
    for name, entry in EXPECTED.items():
        assert entry.get("source"), f"{name}: every expectation cites its source"


def test_every_service_has_an_assessment_of_its_declared_deployment():
    for case in CASE_FILES:
        for name, assessment in _assessments(case).items():
            assert assessment is not None, f"{case.name}: {name} declares a deployment but has no assessment"


# --- the published figures ------------------------------------------------------------------------


@pytest.mark.parametrize(("service", "source", "expected"), list(_cases()))
def test_published_figures(service, source, expected):
    assessment = _assessments(SERVICES[service])[service]
    found = _mismatches(assessment, expected)
    assert not found, f"{service} ({SERVICES[service].name}) vs {source}:\n  " + "\n  ".join(found)
