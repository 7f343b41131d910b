"""A ready-to-adapt configuration snippet for a design, in the named technology's own terms.

`config_snippet(design, service)` returns (text, language) when the service
names a technology redplan can configure and the design's coordination is
one that technology implements, else None. The snippet is a starting point:
member names are derived from region and zone (pg-us-east-1a), host names,
credentials and TLS are placeholders. Output depends only on the arguments,
so the same design always gives the same text.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from collections.abc import Callable

import yaml

from redplan.analysis.model import Quorum, Replica
from redplan.analysis.quorum import quorum_size
from redplan.engine.design import CONSENSUS, LEADERLESS, PRIMARY_BACKUP, STATELESS, Design
from redplan.spec.models import Service
from redplan.spec.units import format_duration

Snippet = tuple[str, str]
Member = tuple[str, Replica]

DATA_VOTERS = frozenset({"primary", "standby", "replica"})  # voters that hold data (no witnesses)
DATA_ROLES = DATA_VOTERS | {"non-voting"}  # a declared primary/backup deployment may call its standbys "replica"
NO_ZONE = frozenset({"", "-", "?"})  # a region without zones, or a declared replica whose zone was left out
MAX_NAME = 63  # a DNS label, and short enough for every technology's member names
SEMI_SYNC_BLOCK_MS = 4_294_967_295  # the largest rpl_semi_sync_source_timeout (about 49.7 days): never fall back
SEMI_SYNC_DEGRADE_MS = 1_000  # wait a second for a replica's ack, then continue asynchronously


def config_snippet(design: Design, service: Service) -> Snippet | None:
    """(text, language) for the design in `service.technology`, or None when unsupported or unfit."""
    writer = WRITERS.get(service.technology or "")
    return writer(design, service) if writer is not None and design.replicas else None


# --- names and shared text -----------------------------------------------------------------


def _slug(text: str) -> str:
    """Lower-case letters, digits and single hyphens: valid as a host name, member or resource name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _identifier(text: str, limit: int = 48) -> str:
    """A database identifier: lower-case letters, digits and underscores, starting with a letter."""
    name = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "service"
    return (name if name[0].isalpha() else f"s_{name}")[:limit].rstrip("_")


def _region_name(region: str) -> str:
    """"aws:us-east-1" -> "us-east-1": the name the provider (and the technology's locality) uses."""
    return _slug(region.split(":", 1)[-1])


def _zone_name(replica: Replica) -> str:
    """The zone as its provider spells it: us-east-1a on AWS, us-central1-a on GCP, eastus-1 on Azure."""
    region = _region_name(replica.region)
    if replica.az in NO_ZONE:
        return region
    zone = _slug(replica.az)
    return region + zone if replica.provider == "aws" and zone.isalpha() else f"{region}-{zone}"


def _where(replica: Replica) -> str:
    return replica.region if replica.az in NO_ZONE else f"{replica.region} zone {replica.az}"


def _unique(names: list[str]) -> list[str]:
    """The names in order, a repeated one suffixed -2, -3, ... (five voters over three zones)."""
    used: set[str] = set()
    out = []
    for name in names:
        candidate, number = name[:MAX_NAME].rstrip("-"), 1
        while candidate in used:
            number += 1
            suffix = f"-{number}"
            candidate = name[: MAX_NAME - len(suffix)].rstrip("-") + suffix
        used.add(candidate)
        out.append(candidate)
    return out


def _members(prefix: str, replicas: tuple[Replica, ...] | list[Replica]) -> list[Member]:
    names = _unique([f"{prefix}-{_zone_name(replica)}" for replica in replicas])
    return list(zip(names, replicas))


def _region_names(design: Design) -> dict[str, str]:
    """Each region's technology-facing name (us-east-1), kept distinct across providers."""
    regions = design.regions
    return dict(zip(regions, _unique([_region_name(region) for region in regions])))


