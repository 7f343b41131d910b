"""Quorum tolerance and overlap (DESIGN.md §4 and §5), exact and worst case.

One model covers consensus groups, leaderless quorums and primary/backup:

* A quorum is counted in a *population*: ``among="voters"`` (primary, standby, replica, witness),
  ``among="data"`` (primary, standby, replica, non-voting) or ``among="data-voters"`` (members that
  both vote and hold data: MongoDB's data-bearing voting members, a primary's sync standbys). Its size is resolved over the whole
  population (scope ``global``) or per region over that region's population (``local``, ``each``).
* **write** / **read** hold after a failure set F when a write / read quorum can still be formed
  from live replicas: globally, in *some* region (``local``: clients may use any region), or in
  *every* region (``each``).
* **durability** holds when no acknowledged write can be lost. An acknowledged write lives on the
  members of some ack quorum that store writes (data holders, and witnesses with ``keeps_log``);
  an ack quorum always contains at least one of them (the leader or coordinator keeps the write).
  In the worst case the write is lost iff F contains every storing member of some ack quorum.
  ``ack`` defaults to ``write``.

Conventions of the returned tolerances:

* ``nodes`` is the largest k such that *any* k replica failures keep the property; ``azs``,
  ``regions``, ``providers`` the largest number of whole domains whose loss keeps it, worst case
  (an AZ is a ``(region, az)`` pair, a provider the region's prefix before ``:``). Losing every
  replica breaks every property, so a count is at most (number of replicas or domains) - 1.
* ``nodes_after_az_loss`` / ``nodes_after_region_loss``: the further node failures tolerated after
  the worst single AZ / region loss; -1 when one such loss alone breaks the property.
* A property that does not hold with no failure at all (a quorum larger than its population, an
  ``each`` quorum in a region that cannot form one, an ack quorum that cannot be formed so nothing
  can ever be acknowledged) gets -1 in every field.

``consistent_reads``: every read quorum meets every *ack* quorum on a replica that stores writes
(a read must see every acknowledged write). ``conflicting_writes``: two write quorums can be
disjoint. Both are vacuous when a quorum cannot be formed at all (no disjoint pair exists), which
keeps R+W>N and 2W>N exact for uniform quorums.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from math import inf
from typing import Literal, NamedTuple

from redplan.analysis.model import Quorum, QuorumAnalysis, QuorumSize, Replica, Tolerance

__all__ = ["AfterFailure", "after_failure", "analyse_quorums", "can_form_after", "quorum_groups", "quorum_size"]


def quorum_size(size: QuorumSize, population: int) -> int:
    """Resolve a quorum size over a population: "one" = 1, "majority" = floor(n/2)+1, "all" = n."""
    if isinstance(size, bool) or not isinstance(size, (int, str)):
        raise ValueError(f"quorum size must be a positive integer, 'one', 'majority' or 'all', not {size!r}")
    if isinstance(size, int):
        if size < 1:
            raise ValueError(f"quorum size must be at least 1, not {size}")
        return size
    if size == "one":
        return 1
    if size == "majority":
        return population // 2 + 1
    if size == "all":
        return population
    raise ValueError(f"quorum size must be a positive integer, 'one', 'majority' or 'all', not {size!r}")


# --- populations and groups ---------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    """The part of a quorum's population that one size applies to: everything (global) or one region."""

    members: frozenset[int]
    size: int

    @property
    def formable(self) -> bool:
        return 1 <= self.size <= len(self.members)


def in_population(replica: Replica, among: str) -> bool:
    """Whether a replica is counted in the population a quorum is drawn from."""
    if among == "voters":
        return replica.votes
    if among == "data":
        return replica.holds_data
    if among == "data-voters":
        return replica.votes and replica.holds_data
    raise ValueError(f"quorum population must be 'voters', 'data' or 'data-voters', not {among!r}")


def _groups(replicas: Sequence[Replica], quorum: Quorum) -> list[_Group]:
    """One group over the whole population for global scope, one per region that has members otherwise."""
    population = [i for i, r in enumerate(replicas) if in_population(r, quorum.among)]
    if quorum.scope == "global":
        return [_Group(frozenset(population), quorum_size(quorum.size, len(population)))]
    if quorum.scope not in ("local", "each"):
        raise ValueError(f"quorum scope must be 'global', 'local' or 'each', not {quorum.scope!r}")
    by_region: dict[str, list[int]] = {}
    for i in population:
        by_region.setdefault(replicas[i].region, []).append(i)
    return [_Group(frozenset(m), quorum_size(quorum.size, len(m))) for m in by_region.values()]


