"""Availability through the CLI: estimates in the JSON, the service's own assumptions, and recommend
rejecting designs that miss the target."""

from __future__ import annotations

import json

import pytest

SERVICE = """version: 1
services:
  - name: db
    state: stateful
    objectives: {{rto: 1d, rpo: 1d{target}}}
    regions: [aws:us-east-1, aws:us-west-2]
{extra}    deployment:
      pattern: active-passive
      replication: async
      replicas:
        - {{region: aws:us-east-1, az: a, role: primary}}
        - {{region: aws:us-east-1, az: b, role: standby}}
"""


def run_json(redplan, tmp_path, command: str, target: str = "", extra: str = "") -> dict:
    path = tmp_path / "db.yaml"
    path.write_text(SERVICE.format(target=target, extra=extra), encoding="utf-8")
    result = redplan(command, str(path), "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)["services"][0]


def test_the_declared_design_is_estimated_with_its_parts(redplan, tmp_path):
    estimates = run_json(redplan, tmp_path, "audit")["assessment"]["estimates"]
    # two zones of one region: (1 - (1 - 0.9995²)²) × 0.99995 × 0.99999, less the failovers (2m, generic
    # timings) at each outage of the primary's node or zone: (0.0005/1800 + 0.0005/7200) × 120
    quorum = (1 - (1 - 0.9995**2) ** 2) * 0.99995 * 0.99999
    failovers = (0.0005 / 1800 + 0.0005 / 7200) * 120
    assert estimates["availability"] == pytest.approx(quorum - failovers, abs=1e-9)
    assert estimates["read_availability"] == pytest.approx(quorum, abs=1e-9)  # reads need no failover
    parts = {part["item"]: part["value"] for part in estimates["availability_parts"]}
    assert parts == pytest.approx({"too few replicas up": (1 - quorum) * 31_557_600, "failovers": failovers * 31_557_600}, abs=0.1)


def test_the_service_can_state_its_own_assumptions(redplan, tmp_path):
    own = "    assumptions: {availability: {region: 99.9999%, az: 99.99%}}\n"
    estimates = run_json(redplan, tmp_path, "audit", extra=own)["assessment"]["estimates"]
    quorum = (1 - (1 - 0.9995 * 0.9999) ** 2) * 0.999999 * 0.99999
    assert estimates["read_availability"] == pytest.approx(quorum, abs=1e-9)
    recommendation = run_json(redplan, tmp_path, "recommend", extra=own)["recommendation"]
    line = next(note for note in recommendation["assumptions"] if note.startswith("availability assumed"))
    assert "zone 99.99% (this service's own)" in line and "region 99.9999% (this service's own)" in line and "node 99.95%," in line


def test_recommend_rejects_designs_below_the_target_and_says_how_far_off(redplan, tmp_path):
    loose = run_json(redplan, tmp_path, "recommend")["recommendation"]
    strict = run_json(redplan, tmp_path, "recommend", target=", availability: 99.995%")
    assert loose["kind"] == "backup-restore"  # no availability target: the cheapest design will do
    chosen = strict["recommendation"]
    assert chosen["estimates"]["availability"] >= 0.99995
    assert {key: chosen["checks"][-1][key] for key in ("objective", "target", "met")} == {"objective": "availability", "target": "99.995%", "met": True}
    backup = next(item for item in chosen["rejected"] if item["pattern"] == "backup-restore")
    assert any(reason.startswith("availability 99.995% not met (gets 99.89%)") for reason in backup["reasons"])
    thresholds = chosen["availability_thresholds"]
    assert set(thresholds) == {"node", "az", "region", "provider"} and all(value is None or value < 0.99999 for value in thresholds.values())


CHAIN = """version: 1
services:
  - name: web
    state: stateless
    objectives: {rto: 1m, availability: 99.9%}
    regions: [aws:us-east-1]
    depends_on: [api]
  - name: api
    state: stateless
    objectives: {rto: 1m, availability: 99.9%}
    regions: [aws:us-east-1]
    depends_on: [db, web]
  - name: db
    state: stateful
    objectives: {rto: 1d, rpo: 1d, availability: 99.9%}
    regions: [aws:eu-west-1]
"""


def test_availability_with_dependencies_is_the_product_along_the_chain(redplan, tmp_path):
    """web → api → db (and api → web, a cycle that must not loop): web's writes need all three up."""
    path = tmp_path / "chain.yaml"
    path.write_text(CHAIN, encoding="utf-8")
    services = {service["name"]: service["recommendation"] for service in json.loads(redplan("recommend", str(path), "--format", "json").stdout)["services"]}
    own = {name: recommendation["estimates"]["availability"] for name, recommendation in services.items()}
    web = services["web"]["availability_with_dependencies"]
    assert web["item"] == "with its dependencies"
    assert web["value"] == pytest.approx(own["web"] * own["api"] * own["db"], abs=1e-9)
    assert "in series with api, db" in web["basis"] and "they share aws:us-east-1" in web["basis"]
    assert services["db"]["availability_with_dependencies"] is None  # depends on nothing
    assert services["api"]["availability_with_dependencies"]["value"] == pytest.approx(own["api"] * own["db"] * own["web"], abs=1e-9)


def test_the_text_report_gives_nines_downtime_causes_and_margins(redplan):
    from support import EXAMPLES

    result = redplan("recommend", str(EXAMPLES / "order-database.yaml"))
    text = " ".join(result.stdout.split())  # rich wraps lines at the terminal width
    assert "writes 99.993%, 4.2 nines (36m 47s down a year, 3m 4s a month)" in text
    assert "= too few replicas up 33m 8s + failovers 3m 39s" in text
    assert "the availability target 99.95% holds as long as each of these holds with the others as assumed: nodes up" in text
    assert "availability assumed per failure domain, each independent: node 99.95%, zone 99.95%, region 99.995%, provider 99.999%" in text