def _header(design: Design, service: Service, mark: str) -> list[str]:
    lines = [
        f"{mark} redplan: {service.name}: {design.kind}, {design.placement_summary}",
        f"{mark} A starting point to adapt: host names, ports, credentials and TLS are placeholders.",
    ]
    if design.backup_interval_s and design.backup_region:
        lines.append(f"{mark} Backups: every {format_duration(design.backup_interval_s)}, copies kept in {design.backup_region}.")
    if design.standby_region:
        lines.append(f"{mark} Cold standby: restore from those backups into {design.standby_region} when the home region is lost.")
    return lines


def _text(*blocks: list[str] | str) -> str:
    """The blocks' lines joined. Names and zones from a service file may hold characters that break a line
    (U+2028 is a line break to YAML); they become spaces, so such text never leaves its comment."""
    lines: list[str] = []
    for block in blocks:
        lines += block.rstrip("\n").splitlines() if isinstance(block, str) else block
    return "\n".join("".join(ch if ch.isprintable() else " " for ch in line) for line in lines) + "\n"


class _PlainDumper(yaml.SafeDumper):
    """Writes a repeated value out in full each time: no &id001 anchors in a manifest."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _yaml(document: object) -> str:
    return yaml.dump(document, Dumper=_PlainDumper, sort_keys=False, default_flow_style=False, width=1000)


def _count(quorum: Quorum, replicas: list[Replica]) -> int:
    return quorum_size(quorum.size, len(replicas))


def _only(design: Design, coordinations: tuple[str, ...], roles: frozenset[str]) -> bool:
    """The design's coordination is one of `coordinations` and every replica has one of `roles`."""
    return design.coordination in coordinations and all(replica.role in roles for replica in design.replicas)


def _failures(count: int) -> str:
    return f"{count} failure{'s' * (count != 1)}"


def _odd_note(voters: int, mark: str) -> list[str]:
    majority = voters // 2 + 1
    if voters == 1:
        return [f"{mark} A single voting member: nothing can elect a replacement when it fails."]
    if voters % 2:
        return [f"{mark} {voters} voting members: odd, so a majority ({majority}) survives {_failures(voters - majority)}."]
    return [f"{mark} {voters} voting members is even: a majority needs {majority}, so it survives only "
            f"{_failures(voters - majority)}, as {voters - 1} would; add a voter (or an arbiter) in another failure domain."]


# --- primary/backup helpers -------------------------------------------------------------------


def _primary_first(design: Design, prefix: str) -> tuple[Member, list[Member]]:
    """The primary's member and the standbys' (data replicas other than the primary), in design order."""
    data = [replica for replica in design.replicas if replica.holds_data]
    first = next((index for index, replica in enumerate(data) if replica.role == "primary"), 0)
    members = _members(prefix, [data[first], *data[:first], *data[first + 1:]])
    return members[0], members[1:]


def _sync_standbys(design: Design, standbys: list[Member]) -> list[Member]:
    """Standbys that acknowledge writes: those marked sync, or every standby of a sync design when none is marked."""
    if design.replication != "sync":
        return []
    return [member for member in standbys if member[1].sync] or list(standbys)


def _sync_count(design: Design, sync: list[Member]) -> int:
    """Standby acks a commit waits for: the ack quorum less the primary's own, at least one, at most every sync standby."""
    return min(len(sync), max(1, _count(design.ack, list(design.replicas)) - 1))


# --- PostgreSQL (Patroni) ---------------------------------------------------------------------


