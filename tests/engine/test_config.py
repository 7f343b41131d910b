"""Configuration snippets: the key lines per technology, valid YAML, deterministic names and text, None when unfit."""

from __future__ import annotations

import re

import pytest
import yaml

from redplan.analysis.model import Quorum, Replica
from redplan.catalog import load_catalog
from redplan.engine.candidates import candidate_designs
from redplan.engine.config import WRITERS, config_snippet
from redplan.engine.design import (
    CONSENSUS,
    LEADERLESS,
    MULTI_PRIMARY,
    PRIMARY_BACKUP,
    STATELESS,
    Design,
)
from redplan.spec.models import Service

EAST, WEST, EU = "aws:us-east-1", "aws:us-west-2", "aws:eu-west-1"
MAJORITY = Quorum("majority")
ONE = Quorum(1, among="data")
DAY = 24 * 3600.0


def service(technology: str | None, state: str = "stateful", name: str = "orders") -> Service:
    return Service.model_validate({"name": name, "state": state, "technology": technology})


def snippet(design: Design, technology: str, **kw) -> tuple[str, str]:
    result = config_snippet(design, service(technology, **kw))
    assert result is not None
    return result


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


# --- designs built the way candidates.py builds them ----------------------------------------


def active_passive(replication: str = "sync", on_loss: str | None = "block",
                   standbys: tuple[tuple[str, str], ...] = ((EAST, "b"), (WEST, "a"))) -> Design:
    sync = replication == "sync"
    replicas = (Replica(EAST, "a", "primary"), *(Replica(region, zone, "standby", sync=sync) for region, zone in standbys))
    quorum = Quorum(2, among="data") if on_loss == "block" else Quorum(1)
    return Design("active-passive", replication, PRIMARY_BACKUP, replicas, quorum, ONE, quorum, leader_region=EAST,
                  on_sync_standby_loss=on_loss if sync else None, backup_interval_s=DAY, backup_region=WEST)


def consensus(layout: list[tuple[str, str]]) -> Design:
    replicas = tuple(Replica(region, zone, "replica") for region, zone in layout)
    return Design("active-active", "sync", CONSENSUS, replicas, MAJORITY, MAJORITY, MAJORITY, leader_region=layout[0][0],
                  backup_interval_s=DAY, backup_region=WEST)


THREE_ZONES = [(EAST, "a"), (EAST, "b"), (EAST, "c")]
THREE_REGIONS = [(EAST, "a"), (WEST, "a"), (EU, "a")]


def leaderless(write_scope: str, read_scope: str, regions: tuple[str, ...] = (EAST, WEST), write=None) -> Design:
    replicas = tuple(Replica(region, zone, "replica") for region in regions for zone in "abc")
    return Design("quorum", "sync", LEADERLESS, replicas, write or Quorum("majority", write_scope),
                  Quorum("majority", read_scope, "data"), Quorum("majority", write_scope), conflict_resolution="lww",
                  backup_interval_s=DAY, backup_region=WEST)


def stateless(layout: list[tuple[str, str, int]], capacity: int) -> Design:
    replicas = tuple(Replica(region, zone, "instance") for region, zone, count in layout for _ in range(count))
    serve = Quorum(capacity, among="data")
    return Design("n-plus-1", "none", STATELESS, replicas, serve, serve, serve)


def backup_restore() -> Design:
    return Design("backup-restore", "none", PRIMARY_BACKUP, (Replica(EAST, "a", "primary"),), Quorum(1), ONE, Quorum(1),
                  leader_region=EAST, backup_interval_s=DAY, backup_region=WEST)


def multi_primary() -> Design:
    replicas = (Replica(EAST, "a", "primary"), Replica(WEST, "a", "primary"))
    return Design("active-active", "async", MULTI_PRIMARY, replicas, Quorum(1), ONE, Quorum(1), conflict_resolution="lww")


# --- PostgreSQL ---------------------------------------------------------------------------------


def test_postgresql_block_is_strict_quorum_commit():
    text, language = snippet(active_passive("sync", "block"), "postgresql")
    assert language == "yaml"
    assert "synchronous_mode_strict: true" in lines(text)
    dcs = yaml.safe_load(text)["bootstrap"]["dcs"]
    assert dcs["synchronous_mode"] == "quorum"
    assert dcs["synchronous_mode_strict"] is True
    assert dcs["synchronous_node_count"] == 1
    assert dcs["postgresql"]["parameters"]["synchronous_commit"] == "on"  # the string, not YAML's boolean on
    assert "#   synchronous_standby_names = 'ANY 1 (\"pg-us-east-1b\", \"pg-us-west-2a\")'" in text
    assert "#   synchronous_commit = on" in text
    assert "pg-us-east-1a  primary" in text