def quorum_groups(replicas: Sequence[Replica], quorum: Quorum) -> list[tuple[frozenset[int], int]]:
    """(member indices, quorum size) of each group the quorum is formed in: one for global scope, one per region otherwise."""
    return [(group.members, group.size) for group in _groups(replicas, quorum)]


# --- a property as thresholds on failure counts -------------------------------------------


@dataclass(frozen=True)
class _Threshold:
    """Broken once `theta` of `members` have failed."""

    members: frozenset[int]
    theta: int


@dataclass(frozen=True)
class _Property:
    """Broken when any (or all) of its thresholds are reached; "all" of no thresholds is always broken."""

    mode: Literal["any", "all"]
    parts: tuple[_Threshold, ...]

    def broken(self, failed: frozenset[int]) -> bool:
        hits = (len(p.members & failed) >= p.theta for p in self.parts)
        return any(hits) if self.mode == "any" else all(hits)


_ALWAYS_BROKEN = _Property("all", ())


def _availability(replicas: Sequence[Replica], quorum: Quorum) -> _Property:
    """A quorum can be formed while fewer than n - size + 1 of its group have failed."""
    groups = _groups(replicas, quorum)
    parts = tuple(_Threshold(g.members, len(g.members) - g.size + 1) for g in groups if g.formable)
    if quorum.scope == "local":  # broken only when every region that could form a quorum has lost it
        return _Property("all", parts)
    if len(parts) < len(groups) or not parts:  # global or each: every group must be able to form one
        return _ALWAYS_BROKEN
    return _Property("any", parts)


def _durability(replicas: Sequence[Replica], ack: Quorum) -> _Property:
    """Lost when the failed storing members plus the non-storing ones (witnesses) can make up an ack quorum.

    An ack quorum in a group with t non-storing members needs only size - t storing ones, and at
    least one; for `each` the quorum needs its share in every region and one storing member overall.
    """
    groups = _groups(replicas, ack)
    if ack.leader and ack.scope == "global" and groups and groups[0].formable and 0 in groups[0].members:
        return _durability_with_leader(replicas, groups[0])
    stores = [frozenset(i for i in g.members if replicas[i].stores_writes) for g in groups]
    if ack.scope == "each":
        if not groups or not all(g.formable for g in groups) or not any(stores):
            return _ALWAYS_BROKEN
        parts = tuple(
            _Threshold(s, g.size - (len(g.members) - len(s)))
            for g, s in zip(groups, stores)
            if g.size > len(g.members) - len(s)
        )
        return _Property("all", parts or (_Threshold(frozenset().union(*stores), 1),))
    parts = tuple(
        _Threshold(s, max(1, g.size - (len(g.members) - len(s))))
        for g, s in zip(groups, stores)
        if g.formable and s
    )
    return _Property("any", parts) if parts else _ALWAYS_BROKEN


def _durability_with_leader(replicas: Sequence[Replica], group: _Group) -> _Property:
    """Every ack quorum holds the leader (replica 0) and size - 1 others: a write is lost only when the
    leader fails together with enough storing members to have made up the rest of some quorum."""
    others = group.members - {0}
    storing = frozenset(i for i in others if replicas[i].stores_writes)
    need = max(0, group.size - 1 - (len(others) - len(storing)))
    leader = (_Threshold(frozenset({0}), 1),) if replicas[0].stores_writes else ()
    parts = leader + ((_Threshold(storing, need),) if need else ())
    return _Property("all", parts) if parts else _ALWAYS_BROKEN


# --- worst-case search --------------------------------------------------------------------


def _greedy(contributions: Iterable[int], need: int) -> float:
    """Fewest domains whose failures reach `need` in one count: taking the largest first is optimal."""
    if need <= 0:
        return 0
    total = 0
    for taken, c in enumerate(sorted(contributions, reverse=True), start=1):
        total += c
        if total >= need:
            return taken
    return inf