def _postgresql(design: Design, service: Service) -> Snippet | None:
    if not _only(design, (PRIMARY_BACKUP,), DATA_ROLES):
        return None
    primary, standbys = _primary_first(design, "pg")
    sync = _sync_standbys(design, standbys)
    strict = bool(sync) and design.on_sync_standby_loss == "block"
    dcs: dict[str, object] = {"ttl": 30, "loop_wait": 10, "retry_timeout": 10, "maximum_lag_on_failover": 1048576}
    if sync:
        dcs.update(synchronous_mode="quorum", synchronous_mode_strict=strict, synchronous_node_count=_sync_count(design, sync))
    else:
        dcs.update(synchronous_mode=False, synchronous_mode_strict=False)
    commit = "on" if sync else "local"
    dcs["postgresql"] = {"use_pg_rewind": True, "parameters": {"synchronous_commit": commit}}
    config = {"scope": _slug(service.name), "bootstrap": {"dcs": dcs}}
    names = ", ".join(f'"{name}"' for name, _ in sync)
    standby_names = f"ANY {dcs['synchronous_node_count']} ({names})" if sync else ""
    roles = [f"#   {primary[0]}  primary  ({_where(primary[1])})"]
    for name, replica in standbys:
        kind = "sync standby" if (name, replica) in sync else "async standby, tags: {nosync: true}"
        roles.append(f"#   {name}  {kind}  ({_where(replica)})")
    notes = []
    if sync:
        notes.append("# Patroni 4.0+: synchronous_mode quorum waits for ANY k of the sync standbys, so losing one of several "
                     "costs no writes.")
        notes.append("# block: synchronous_mode_strict keeps writes waiting while no sync standby answers (RPO 0)." if strict else
                     "# degrade-to-async: without synchronous_mode_strict Patroni drops to async when no sync standby answers.")
    if len(design.regions) > 1:
        notes.append("# Across regions the DCS (etcd, Consul) needs its own majority: put a member in a third location.")
    return _text(
        _header(design, service, "#"), _yaml(config),
        ["# One patroni.yml per member; its `name` is also the standby's application_name:"], roles,
        ["# Resulting postgresql.conf on the primary (Patroni writes these; do not set them by hand):",
         f"#   synchronous_standby_names = '{standby_names}'", f"#   synchronous_commit = {commit}"],
        notes,
    ), "yaml"


# --- MySQL ------------------------------------------------------------------------------------


def _mysql(design: Design, service: Service) -> Snippet | None:
    if _only(design, (PRIMARY_BACKUP,), DATA_ROLES):
        return _mysql_semi_sync(design, service)
    if _only(design, (CONSENSUS,), DATA_VOTERS):
        return _mysql_group(design, service)
    return None


def _mysql_semi_sync(design: Design, service: Service) -> Snippet:
    (primary_name, _), standbys = _primary_first(design, "mysql")
    sync = _sync_standbys(design, standbys)
    block = design.on_sync_standby_loss == "block"
    names = [primary_name, *(name for name, _ in standbys)]
    ids = ", ".join(f"{name} = {index}" for index, name in enumerate(names, start=1))
    source = ["[mysqld]", "server_id = 1", "gtid_mode = ON", "enforce_gtid_consistency = ON"]
    if sync:
        source += [
            "plugin_load_add = semisync_source.so",
            "rpl_semi_sync_source_enabled = ON",
            f"rpl_semi_sync_source_wait_for_replica_count = {_sync_count(design, sync)}",
            f"rpl_semi_sync_source_timeout = {SEMI_SYNC_BLOCK_MS if block else SEMI_SYNC_DEGRADE_MS}",
            f"rpl_semi_sync_source_wait_no_replica = {'ON' if block else 'OFF'}",
            "rpl_semi_sync_source_wait_point = AFTER_SYNC",
        ]
        timeout = ("# block: the timeout is the largest allowed (about 49.7 days), so commits wait for a replica's ack (RPO 0)."
                   if block else
                   f"# degrade-to-async: after {SEMI_SYNC_DEGRADE_MS} ms without an ack the source continues asynchronously.")
    else:
        source.append("rpl_semi_sync_source_enabled = OFF")
        timeout = "# Asynchronous replication: semi-sync stays off; a failover can lose the replicas' lag."
    replica = ["[mysqld]", "gtid_mode = ON", "enforce_gtid_consistency = ON", "read_only = ON", "super_read_only = ON"]
    sync_replica = [*replica, "plugin_load_add = semisync_replica.so", "rpl_semi_sync_replica_enabled = ON"]
    blocks: list[list[str]] = [_header(design, service, "#"), ["# MySQL 8.0.26+ (source/replica names).", f"# server_id: {ids}",
                                                                 f"# --- source: {primary_name} ---"], source, [timeout]]
    if sync:
        blocks += [[f"# --- semi-sync replicas: {', '.join(name for name, _ in sync)} ---"], sync_replica]
    async_replicas = [name for name, replica in standbys if (name, replica) not in sync]
    if async_replicas:
        blocks += [[f"# --- asynchronous replicas: {', '.join(async_replicas)} ---"], replica]
    return _text(*blocks), "ini"