def test_postgresql_degrade_is_not_strict():
    text, _ = snippet(active_passive("sync", "degrade-to-async"), "postgresql")
    assert "synchronous_mode_strict: false" in lines(text)
    dcs = yaml.safe_load(text)["bootstrap"]["dcs"]
    assert dcs["synchronous_mode_strict"] is False
    assert dcs["synchronous_node_count"] == 1  # still waits for one standby while one answers
    assert "ANY 1 (" in text


def test_postgresql_async_commits_locally():
    text, _ = snippet(active_passive("async", None), "postgresql")
    dcs = yaml.safe_load(text)["bootstrap"]["dcs"]
    assert dcs["synchronous_mode"] is False and dcs["synchronous_mode_strict"] is False
    assert "synchronous_node_count" not in dcs
    assert dcs["postgresql"]["parameters"]["synchronous_commit"] == "local"
    assert "#   synchronous_standby_names = ''" in text
    assert "nosync: true" in text


def test_postgresql_only_sync_standbys_are_named():
    """A declared deployment with one sync and one async standby: ANY covers the sync one only."""
    replicas = (Replica(EAST, "a", "primary"), Replica(EAST, "b", "standby", sync=True), Replica(WEST, "a", "non-voting"))
    design = Design("active-passive", "sync", PRIMARY_BACKUP, replicas, Quorum(2), ONE, Quorum(2), leader_region=EAST,
                    on_sync_standby_loss="block")
    text, _ = snippet(design, "postgresql")
    assert "synchronous_standby_names = 'ANY 1 (\"pg-us-east-1b\")'" in text
    assert re.search(r"pg-us-west-2a\s+async standby, tags: \{nosync: true\}", text)


def test_postgresql_backup_restore_has_no_standbys():
    text, _ = snippet(backup_restore(), "postgresql")
    assert yaml.safe_load(text)["bootstrap"]["dcs"]["synchronous_mode"] is False
    assert "Backups: every 1d, copies kept in aws:us-west-2." in text


# --- MySQL --------------------------------------------------------------------------------------


def test_mysql_semi_sync_block_waits_practically_forever():
    text, language = snippet(active_passive("sync", "block"), "mysql")
    assert language == "ini"
    assert "rpl_semi_sync_source_enabled = ON" in lines(text)
    assert "rpl_semi_sync_source_wait_for_replica_count = 1" in lines(text)
    assert "rpl_semi_sync_source_timeout = 4294967295" in lines(text)
    assert "rpl_semi_sync_replica_enabled = ON" in lines(text)


def test_mysql_semi_sync_degrade_times_out_quickly():
    text, _ = snippet(active_passive("sync", "degrade-to-async"), "mysql")
    timeout = int(re.search(r"^rpl_semi_sync_source_timeout = (\d+)$", text, re.M).group(1))
    assert timeout <= 10_000  # MySQL's default is 10 s; degrade should not wait longer
    assert "rpl_semi_sync_source_wait_no_replica = OFF" in lines(text)


def test_mysql_async_leaves_semi_sync_off():
    text, _ = snippet(active_passive("async", None), "mysql")
    assert "rpl_semi_sync_source_enabled = OFF" in lines(text)
    assert "semisync" not in text


def test_mysql_consensus_is_group_replication():
    text, _ = snippet(consensus(THREE_ZONES), "mysql")
    assert "group_replication_single_primary_mode = ON" in lines(text)
    assert 'group_replication_group_seeds = "mysql-us-east-1a:33061,mysql-us-east-1b:33061,mysql-us-east-1c:33061"' in text


# --- Cassandra ----------------------------------------------------------------------------------


def test_cassandra_local_quorum():
    text, language = snippet(leaderless("local", "local"), "cassandra")
    assert language == "cql"
    assert "'class': 'NetworkTopologyStrategy'" in text
    assert "'us-east-1': 3" in text and "'us-west-2': 3" in text
    assert re.search(r"writes: LOCAL_QUORUM\b", text) and re.search(r"reads:\s+LOCAL_QUORUM\b", text)
    assert "CREATE KEYSPACE IF NOT EXISTS orders" in text
    assert "dc=us-west-2 rack=us-west-2c" in text