def _min_break(prop: _Property, domains: Sequence[frozenset[int]], base: frozenset[int] = frozenset()) -> float:
    """Fewest whole domains whose loss, on top of `base`, breaks the property (inf if none does).

    "any": the cheapest single threshold, each reached greedily. "all": domains here always nest
    with the groups (node, AZ inside a region; region, provider around whole regions), so either no
    domain touches two open thresholds (sum of the greedy counts) or each open threshold lies in
    one domain (count those domains). Anything else falls back to an exact subset search.
    """
    if prop.broken(base):
        return 0
    open_parts = [
        (p.members - base, p.theta - len(p.members & base)) for p in prop.parts if len(p.members & base) < p.theta
    ]
    if prop.mode == "any":
        return min((_greedy((len(d & m) for d in domains), need) for m, need in open_parts), default=inf)
    touching = [sum(1 for m, _ in open_parts if d & m) for d in domains]
    if all(t <= 1 for t in touching):
        return sum(_greedy((len(d & m) for d in domains), need) for m, need in open_parts)
    if all(m <= d or not (m & d) for d in domains for m, _ in open_parts):
        return sum(1 for t in touching if t)
    for k in range(1, len(domains) + 1):  # not reached with nested domains; exact, exponential
        if any(prop.broken(base.union(*combo)) for combo in combinations(domains, k)):
            return k
    return inf


def _survivable(prop: _Property, domains: Sequence[frozenset[int]], base: frozenset[int] = frozenset()) -> int:
    """Largest number of the domains whose loss (after `base`) keeps the property; -1 if `base` breaks it."""
    return int(min(_min_break(prop, domains, base), len(domains))) - 1


def _partition(replicas: Sequence[Replica], key: Callable[[Replica], Hashable]) -> list[frozenset[int]]:
    parts: dict[Hashable, set[int]] = {}
    for i, r in enumerate(replicas):
        parts.setdefault(key(r), set()).add(i)
    return [frozenset(p) for p in parts.values()]


def _nodes_after_loss(prop: _Property, domains: Sequence[frozenset[int]], n: int) -> int:
    """Further node failures tolerated after the worst single domain loss (-1 if some loss alone breaks it)."""
    return min(
        (_survivable(prop, [frozenset({i}) for i in range(n) if i not in lost], lost) for lost in domains),
        default=-1,
    )


def _tolerance(prop: _Property, replicas: Sequence[Replica]) -> Tolerance:
    n = len(replicas)
    azs = _partition(replicas, lambda r: (r.region, r.az))
    regions = _partition(replicas, lambda r: r.region)
    return Tolerance(
        nodes=_survivable(prop, [frozenset({i}) for i in range(n)]),
        azs=_survivable(prop, azs),
        regions=_survivable(prop, regions),
        providers=_survivable(prop, _partition(replicas, lambda r: r.provider)),
        nodes_after_az_loss=_nodes_after_loss(prop, azs, n),
        nodes_after_region_loss=_nodes_after_loss(prop, regions, n),
    )


# --- overlap --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Need:
    """What one concrete quorum choice needs: `total` members overall, and/or `per_region` minimums."""

    total: int | None
    per_region: tuple[tuple[str, int], ...]


def _choices(replicas: Sequence[Replica], quorum: Quorum) -> list[_Need]:
    """Every shape a quorum can take: one for global and each, one per home region for local."""
    groups = _groups(replicas, quorum)
    if quorum.scope == "global":
        g = groups[0]
        return [_Need(g.size, ())] if g.formable else []
    region = {g: replicas[min(g.members)].region for g in groups}
    if quorum.scope == "each":
        if not groups or not all(g.formable for g in groups):
            return []
        return [_Need(None, tuple((region[g], g.size) for g in groups))]
    return [_Need(None, ((region[g], g.size),)) for g in groups if g.formable]


@dataclass(frozen=True)
class _Counts:
    """Per region: members only X may use, only Y may use, both may share, or must give to one side."""

    x_only: int = 0
    y_only: int = 0
    shared: int = 0
    contested: int = 0


