"""`redplan simulate`: what a failure scenario does to each declared deployment, the worst-case search,
the --fail grammar and its errors, dependency chains, and the exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from support import EXAMPLES
from test_startup import PROBE

from redplan.catalog import load_catalog
from redplan.engine.declared import UNKNOWN_ZONE
from redplan.engine.simulate import plan_failures, simulate_fleet
from redplan.spec.loader import load_fleet


def _json(redplan, *args: str) -> dict:
    result = redplan("simulate", *args, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def _outcomes(report: dict) -> dict[str, dict]:
    return {service["name"]: service["after_failure"] for service in report["services"] if service["after_failure"]}


def _spec(tmp_path, text: str) -> str:
    path = tmp_path / "services.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


# --- (a) a home region of the examples --------------------------------------------------------


@pytest.mark.parametrize(("region", "lose_writes"), [
    # azure:eastus is shop-platform's home. order-store has both replicas there: it loses writes.
    # shopping-cart keeps a primary in azure:westus2 (multi-primary, CRDT) and storefront keeps 6 of
    # its 12 instances (capacity 2 by default): both still serve, and are only hit through depends_on.
    ("azure:eastus", ["order-store"]),
    # aws:us-west-2 holds all of web-frontend's instances; payments-ledger loses 1 of 5 voters there
    # (a majority of 3 remains) and nothing else has a replica in it.
    ("aws:us-west-2", ["web-frontend"]),
    # aws:us-east-1: payments-ledger keeps 3 of 5 voters; user-profiles writes LOCAL_QUORUM and
    # eu-west-1 still forms one. Nothing loses writes.
    ("aws:us-east-1", []),
])
def test_a_home_region_names_exactly_the_services_that_lose_writes(redplan, region, lose_writes):
    report = _json(redplan, str(EXAMPLES), "--fail", f"region:{region}")
    assert report["scenario"] == [f"region:{region}"]
    assert sorted(name for name, outcome in _outcomes(report).items() if not outcome["writes"]) == lose_writes


def test_dependants_of_the_lost_service_are_hit_with_their_path(redplan):
    outcomes = _outcomes(_json(redplan, str(EXAMPLES), "--fail", "region:azure:eastus"))
    assert outcomes["shopping-cart"]["via"] == ["order-store"]
    assert outcomes["storefront"]["via"] == ["shopping-cart", "order-store"]
    assert outcomes["storefront"]["writes"] and not outcomes["storefront"]["data_loss"]  # instances hold no data
    # storefront must survive a region and everything it lost, down the chain, is in azure:eastus
    assert outcomes["storefront"]["breached"] == ["rto", "survive"]
    assert outcomes["order-store"]["breached"] == ["rpo", "rto"]  # survive: [node, az] promises nothing for a region


def test_a_provider_failure_stops_every_service_that_runs_only_there(redplan):
    outcomes = _outcomes(_json(redplan, str(EXAMPLES), "--fail", "provider:aws"))
    # these four have every replica in AWS; core-banking loses only its arbiter in aws:eu-central-1
    assert sorted(name for name, outcome in outcomes.items() if not outcome["writes"]) == [
        "dev-artifact-archive", "payments-ledger", "user-profiles", "web-frontend"]
    assert outcomes["core-banking"]["writes"] and outcomes["core-banking"]["replicas_down"] == 1


# --- (b) the worst-case search against brute force ---------------------------------------------


def _damage(report) -> tuple[int, int, int, int]:
    """The ranking key, counted here from the per-service results rather than taken from the summary."""
    outcomes = [service.after_failure for service in report.services if service.after_failure]
    return (-sum(not outcome.writes for outcome in outcomes), -sum(not outcome.reads for outcome in outcomes),
            -sum(outcome.data_loss for outcome in outcomes), -sum(bool(outcome.via) for outcome in outcomes))


@pytest.mark.parametrize("kind", ["region", "az"])
def test_the_worst_failure_agrees_with_trying_each_one(kind):
    fleet = load_fleet([str(EXAMPLES)], load_catalog())
    replicas = [replica for service in fleet.services if service.spec.deployment for replica in service.spec.deployment.replicas]
    used = {replica.region if kind == "region" else f"{replica.region}/{replica.az or UNKNOWN_ZONE}" for replica in replicas}
    brute = sorted((_damage(simulate_fleet(fleet, plan_failures([f"{kind}:{place}"], fleet))), f"{kind}:{place}") for place in used)
    searched = simulate_fleet(fleet, plan_failures([f"worst-{kind}"], fleet))
    assert searched.scenario == [brute[0][1]]
    assert [candidate.failure for candidate in searched.worst.ranking] == [failure for _, failure in brute]
    assert [candidate.damage.rank for candidate in searched.worst.ranking] == [damage for damage, _ in brute]
    assert _damage(searched) == brute[0][0]


def test_the_worst_region_of_the_examples(redplan):
    report = _json(redplan, str(EXAMPLES), "--fail", "worst-region")
    # order-store loses writes, reads and data; shopping-cart may lose data; two services are hit
    # through depends_on. Four other regions also stop one service, but lose less data and hit nobody.
    assert report["scenario"] == ["region:azure:eastus"]
    assert report["worst"]["ranking"][0] == {
        "failure": "region:azure:eastus", "damage": {"lose_writes": 1, "lose_reads": 1, "lose_data": 2, "dependants_hit": 2}}


def test_the_worst_failure_adds_to_the_fixed_ones(redplan):
    report = _json(redplan, str(EXAMPLES), "--fail", "worst-az", "--fail", "node:payments-ledger/1")
    chosen = report["worst"]["ranking"][0]["failure"]
    assert chosen.startswith("az:") and report["scenario"] == sorted([chosen, "node:payments-ledger/1"])


# --- (c) bad --fail values ---------------------------------------------------------------------


@pytest.mark.parametrize(("spec", "message"), [
    ("region:aws:us-east-9", "--fail region:aws:us-east-9: unknown region 'aws:us-east-9'; did you mean aws:us-east-1?"),
    ("zone:x", "--fail zone:x: unknown failure kind 'zone'; did you mean az?"),
    ("node:nosuch/1", "--fail node:nosuch/1: unknown service 'nosuch'"),
    ("node:paymets-ledger/1", "--fail node:paymets-ledger/1: unknown service 'paymets-ledger'; did you mean payments-ledger?"),
    ("node:payments-ledger/99", "--fail node:payments-ledger/99: payments-ledger has 5 replicas, numbered in the order "
                                "written with count expanded: use node:payments-ledger/1 to node:payments-ledger/5"),
    ("node:payments-ledger", "--fail node:payments-ledger: give the replica's number after a slash, e.g. node:payments-ledger/1"),
    ("node:reporting-cache/1", "--fail node:reporting-cache/1: reporting-cache declares no replicas, so it has no node to fail"),
    ("az:aws:us-east-1/z", "--fail az:aws:us-east-1/z: unknown zone 'z' in aws:us-east-1 (zones: a, b, c, d, e, f)"),
    ("az:aws:us-east-1", "--fail az:aws:us-east-1: name the zone after a slash, e.g. az:aws:us-east-1/a"),
    ("provider:awz", "--fail provider:awz: unknown provider 'awz'; did you mean aws?"),
    ("aws:us-east-1", "--fail aws:us-east-1: say what fails; did you mean region:aws:us-east-1?"),
    ("worst-regoin", "--fail worst-regoin: unknown failure kind 'worst-regoin'; did you mean worst-region?"),
    ("worst-region:aws", "--fail worst-region:aws: worst-region searches every domain of its kind"),
])
def test_a_bad_failure_is_one_line_and_exit_2(redplan, spec, message):
    result = redplan("simulate", str(EXAMPLES), "--fail", spec)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_one_worst_search_per_run(redplan):
    result = redplan("simulate", str(EXAMPLES), "--fail", "worst-az", "--fail", "worst-region")
    assert result.exit_code == 2 and "one worst-" in result.stderr


def test_a_region_no_one_uses_is_fine_and_says_so(redplan):
    result = redplan("simulate", str(EXAMPLES), "--fail", "region:aws:sa-east-1")
    assert result.exit_code == 0
    assert "region:aws:sa-east-1: no declared deployment has a replica there, so nothing is hit" in " ".join(result.stdout.split())


# --- (d) JSON -----------------------------------------------------------------------------------


def test_json_is_byte_identical_across_runs_and_file_orders(redplan):
    files = sorted(str(path) for path in EXAMPLES.glob("*.yaml"))
    outputs = {redplan("simulate", *order, "--fail", "worst-region", "--format", "json").stdout
               for order in (files, files, files[::-1], files[3:] + files[:3])}
    assert len(outputs) == 1
    report = json.loads(outputs.pop())
    assert report["schema_version"] == 1 and report["tool"]["name"] == "redplan"
    assert [service["name"] for service in report["services"]] == sorted(service["name"] for service in report["services"])
    skipped = {service["name"]: service["not_simulated"] for service in report["services"] if service["after_failure"] is None}
    assert skipped == {"clickstream-ingest": "declares no deployment", "reporting-cache": "declares no deployment"}
    assert {"writes", "reads", "data_loss", "breached", "via"} <= set(_outcomes(report)["order-store"])


# --- (e) dependency chains ----------------------------------------------------------------------

CHAIN = """\
    version: 1
    services:
      - name: a-web
        state: stateless
        capacity: 1
        objectives: {rto: 1m, survive: [node, az, region]}
        regions: [aws:us-west-2]
        depends_on: [b-api]
        deployment:
          pattern: n-plus-1
          replicas: [{region: aws:us-west-2, az: a, role: instance, count: 2}]
      - name: b-api
        state: stateless
        capacity: 1
        objectives: {rto: 1m, survive: [node, az]}
        regions: [aws:us-west-2]
        depends_on: [c-db]
        deployment:
          pattern: n-plus-1
          replicas: [{region: aws:us-west-2, az: a, role: instance, count: 2}]
      - name: c-db
        state: stateful
        objectives: {rto: 5m, rpo: 0s, survive: [node, az]}
        regions: [aws:us-east-1]
        deployment:
          pattern: active-passive
          replication: sync
          replicas:
            - {region: aws:us-east-1, az: a, role: primary}
            - {region: aws:us-east-1, az: b, role: standby}
    """


def test_a_chain_of_dependencies_is_hit_with_its_path(redplan, tmp_path):
    path = _spec(tmp_path, CHAIN)
    outcomes = _outcomes(_json(redplan, path, "--fail", "region:aws:us-east-1"))
    assert not outcomes["c-db"]["writes"] and outcomes["c-db"]["via"] == []
    assert outcomes["b-api"]["writes"] and outcomes["b-api"]["via"] == ["c-db"]
    assert outcomes["a-web"]["writes"] and outcomes["a-web"]["via"] == ["b-api", "c-db"]
    # a-web promised to survive a region, and all it lost (through the chain) is in aws:us-east-1
    assert outcomes["a-web"]["breached"] == ["rto", "survive"] and outcomes["b-api"]["breached"] == ["rto"]
    text = redplan("simulate", path, "--fail", "region:aws:us-east-1").stdout
    assert "hit through b-api → c-db" in text


def test_a_dependant_that_stops_itself_still_names_its_chain(redplan, tmp_path):
    outcomes = _outcomes(_json(redplan, _spec(tmp_path, CHAIN), "--fail", "region:aws:us-west-2"))
    assert not outcomes["a-web"]["writes"] and outcomes["a-web"]["via"] == ["b-api"]
    assert outcomes["c-db"]["writes"] and outcomes["b-api"]["via"] == []


# --- (f) stateless capacity ----------------------------------------------------------------------

STATELESS = """\
    version: 1
    services:
      - name: api
        state: stateless
        capacity: 2
        objectives: {rto: 1m, survive: [node, az]}
        regions: [aws:us-east-1]
        deployment:
          pattern: n-plus-1
          replicas:
            - {region: aws:us-east-1, az: a, role: instance}
            - {region: aws:us-east-1, az: b, role: instance}
            - {region: aws:us-east-1, az: c, role: instance}
    """


def test_a_stateless_tier_needs_capacity_live_instances(redplan, tmp_path):
    path = _spec(tmp_path, STATELESS)
    one = redplan("simulate", path, "--fail", "az:aws:us-east-1/a", "--format", "json")
    api = _outcomes(json.loads(one.stdout))["api"]
    assert one.exit_code == 0 and api["writes"] and api["reads"] and api["breached"] == []
    two = redplan("simulate", path, "--fail", "az:aws:us-east-1/a", "--fail", "az:aws:us-east-1/b", "--format", "json")
    api = _outcomes(json.loads(two.stdout))["api"]
    assert two.exit_code == 1 and not api["writes"] and not api["reads"] and not api["data_loss"]
    assert api["breached"] == ["rto"]  # two zones at once: more than `survive: [az]` promises


# --- zones, nodes and backups ---------------------------------------------------------------------

ASYNC_PAIR = """\
    version: 1
    services:
      - name: db
        state: stateful
        objectives: {{rto: 1h, rpo: 0s, survive: [node]}}
        regions: [aws:us-east-1]
        deployment:
          pattern: active-passive
          replication: async
          replicas:
            - {{region: aws:us-east-1, {standby_zone}role: standby}}
            - {{region: aws:us-east-1, az: a, role: primary}}
    """


SYNC_TRIO = """\
    version: 1
    services:
      - name: db
        state: stateful
        objectives: {rto: 1h, rpo: 0s, survive: [node]}
        regions: [aws:us-east-1]
        deployment:
          pattern: active-passive
          replication: sync
          on_sync_standby_loss: block
          replicas:
            - {region: aws:us-east-1, az: b, role: standby, sync: true, count: 2}
            - {region: aws:us-east-1, az: a, role: primary}
    """


def test_nodes_are_numbered_in_the_order_written(redplan, tmp_path):
    # nodes 1 and 2 are the standbys, 3 the primary, although the design lists the primary first
    path = _spec(tmp_path, SYNC_TRIO)
    standbys = _outcomes(_json(redplan, path, "--fail", "node:db/1", "--fail", "node:db/2"))["db"]
    assert not standbys["writes"] and not standbys["data_loss"]  # the primary blocks, but holds every acknowledged write
    mixed = _outcomes(_json(redplan, path, "--fail", "node:db/2", "--fail", "node:db/3"))["db"]
    assert mixed["data_loss"] and "rpo" in mixed["breached"]  # the primary and one of the standbys it waited for


def test_replicas_without_a_zone_are_reached_only_by_their_own_zone(redplan, tmp_path):
    path = _spec(tmp_path, ASYNC_PAIR.format(standby_zone=""))
    report = _json(redplan, path, "--fail", "az:aws:us-east-1/a")
    db = _outcomes(report)["db"]
    assert db["replicas_down"] == 1 and db["writes"]  # the standby, in zone '?', takes over
    assert "does not reach" in db["notes"][0] and "az:aws:us-east-1/?" in db["notes"][0]
    assert _outcomes(_json(redplan, path, "--fail", "az:aws:us-east-1/?"))["db"]["replicas_down"] == 1
    zones = [candidate["failure"] for candidate in _json(redplan, path, "--fail", "worst-az")["worst"]["ranking"]]
    assert sorted(zones) == ["az:aws:us-east-1/?", "az:aws:us-east-1/a"]


BACKED_UP = """\
    version: 1
    services:
      - name: archive
        state: stateful
        objectives: {{rto: 8h, rpo: {rpo}, survive: [node]}}
        regions: [aws:us-east-1, aws:us-west-2]
        deployment:
          pattern: backup-restore
          replicas: [{{region: aws:us-east-1, az: a, role: primary}}]
          backups: {{interval: 24h, offsite: aws:us-west-2}}
    """


@pytest.mark.parametrize(("rpo", "failures", "why"), [
    ("24h", ["region:aws:us-east-1"], None),  # the copy is gone, the backup survives and is recent enough
    ("24h", ["region:aws:us-east-1", "region:aws:us-west-2"], "so are the backups in aws:us-west-2"),
    ("1h", ["region:aws:us-east-1"], "the newest backup may be 1d old"),
    ("0s", ["node:archive/1"], "acknowledged writes may be lost"),
])
def test_rpo_against_the_surviving_backups(redplan, tmp_path, rpo, failures, why):
    args = [argument for failure in failures for argument in ("--fail", failure)]
    archive = _outcomes(_json(redplan, _spec(tmp_path, BACKED_UP.format(rpo=rpo)), *args))["archive"]
    assert archive["data_loss"] and not archive["writes"]
    reasons = [reason for reason in archive["reasons"] if reason.startswith("rpo")]
    assert (why is None and not reasons) or (why is not None and why in reasons[0])


# --- (g) exit codes --------------------------------------------------------------------------------


def test_exit_codes(redplan, tmp_path):
    assert redplan("simulate", str(EXAMPLES), "--fail", "region:aws:us-east-2").exit_code == 0  # payments-ledger keeps 3 of 5
    assert redplan("simulate", str(EXAMPLES), "--fail", "region:azure:eastus").exit_code == 1
    assert redplan("simulate", str(EXAMPLES), "--fail", "region:nowhere").exit_code == 2
    assert redplan("simulate", str(EXAMPLES)).exit_code == 2  # --fail is required
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nservices:\n  - name: x\n    state: maybe\n", encoding="utf-8")
    result = redplan("simulate", str(broken), "--fail", "region:aws:us-east-1")
    assert result.exit_code == 2 and f"{broken}:4:12:" in result.stderr


def test_simulate_does_not_import_scipy_or_numpy():
    args = ["simulate", str(EXAMPLES), "--fail", "worst-az", "--format", "json"]
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "HEAVY:"


def test_an_async_primary_alone_holds_what_it_acknowledged(redplan, tmp_path):
    """Asynchronous standbys never acknowledge a write: losing one loses nothing acknowledged, losing the primary may."""
    path = _spec(tmp_path, """\
        version: 1
        services:
          - name: db
            state: stateful
            objectives: {rpo: 0s}
            deployment:
              pattern: active-passive
              replication: async
              replicas:
                - {region: aws:us-east-1, az: a, role: primary}
                - {region: aws:us-east-1, az: b, role: standby}
        """)
    standby = _outcomes(_json(redplan, path, "--fail", "node:db/2"))["db"]
    primary = _outcomes(_json(redplan, path, "--fail", "node:db/1"))["db"]
    assert (standby["writes"], standby["data_loss"], standby["breached"]) == (True, False, [])
    assert (primary["writes"], primary["data_loss"], primary["breached"]) == (True, True, ["rpo"])