def _mysql_group(design: Design, service: Service) -> Snippet:
    members = _members("mysql", design.replicas)
    seeds = ",".join(f"{name}:33061" for name, _ in members)
    group = uuid.uuid5(uuid.NAMESPACE_DNS, f"{_slug(service.name)}.redplan")
    config = [
        "[mysqld]", "gtid_mode = ON", "enforce_gtid_consistency = ON",
        "plugin_load_add = group_replication.so",
        f'group_replication_group_name = "{group}"',
        "group_replication_single_primary_mode = ON",
        f'group_replication_group_seeds = "{seeds}"',
        f'group_replication_local_address = "{members[0][0]}:33061"',
        "group_replication_consistency = BEFORE_ON_PRIMARY_FAILOVER",
    ]
    return _text(
        _header(design, service, "#"),
        ["# MySQL Group Replication, single-primary: a majority of members certifies every commit.",
         "# Same file on every member, with its own server_id and group_replication_local_address:",
         *(f"#   {name}  server_id {index}  ({_where(replica)})" for index, (name, replica) in enumerate(members, start=1))],
        config, _odd_note(len(members), "#"),
    ), "ini"


# --- Cassandra --------------------------------------------------------------------------------


def _cassandra(design: Design, service: Service) -> Snippet | None:
    if not _only(design, (LEADERLESS,), frozenset({"replica"})):
        return None
    dcs = _region_names(design)
    factors = Counter(dcs[replica.region] for replica in design.replicas)
    write, read = _consistency(design.write, factors), _consistency(design.read, factors)
    if write is None or read is None:
        return None
    keyspace = _identifier(service.name)
    replication = ", ".join(["'class': 'NetworkTopologyStrategy'", *(f"'{dc}': {n}" for dc, n in factors.items())])
    racks = Counter((dcs[replica.region], _zone_name(replica)) for replica in design.replicas)
    return _text(
        _header(design, service, "--"),
        [f"CREATE KEYSPACE IF NOT EXISTS {keyspace}", f"  WITH replication = {{{replication}}}", "  AND durable_writes = true;", "",
         "-- Consistency levels (the driver's execution profile, or per statement):",
         f"--   writes: {write[0]}  ({write[1]})", f"--   reads:  {read[0]}  ({read[1]})",
         f"-- cqlsh: CONSISTENCY {write[0]};",
         "-- Data centre and rack names must match the snitch (GossipingPropertyFileSnitch, cassandra-rackdc.properties):"],
        [f"--   dc={dc} rack={rack}  ({n} replica{'s' * (n != 1)})" for (dc, rack), n in racks.items()],
    ), "cql"


def _consistency(quorum: Quorum, factors: Counter[str]) -> tuple[str, str] | None:
    """Cassandra's consistency level for a quorum over data centres with these replication factors, or None."""
    total = sum(factors.values())
    local = next(iter(factors.values()))  # the home data centre's factor (the coordinator's, for clients there)
    if quorum.scope == "global":
        size = quorum_size(quorum.size, total)
        named = {1: "ONE", 2: "TWO", 3: "THREE"}
        if size == total:
            return "ALL", f"all {total} replicas"
        if size == total // 2 + 1:
            return "QUORUM", f"a majority of all {total} replicas: {size}"
        return (named[size], f"{size} of {total} replicas") if size in named else None
    size = quorum_size(quorum.size, local)
    prefix = "LOCAL" if quorum.scope == "local" else "EACH"
    where = "in the coordinator's data centre" if quorum.scope == "local" else "in every data centre"
    if size == 1 and quorum.scope == "local":
        return "LOCAL_ONE", f"one replica {where}"
    if size == local // 2 + 1 and (quorum.scope == "local" or all(n // 2 + 1 == size for n in factors.values())):
        return f"{prefix}_QUORUM", f"a majority {where}: {size} of {local}"
    return None


