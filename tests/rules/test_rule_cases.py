"""Every rule against its case file: failing specs must give the finding at the line, with the numbers;
passing specs must give none. Case files: tests/rules/cases/RPxxx.yaml."""

from __future__ import annotations

import datetime
import inspect
import json
import sys
from pathlib import Path

import pytest
import yaml

from redplan.catalog import load_catalog
from redplan.engine.audit import audit_fleet
from redplan.rules.registry import RULES
from redplan.spec.loader import load_fleet

CASES = Path(__file__).parent / "cases"
TODAY = datetime.date(2026, 11, 25)


def load_cases():
    for path in sorted(CASES.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in document["cases"]:
            yield pytest.param(document["rule"], case, id=f"{path.stem}-{case['name']}")


def findings_of(rule: str, spec: str, tmp_path: Path):
    path = tmp_path / "case.yaml"
    path.write_text(spec, encoding="utf-8")
    report = audit_fleet(load_fleet([str(path)], load_catalog()), today=TODAY)
    return [finding for service in report.services for finding in service.findings if finding.rule == rule]


@pytest.mark.parametrize(("rule", "case"), list(load_cases()))
def test_rule_case(rule, case, tmp_path):
    found = findings_of(rule, case["spec"], tmp_path)
    expected = case.get("expect") or []
    assert len(found) == len(expected), [f"{finding.line}:{finding.column} {finding.message}" for finding in found]
    for finding, expectation in zip(found, expected):
        assert finding.line == expectation["line"], finding
        for fragment in expectation.get("message", []):
            assert fragment in finding.message, finding.message


def test_every_rule_has_cases_that_pass_and_fail():
    documented = {path.stem for path in CASES.glob("*.yaml")}
    assert documented == {rule.code for rule in RULES}
    for path in CASES.glob("*.yaml"):
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
        assert any(case.get("expect") for case in cases) and any(not case.get("expect") for case in cases), path.name


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_every_rule_is_documented(rule):
    assert rule.__doc__ and "Failing::" in rule.__doc__ and "Passing::" in rule.__doc__
    assert rule.__doc__.startswith(f"{rule.code} {rule.name}:")
    assert rule.severity in ("error", "warning", "info")


def test_the_broken_designs_trigger_every_rule_through_the_cli(redplan, tmp_path):
    """Every failing case, audited as a user would run it, and between them every rule fires."""
    fired: set[str] = set()
    for index, (rule, case) in enumerate(param.values for param in load_cases()):
        if not case.get("expect"):
            continue
        path = tmp_path / f"case-{index:03d}.yaml"
        path.write_text(case["spec"], encoding="utf-8")
        result = redplan("audit", str(path), "--format", "json", "--fail-on", "info")
        assert result.exit_code == 1, (rule, case["name"], result.stderr)
        fired |= {finding["rule"] for service in json.loads(result.stdout)["services"] for finding in service["findings"]}
    assert {rule.code for rule in RULES} <= fired


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_only_rules_that_read_the_service_graph_are_fleet_wide(rule):
    """Workers auditing a share of the files run the other rules; a rule that reads other services
    must be marked, or it would see only the services of its share."""
    source = inspect.getsource(sys.modules[type(rule).__module__])
    reads_graph = "service_graph(" in source or "per_fleet(" in source
    assert rule.fleet_wide == reads_graph
    if rule.fleet_wide:
        assert ".evaluation" not in source and ".design" not in source  # they are run without the service's design and estimates