def test_cassandra_each_quorum_writes_and_global_quorum():
    text, _ = snippet(leaderless("each", "local"), "cassandra")
    assert re.search(r"writes: EACH_QUORUM\b", text) and re.search(r"reads:\s+LOCAL_QUORUM\b", text)
    text, _ = snippet(leaderless("global", "global"), "cassandra")
    assert re.search(r"writes: QUORUM\b", text) and "a majority of all 6 replicas: 4" in text


def test_cassandra_one_and_single_region():
    design = leaderless("global", "global", regions=(EAST,), write=Quorum(1))
    text, _ = snippet(design, "cassandra")
    assert re.search(r"writes: ONE\b", text) and re.search(r"reads:\s+QUORUM\b", text)
    assert "{'class': 'NetworkTopologyStrategy', 'us-east-1': 3}" in text
    text, _ = snippet(leaderless("local", "local", write=Quorum(1, "local")), "cassandra")
    assert re.search(r"writes: LOCAL_ONE\b", text) and re.search(r"reads:\s+LOCAL_QUORUM\b", text)


def test_cassandra_refuses_designs_it_cannot_run():
    assert config_snippet(active_passive(), service("cassandra")) is None
    assert config_snippet(consensus(THREE_ZONES), service("cassandra")) is None
    assert config_snippet(backup_restore(), service("cassandra")) is None
    # no consistency level waits for exactly 5 of 6 replicas
    assert config_snippet(leaderless("global", "global", write=Quorum(5)), service("cassandra")) is None


# --- etcd ---------------------------------------------------------------------------------------


def test_etcd_members_per_zone():
    text, language = snippet(consensus(THREE_ZONES), "etcd")
    assert language == "sh"
    cluster = re.search(r'INITIAL_CLUSTER="([^"]+)"', text).group(1)
    names = [member.split("=")[0] for member in cluster.split(",")]
    assert names == ["etcd-us-east-1a", "etcd-us-east-1b", "etcd-us-east-1c"]
    assert "--initial-cluster \"$INITIAL_CLUSTER\"" in text
    assert "3 voting members: odd" in text
    assert "--heartbeat-interval 100 --election-timeout 1000" in text


def test_etcd_five_members_over_three_zones_get_unique_names():
    layout = [(EAST, zone) for zone in "abcab"]
    text, _ = snippet(consensus(layout), "etcd")
    cluster = re.search(r'INITIAL_CLUSTER="([^"]+)"', text).group(1)
    names = [member.split("=")[0] for member in cluster.split(",")]
    assert names == ["etcd-us-east-1a", "etcd-us-east-1b", "etcd-us-east-1c", "etcd-us-east-1a-2", "etcd-us-east-1b-2"]


def test_etcd_even_members_are_flagged_and_regions_need_tuning():
    text, _ = snippet(consensus([(EAST, "a"), (EAST, "b"), (WEST, "a"), (WEST, "b")]), "etcd")
    assert "4 voting members is even" in text
    assert "Across regions raise them" in text


def test_etcd_zone_names_follow_each_provider():
    design = consensus([("gcp:us-central1", "a"), ("azure:eastus", "1"), ("dc:frankfurt-1", "-")])
    text, _ = snippet(design, "etcd")
    cluster = re.search(r'INITIAL_CLUSTER="([^"]+)"', text).group(1)
    assert [member.split("=")[0] for member in cluster.split(",")] == ["etcd-us-central1-a", "etcd-eastus-1", "etcd-frankfurt-1"]


# --- MongoDB ------------------------------------------------------------------------------------


def test_mongodb_consensus_majority_with_arbiter():
    replicas = (Replica(EAST, "a", "replica"), Replica(EAST, "b", "replica"), Replica(WEST, "a", "witness"))
    design = Design("active-active", "sync", CONSENSUS, replicas, MAJORITY, MAJORITY, MAJORITY, leader_region=EAST)
    text, language = snippet(design, "mongodb")
    assert language == "javascript"
    assert "rs.initiate({" in text
    assert '{ _id: 0, host: "mongo-us-east-1a:27017", priority: 2, votes: 1 }' in text
    assert '{ _id: 2, host: "mongo-us-west-2a:27017", arbiterOnly: true, priority: 0, votes: 1 }' in text
    assert 'defaultWriteConcern: { w: "majority" }' in text


def test_mongodb_prefers_the_home_region():
    text, _ = snippet(consensus(THREE_REGIONS), "mongodb")
    assert '"mongo-us-east-1a:27017", priority: 2' in text
    assert '"mongo-us-west-2a:27017", priority: 1' in text


