"""Recommend picks patterns by computing, not by table: the standard RTO/RPO rows fall out of the numbers."""

from __future__ import annotations

import json

import pytest
from support import EXAMPLES

from redplan.catalog import load_catalog
from redplan.engine.recommend import recommend_service
from redplan.spec.loader import load_fleet


def recommend_json(redplan, *paths):
    result = redplan("recommend", "--format", "json", *map(str, paths))
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


# The RTO/RPO-to-pattern table of the foundation issue, one example service per row.
@pytest.mark.parametrize(
    ("example", "pattern", "replication"),
    [
        ("payments-ledger.yaml", "active-active", "sync"),  # RTO zero, RPO zero
        ("order-database.yaml", "active-passive", "sync"),  # RTO seconds, RPO zero
        ("saas-app-database.yaml", "active-passive", "async"),  # RTO minutes, RPO seconds to minutes
        ("dev-archive.yaml", "backup-restore", "none"),  # RTO hours, RPO hours
    ],
)
def test_table_rows_fall_out_of_the_estimates(redplan, example, pattern, replication):
    (service,) = recommend_json(redplan, EXAMPLES / example)["services"]
    recommendation = service["recommendation"]
    assert (recommendation["pattern"], recommendation["replication"]) == (pattern, replication)
    assert all(check["met"] for check in recommendation["checks"])


def test_every_example_gets_a_report(redplan):
    result = redplan("recommend", str(EXAMPLES))
    assert result.exit_code == 0, result.stdout
    assert "13 services: every one has a design that meets its objectives" in result.stdout


def test_other_patterns_for_other_needs(redplan):
    services = {service["name"]: service["recommendation"] for service in recommend_json(redplan, EXAMPLES)["services"]}
    assert services["web-frontend"]["pattern"] == "n-plus-1"
    assert services["shopping-cart"]["kind"] == "active-active (async, crdt)"  # a set: CRDT, not LWW
    assert services["user-profiles"]["pattern"] == "quorum"


def write_service(tmp_path, objectives: str, extra: str = "") -> str:
    path = tmp_path / "svc.yaml"
    path.write_text(
        f"""version: 1
services:
  - name: db
    state: stateful
    objectives: {objectives}
    consistency: strong
    data: {{kind: document, write_rate: 100/s, write_size: 1KiB, size: 50GiB}}
    regions: [aws:us-east-1, aws:us-east-2, aws:us-west-2]
    clients: [aws:us-east-1]
{extra}""",
        encoding="utf-8",
    )
    return str(path)


def recommend_one(path):
    fleet = load_fleet([path], load_catalog())
    return recommend_service(fleet.services[0], fleet.catalog)


def test_loosening_the_rpo_drops_synchronous_replication(tmp_path):
    strict = recommend_one(write_service(tmp_path, "{rto: 5m, rpo: 0s, survive: [node, az]}")).recommendation
    loose = recommend_one(write_service(tmp_path, "{rto: 5m, rpo: 5m, survive: [node, az]}")).recommendation
    assert strict.replication == "sync" and loose.replication == "async"
    assert loose.estimates.monthly_cost_usd < strict.estimates.monthly_cost_usd


def test_region_survival_moves_replicas_out_of_the_region(tmp_path):
    local = recommend_one(write_service(tmp_path, "{rto: 5m, rpo: 5m, survive: [node, az]}")).recommendation
    regional = recommend_one(write_service(tmp_path, "{rto: 5m, rpo: 5m, survive: [node, az, region]}")).recommendation
    assert len({replica.region for replica in local.placement}) == 1
    assert len({replica.region for replica in regional.placement}) >= 2


def test_latency_budget_rejects_cross_region_consensus(tmp_path):
    extra = "    latency_budget: {write_p99: 5ms}\n"
    result = recommend_one(write_service(tmp_path, "{rto: 0s, rpo: 0s, survive: [node, az, region]}", extra))
    assert result.recommendation is None
    reasons = " ".join(reason for item in result.unmet for reason in item.reasons)
    assert "latency write p99 ≤ 5 ms not met" in reasons