# --- etcd -------------------------------------------------------------------------------------


def _etcd(design: Design, service: Service) -> Snippet | None:
    if not _only(design, (CONSENSUS,), DATA_VOTERS):
        return None
    members = _members("etcd", design.replicas)
    cluster = ",".join(f"{name}=https://{name}:2380" for name, _ in members)
    timing = ("# heartbeat-interval 100 ms and election-timeout 1000 ms are etcd's defaults, suited to one region."
              if len(design.regions) == 1 else
              "# Across regions raise them: heartbeat-interval about the largest round trip, election-timeout about 10x that.")
    return _text(
        _header(design, service, "#"),
        [f"# {name}  ({_where(replica)})" for name, replica in members],
        _odd_note(len(members), "#"),
        timing,
        ["# TLS: add --cert-file/--key-file/--trusted-ca-file/--client-cert-auth and the --peer-* equivalents.",
         f'INITIAL_CLUSTER="{cluster}"',
         f"MEMBER={members[0][0]}  # this member's own name, one of those above",
         'etcd --name "$MEMBER" \\',
         '  --initial-advertise-peer-urls "https://$MEMBER:2380" --listen-peer-urls https://0.0.0.0:2380 \\',
         '  --advertise-client-urls "https://$MEMBER:2379" --listen-client-urls https://0.0.0.0:2379 \\',
         f'  --initial-cluster "$INITIAL_CLUSTER" --initial-cluster-token {_slug(service.name)} --initial-cluster-state new \\',
         "  --heartbeat-interval 100 --election-timeout 1000"],
    ), "sh"


# --- MongoDB ----------------------------------------------------------------------------------


def _mongodb(design: Design, service: Service) -> Snippet | None:
    roles = frozenset({"primary", "standby", "replica", "witness", "non-voting"})
    consensus = _only(design, (CONSENSUS,), roles)
    if not consensus and not (_only(design, (PRIMARY_BACKUP,), roles) and design.replication != "sync"):
        return None
    members = _members("mongo", sorted(design.replicas, key=lambda replica: replica.role != "primary"))
    lines = []
    for index, (name, replica) in enumerate(members):
        fields = [f"_id: {index}", f"host: {json.dumps(name + ':27017')}"]
        if replica.role == "witness":
            fields += ["arbiterOnly: true", "priority: 0", "votes: 1"]
        elif replica.role == "non-voting":
            fields += ["priority: 0", "votes: 0"]
        else:
            preferred = replica.role == "primary" or (consensus and replica.region == design.leader_region)
            fields += [f"priority: {2 if preferred else 1}", "votes: 1"]
        lines.append(f"    {{ {', '.join(fields)} }}{',' * (index < len(members) - 1)}")
    voters = sum(replica.role != "non-voting" for _, replica in members)
    concern = '"majority"' if consensus else "1"
    why = ("// w: majority: a write is acknowledged once a majority holds it, so an election never loses it."
           if consensus else
           "// w: 1 matches this asynchronous design: a failover can lose what the secondaries had not copied.")
    if consensus and any(replica.role == "witness" for _, replica in members):
        why += ("\n// With an arbiter, w: majority counts data-bearing voters only: while one is down, majority writes "
                "wait (or time out with wtimeout).")
    return _text(
        _header(design, service, "//"),
        ["rs.initiate({", f"  _id: {json.dumps(_slug(service.name))},", "  members: ["], lines, ["  ]", "});",
         f"db.adminCommand({{ setDefaultRWConcern: 1, defaultWriteConcern: {{ w: {concern} }} }});", *why.splitlines()],
        _odd_note(voters, "//"),
    ), "javascript"


# --- CockroachDB ------------------------------------------------------------------------------