def test_mongodb_async_primary_backup_acknowledges_on_the_primary():
    text, _ = snippet(active_passive("async", None), "mongodb")
    assert "defaultWriteConcern: { w: 1 }" in text
    assert "3 voting members: odd" in text
    text, _ = snippet(active_passive("async", None, standbys=((EAST, "b"),)), "mongodb")
    assert "2 voting members is even" in text


def test_mongodb_refuses_sync_primary_backup_and_leaderless():
    assert config_snippet(active_passive("sync", "block"), service("mongodb")) is None
    assert config_snippet(leaderless("local", "local"), service("mongodb")) is None


# --- CockroachDB --------------------------------------------------------------------------------


def test_cockroachdb_three_regions_survive_region_failure():
    text, language = snippet(consensus(THREE_REGIONS), "cockroachdb")
    assert language == "sql"
    assert 'ALTER DATABASE "orders" PRIMARY REGION "us-east-1";' in lines(text)
    assert 'ALTER DATABASE "orders" ADD REGION "us-west-2";' in lines(text)
    assert 'ALTER DATABASE "orders" ADD REGION "eu-west-1";' in lines(text)
    assert 'ALTER DATABASE "orders" SURVIVE REGION FAILURE;' in lines(text)
    assert "--locality=region=eu-west-1,zone=eu-west-1a" in text


def test_cockroachdb_one_region_survives_zone_failure():
    text, _ = snippet(consensus(THREE_ZONES), "cockroachdb")
    assert 'ALTER DATABASE "orders" SURVIVE ZONE FAILURE;' in lines(text)
    assert "ADD REGION" not in text
    assert "This design counts" not in text  # three voters is CockroachDB's default for zone survival


def test_cockroachdb_two_regions_survive_zones_only():
    text, _ = snippet(consensus([(EAST, "a"), (EAST, "b"), (WEST, "a")]), "cockroachdb")
    assert 'ALTER DATABASE "orders" SURVIVE ZONE FAILURE;' in lines(text)
    assert "spreads voters over 2 regions" in text


def test_cockroachdb_refuses_non_consensus():
    assert config_snippet(active_passive(), service("cockroachdb")) is None
    assert config_snippet(multi_primary(), service("cockroachdb")) is None


# --- Kubernetes ---------------------------------------------------------------------------------


def manifest(text: str) -> dict[str, dict]:
    document = yaml.safe_load(text)
    assert document["kind"] == "List"
    return {item["kind"]: item for item in document["items"]}


def test_kubernetes_pdb_keeps_capacity_across_zones():
    design = stateless([(EAST, "a", 2), (EAST, "b", 2), (EAST, "c", 2)], capacity=4)
    text, language = snippet(design, "kubernetes", state="stateless", name="Web Front")
    assert language == "yaml"
    assert "&id" not in text and "*id" not in text  # no YAML anchors in a manifest
    items = manifest(text)
    deployment, budget = items["Deployment"], items["PodDisruptionBudget"]
    assert deployment["metadata"]["name"] == "web-front"
    assert deployment["spec"]["replicas"] == 6
    assert budget["spec"]["minAvailable"] == 4
    assert budget["spec"]["selector"] == deployment["spec"]["selector"]
    spread = deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert [c["topologyKey"] for c in spread] == ["topology.kubernetes.io/zone"]
    assert all(c["maxSkew"] == 1 and c["whenUnsatisfiable"] == "DoNotSchedule" for c in spread)