def test_impossible_objectives_exit_1_with_the_closest_designs(redplan, tmp_path):
    path = tmp_path / "one-region.yaml"
    path.write_text(
        "version: 1\nservices:\n  - name: db\n    state: stateful\n"
        "    objectives: {rto: 0s, rpo: 0s, survive: [region]}\n    regions: [aws:us-east-1]\n",
        encoding="utf-8",
    )
    result = redplan("recommend", str(path))
    assert result.exit_code == 1
    assert "no design meets every objective" in result.stdout
    report = recommend_json(redplan, path)
    assert report["services"][0]["recommendation"] is None and report["services"][0]["unmet"]
    assert report["summary"]["unmet"] == 1


def test_lww_is_never_recommended_for_a_ledger(tmp_path):
    extra = "    data: {kind: ledger}\n"
    path = tmp_path / "ledger.yaml"
    path.write_text(
        "version: 1\nservices:\n  - name: ledger\n    state: stateful\n    consistency: eventual\n"
        "    objectives: {rto: 0s, rpo: 1m, survive: [node, az, region]}\n"
        f"    regions: [aws:us-east-1, aws:eu-west-1]\n{extra}",
        encoding="utf-8",
    )
    result = recommend_one(str(path))
    assert result.recommendation is None or "LWW" not in result.recommendation.kind
    lww = [item for item in (result.recommendation.rejected if result.recommendation else result.unmet) if "LWW" in item.pattern]
    assert lww and any("silently discards concurrent writes to a ledger" in reason for item in lww for reason in item.reasons)


def test_json_contract_names(redplan):
    report = recommend_json(redplan, EXAMPLES / "payments-ledger.yaml")
    assert report["schema_version"] == 1 and report["tool"]["name"] == "redplan"
    (service,) = report["services"]
    assert {"name", "file", "line", "assessment", "recommendation", "findings"} <= set(service)
    tolerance = service["recommendation"]["assessment"]["tolerance"]
    assert set(tolerance) == {"write", "read", "durability"}
    assert set(tolerance["write"]) >= {"nodes", "azs", "regions", "nodes_after_az_loss", "nodes_after_region_loss"}
    estimates = service["recommendation"]["estimates"]
    assert {"rto_s", "rpo_s", "write_latency_ms", "monthly_cost_usd"} <= set(estimates)


def test_output_is_byte_identical_across_runs(redplan):
    first = redplan("recommend", "--format", "json", str(EXAMPLES)).stdout
    assert first == redplan("recommend", "--format", "json", str(EXAMPLES)).stdout


def test_markdown_for_pull_requests(redplan):
    result = redplan("recommend", "--format", "markdown", str(EXAMPLES / "order-database.yaml"))
    assert result.stdout.startswith("# redplan recommendations")
    assert "| ✅ rpo | 0s | 0s |" in result.stdout


def test_without_regions_replicas_go_near_the_clients(tmp_path):
    path = tmp_path / "svc.yaml"
    path.write_text(
        "version: 1\nservices:\n  - name: db\n    state: stateful\n"
        "    objectives: {rto: 5m, rpo: 1m, survive: [node, az, region]}\n    clients: [gcp:europe-west1]\n",
        encoding="utf-8",
    )
    recommendation = recommend_one(str(path)).recommendation
    regions = {replica.region for replica in recommendation.placement}
    assert "gcp:europe-west1" in regions and len(regions) == 2
    assert all(region.startswith("gcp:europe-") for region in regions)