def _cockroachdb(design: Design, service: Service) -> Snippet | None:
    if not _only(design, (CONSENSUS,), DATA_ROLES):
        return None
    regions = _region_names(design)
    database = f'"{_identifier(service.name, 63)}"'
    home = design.leader_region if design.leader_region in regions else design.regions[0]
    voter_regions = {replica.region for replica in design.replicas if replica.votes}
    survive, default_voters = ("REGION", 5) if len(voter_regions) >= 3 else ("ZONE", 3)
    voters = sum(replica.votes for replica in design.replicas)
    statements = [f"CREATE DATABASE IF NOT EXISTS {database};", f'ALTER DATABASE {database} PRIMARY REGION "{regions[home]}";']
    statements += [f'ALTER DATABASE {database} ADD REGION "{name}";' for region, name in regions.items() if region != home]
    statements.append(f"ALTER DATABASE {database} SURVIVE {survive} FAILURE;")
    notes = [f"-- SURVIVE {survive} FAILURE keeps {default_voters} voting replicas per range"
             + (" (two in the primary region)." if survive == "REGION" else " in the primary region.")]
    if survive == "ZONE" and len(voter_regions) > 1:
        notes.append(f"-- This design spreads voters over {len(voter_regions)} regions; zone survival keeps them in the primary "
                     "region, with non-voting replicas elsewhere.")
    if voters != default_voters:
        notes.append(f"-- This design counts {voters} voters: CockroachDB places {default_voters} for this survival goal, "
                     "so re-check cost and latency with that placement (overriding num_voters is discouraged).")
    return _text(
        _header(design, service, "--"),
        ["-- Start each node with its locality, e.g.:"],
        [f"--   cockroach start --locality=region={regions[replica.region]},zone={_zone_name(replica)} ..."
         for replica in dict.fromkeys(design.replicas)],
        statements, notes,
    ), "sql"


# --- Kubernetes -------------------------------------------------------------------------------


def _kubernetes(design: Design, service: Service) -> Snippet | None:
    if not _only(design, (STATELESS,), frozenset({"instance"})):
        return None
    name = _slug(service.name)[:MAX_NAME].rstrip("-")
    labels = {"app.kubernetes.io/name": name}
    zones = Counter(_zone_name(replica) for replica in design.replicas)
    capacity = _count(design.write, list(design.replicas))
    pod: dict[str, object] = {}
    if len(zones) == 1:
        pod["nodeSelector"] = {"topology.kubernetes.io/zone": next(iter(zones))}
        keys = ["kubernetes.io/hostname"]
    else:
        keys = (["topology.kubernetes.io/region"] if len(design.regions) > 1 else []) + ["topology.kubernetes.io/zone"]
    pod["topologySpreadConstraints"] = [
        {"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": labels}}
        for key in keys
    ]
    pod["containers"] = [{"name": name, "image": "REPLACE-ME/" + name + ":latest"}]
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": labels},
        "spec": {"replicas": len(design.replicas), "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels}, "spec": pod}},
    }
    budget = {
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name},
        "spec": {"minAvailable": capacity, "selector": {"matchLabels": labels}},
    }
    notes = [f"# {len(design.replicas)} replicas for a capacity of {capacity}: the PodDisruptionBudget keeps {capacity} "
             "serving through drains and upgrades.",
             "# Expected spread: " + ", ".join(f"{zone} x{n}" for zone, n in zones.items()) + "."]
    if len(design.regions) > 1:
        notes.append("# One cluster spanning regions as below, or one cluster per region each running its share.")
    return _text(_header(design, service, "#"), notes,
                 _yaml({"apiVersion": "v1", "kind": "List", "items": [deployment, budget]})), "yaml"


WRITERS: dict[str, Callable[[Design, Service], Snippet | None]] = {
    "postgresql": _postgresql,
    "mysql": _mysql,
    "cassandra": _cassandra,
    "etcd": _etcd,
    "mongodb": _mongodb,
    "cockroachdb": _cockroachdb,
    "kubernetes": _kubernetes,
}