def test_kubernetes_two_regions_spread_over_region_and_zone():
    design = stateless([(EAST, "a", 2), (EAST, "b", 1), (EAST, "c", 1), (WEST, "a", 2), (WEST, "b", 1), (WEST, "c", 1)], capacity=4)
    items = manifest(snippet(design, "kubernetes", state="stateless")[0])
    spread = items["Deployment"]["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert [c["topologyKey"] for c in spread] == ["topology.kubernetes.io/region", "topology.kubernetes.io/zone"]
    assert items["Deployment"]["spec"]["replicas"] == 8
    assert items["PodDisruptionBudget"]["spec"]["minAvailable"] == 4


def test_kubernetes_one_zone_pins_the_zone_and_spreads_over_nodes():
    items = manifest(snippet(stateless([(EAST, "a", 3)], capacity=2), "kubernetes", state="stateless")[0])
    pod = items["Deployment"]["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"topology.kubernetes.io/zone": "us-east-1a"}
    assert [c["topologyKey"] for c in pod["topologySpreadConstraints"]] == ["kubernetes.io/hostname"]
    assert items["PodDisruptionBudget"]["spec"]["minAvailable"] == 2


def test_kubernetes_refuses_stateful_designs():
    assert config_snippet(active_passive(), service("kubernetes")) is None
    assert config_snippet(consensus(THREE_ZONES), service("kubernetes")) is None


# --- across technologies ------------------------------------------------------------------------


@pytest.mark.parametrize("technology", [None, "redis", "kafka", "spanner", "generic"])
def test_unsupported_technologies_give_none(technology):
    for design in (active_passive(), consensus(THREE_ZONES), leaderless("local", "local")):
        assert config_snippet(design, service(technology)) is None


@pytest.mark.parametrize("technology", sorted(set(WRITERS) - {"kubernetes"}))
def test_stateful_technologies_refuse_stateless_and_multi_primary(technology):
    assert config_snippet(stateless([(EAST, "a", 3)], capacity=2), service(technology, state="stateless")) is None
    assert config_snippet(multi_primary(), service(technology)) is None


EXAMPLES = [
    ("postgresql", active_passive()), ("mysql", active_passive("sync", "degrade-to-async")),
    ("cassandra", leaderless("local", "local")), ("etcd", consensus(THREE_ZONES)), ("mongodb", consensus(THREE_REGIONS)),
    ("cockroachdb", consensus(THREE_REGIONS)), ("kubernetes", stateless([(EAST, "a", 2), (EAST, "b", 2)], capacity=3)),
]


@pytest.mark.parametrize(("technology", "design"), EXAMPLES, ids=[technology for technology, _ in EXAMPLES])
def test_deterministic(technology, design):
    state = "stateless" if design.coordination == STATELESS else "stateful"
    first = config_snippet(design, service(technology, state=state))
    again = config_snippet(design, service(technology, state=state))
    assert first is not None and first == again
    assert first[0].startswith(("# redplan: orders: ", "-- redplan: orders: ", "// redplan: orders: "))
    assert first[0].endswith("\n")


@pytest.mark.parametrize(("technology", "design"), EXAMPLES, ids=[technology for technology, _ in EXAMPLES])
def test_service_name_cannot_break_out_of_the_header_comment(technology, design):
    """The spec forbids control characters in names, but U+2028 is a line break to YAML and to splitlines."""
    state = "stateless" if design.coordination == STATELESS else "stateful"
    text, language = snippet(design, technology, state=state, name="orders\u2028DROP TABLE x\u0085y")
    assert "\u2028" not in text and "\u0085" not in text
    header = text.splitlines()[0]
    assert "DROP TABLE x" in header
    if language == "yaml":
        yaml.safe_load(text)


def test_declared_zone_cannot_break_out_of_a_comment():
    design = active_passive("sync", "block", standbys=((EAST, "b\nsynchronous_mode_strict: false"), (WEST, "a\u2028x: 1")))
    text, _ = snippet(design, "postgresql")
    assert all(line.startswith("#") for line in text.splitlines() if "x: 1" in line or "strict: false" in line)
    assert yaml.safe_load(text)["bootstrap"]["dcs"]["synchronous_mode_strict"] is True


@pytest.fixture(scope="module")
def every_candidate():
    catalog = load_catalog()
    regions = {"regions": [EAST, WEST, EU, "gcp:europe-west1"], "clients": [EAST]}
    stateful = Service.model_validate({"name": "orders", "state": "stateful", **regions})
    stateless_service = Service.model_validate({"name": "web", "state": "stateless", **regions})
    return candidate_designs(stateful, catalog, 2) + candidate_designs(stateless_service, catalog, 3)


@pytest.mark.parametrize("technology", sorted(WRITERS))
def test_every_candidate_design(technology, every_candidate):
    """Across all candidates: YAML parses, names are DNS labels, text is stable, and some designs fit each technology."""
    produced = 0
    for design in every_candidate:
        state = "stateless" if design.coordination == STATELESS else "stateful"
        result = config_snippet(design, service(technology, state=state))
        if result is None:
            continue
        produced += 1
        text, language = result
        assert result == config_snippet(design, service(technology, state=state))
        if language == "yaml":
            assert isinstance(yaml.safe_load(text), dict)
        for name in re.findall(r"\b(?:pg|mysql|etcd|mongo)-[a-z0-9-]+", text):
            assert re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", name), name
    assert produced > 0