def _counts(
    replicas: Sequence[Replica], x: Quorum, y: Quorum, may_share: Callable[[Replica], bool]
) -> dict[str, _Counts]:
    tally: dict[str, list[int]] = {}
    for r in replicas:
        in_x, in_y = in_population(r, x.among), in_population(r, y.among)
        if not (in_x or in_y):
            continue
        slot = 2 if in_x and in_y and may_share(r) else 3 if in_x and in_y else 0 if in_x else 1
        tally.setdefault(r.region, [0, 0, 0, 0])[slot] += 1
    return {region: _Counts(*c) for region, c in tally.items()}


def _can_miss(x: _Need, y: _Need, counts: dict[str, _Counts]) -> bool:
    """Whether quorums of shapes x and y can be chosen with no contested member in both.

    Per region, a side needs `max(0, need - own - shared)` contested members; with per-region needs
    on both sides every region must fit, with a total on one side it gets what the other leaves.
    """
    xr, yr = dict(x.per_region), dict(y.per_region)

    def lack(need: int, own: int, c: _Counts) -> int:
        return max(0, need - own - c.shared)

    if x.total is None and y.total is None:
        return all(
            lack(xr.get(g, 0), c.x_only, c) + lack(yr.get(g, 0), c.y_only, c) <= c.contested for g, c in counts.items()
        )
    if x.total is not None and y.total is not None:
        own_x = sum(c.x_only + c.shared for c in counts.values())
        own_y = sum(c.y_only + c.shared for c in counts.values())
        contested = sum(c.contested for c in counts.values())
        return max(0, x.total - own_x) + max(0, y.total - own_y) <= contested
    if x.total is None:  # make x the side with the total
        x, y, xr, yr = y, x, yr, xr
        counts = {g: _Counts(c.y_only, c.x_only, c.shared, c.contested) for g, c in counts.items()}
    left = [c.contested - lack(yr.get(g, 0), c.y_only, c) for g, c in counts.items()]
    if any(v < 0 for v in left):
        return False
    assert x.total is not None
    return sum(c.x_only + c.shared for c in counts.values()) + sum(left) >= x.total


def _disjoint_possible(replicas: Sequence[Replica], x: Quorum, y: Quorum, may_share: Callable[[Replica], bool]) -> bool:
    """Some quorum of x and some quorum of y overlap only on members allowed to be shared."""
    counts = _counts(replicas, x, y, may_share)
    return any(_can_miss(a, b, counts) for a in _choices(replicas, x) for b in _choices(replicas, y))


# --- public entry points --------------------------------------------------------------------


def analyse_quorums(
    replicas: Sequence[Replica], write: Quorum, read: Quorum, ack: Quorum | None = None
) -> QuorumAnalysis:
    """Worst-case failure tolerance of writes, reads and durability, and the overlap of the quorums."""
    ack = write if ack is None else ack
    replicas = tuple(replicas)
    return QuorumAnalysis(
        write=_tolerance(_availability(replicas, write), replicas),
        read=_tolerance(_availability(replicas, read), replicas),
        durability=_tolerance(_durability(replicas, ack), replicas),
        consistent_reads=not _disjoint_possible(replicas, ack, read, lambda r: not r.stores_writes),
        conflicting_writes=_disjoint_possible(replicas, write, write, lambda r: False),
    )


def can_form_after(replicas: Sequence[Replica], failed: Iterable[int], quorum: Quorum) -> bool:
    """Whether a quorum can still be formed after one concrete failure (indices into `replicas`)."""
    return not _availability(tuple(replicas), quorum).broken(frozenset(failed))


class AfterFailure(NamedTuple):
    writes: bool
    reads: bool
    data_loss: bool  # worst case: some acknowledged write may be gone


def after_failure(
    replicas: Sequence[Replica], failed: Iterable[int], write: Quorum, read: Quorum, ack: Quorum | None = None
) -> AfterFailure:
    """What one concrete failure (indices into `replicas`) does, with the same semantics as analyse_quorums."""
    ack = write if ack is None else ack
    replicas, down = tuple(replicas), frozenset(failed)
    durability = _durability(replicas, ack)
    return AfterFailure(
        writes=not _availability(replicas, write).broken(down),
        reads=not _availability(replicas, read).broken(down),
        data_loss=durability.broken(down) and not durability.broken(frozenset()),  # nothing acked, nothing lost
    )