def test_report_fits_a_narrow_terminal(redplan, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    result = redplan("recommend", str(EXAMPLES / "payments-ledger.yaml"))
    assert result.exit_code == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= 60
    assert "\x1b[" not in result.stdout  # not a terminal: no colour codes


def test_a_service_with_nowhere_to_run_says_so(tmp_path):
    path = tmp_path / "svc.yaml"
    path.write_text("version: 1\nservices:\n  - name: db\n    state: stateful\n    objectives: {rto: 1h}\n", encoding="utf-8")
    result = recommend_one(str(path))
    assert result.recommendation is None
    assert result.unmet[0].reasons == ["the service lists no regions or clients: there is nowhere to place replicas"]


def test_counted_replicas_are_separate_replies(redplan, tmp_path):
    """`count: 3` in one zone is three replicas answering, exactly as three lines would be."""
    def assessment(replicas: str) -> dict:
        path = tmp_path / "kv.yaml"
        path.write_text(
            "version: 1\nservices:\n  - name: kv\n    state: stateful\n    regions: [aws:us-east-1, aws:eu-west-1]\n"
            "    clients: [aws:us-east-1]\n    deployment:\n      pattern: quorum\n      replicas:\n"
            f"{replicas}      quorum: {{write: 4, read: 2}}\n",
            encoding="utf-8",
        )
        return recommend_json(redplan, path)["services"][0]["assessment"]

    counted = assessment("        - {region: aws:us-east-1, az: a, count: 3}\n        - {region: aws:eu-west-1, az: a, count: 2}\n")
    listed = assessment("".join(f"        - {{region: {region}, az: a}}\n" for region in ["aws:us-east-1"] * 3 + ["aws:eu-west-1"] * 2))
    assert counted["estimates"]["write_latency_ms"] == listed["estimates"]["write_latency_ms"]
    assert "4th fastest of 5" in counted["estimates"]["write_latency_ms"]["basis"]


def test_misses_rpo_says_what_the_rpo_check_of_evaluate_says():
    """The search drops candidates on `misses_rpo` before evaluating them, so it must agree with `evaluate`."""
    from redplan.engine import recommend
    from redplan.engine.evaluate import Context, evaluate, misses_rpo

    fleet = load_fleet([str(EXAMPLES)], load_catalog())
    verdicts = []
    for loaded in fleet.services:
        context = Context(loaded.spec, fleet.catalog)
        for design in recommend._designs_for(context)[1]:
            missed = any(check.objective == "rpo" and not check.met for check in evaluate(design, context).checks)
            assert misses_rpo(design, context) == missed, (loaded.name, design.kind)
            verdicts.append(missed)
    assert True in verdicts and False in verdicts


def test_candidates_that_share_a_remembered_bill_each_cost_what_design_cost_says():
    """remembered_cost keys a bill by what the bill reads (the backup interval, sync or async standbys and
    zones within a region do not change it): every candidate must still get its own design_cost."""
    from redplan.engine import recommend
    from redplan.engine.evaluate import Context, design_cost, remembered_cost

    fleet = load_fleet([str(EXAMPLES)], load_catalog())
    designs = bills = 0
    for loaded in fleet.services:
        context = Context(loaded.spec, fleet.catalog)
        candidates = recommend._designs_for(context)[0]
        for design in candidates:
            assert remembered_cost(design, context) == design_cost(design, context), (loaded.name, design.kind)
        designs += len(candidates)
        bills += len({id(remembered_cost(design, context)) for design in candidates})
    assert bills < designs / 2


def test_cheapest_design_below_agrees_with_evaluating_every_candidate():
    """The lazy, remembered search (RP402's) against brute force: every allowed candidate evaluated, the
    cheapest that meets every objective taken (ties to the earlier candidate), for several ceilings."""
    from redplan.engine import recommend
    from redplan.engine.evaluate import Context, evaluate

    fleet = load_fleet([str(EXAMPLES)], load_catalog())
    compared = 0
    for loaded in fleet.services:
        context = Context(loaded.spec, fleet.catalog)
        _, allowed, _ = recommend._designs_for(context)
        feasible = [(evaluation.cost.total, index, evaluation) for index, design in enumerate(allowed)
                    if (evaluation := evaluate(design, context)).feasible]
        cheapest = min(feasible, key=lambda item: item[:2], default=None)
        ceilings = [1.0, 1e9] + ([cheapest[0], cheapest[0] * 1.0001] if cheapest else [])
        for fresh in (True, False):  # a new search for each ceiling, then one search remembered across them
            for ceiling in ceilings:
                if fresh:
                    recommend._MEMO.clear()
                found = recommend.cheapest_design_below(loaded.spec, fleet.catalog, ceiling)
                expected = cheapest[2] if cheapest and cheapest[0] < ceiling else None
                assert (found and found.design) == (expected and expected.design), (loaded.name, ceiling, fresh)
                compared += 1
    assert compared >= 8 * len(fleet.services) - 16
