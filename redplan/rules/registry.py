"""The explicit list of audit rules: what `redplan rules`, `redplan explain`, SARIF and the audit iterate.

Adding a rule: write its module (code, slug, severity, docstring with a failing and a
passing example, check), list it here, and add its case file under tests/rules/cases/.
"""

from __future__ import annotations

from redplan.rules.base import Rule
from redplan.rules.rp000_ignore_problem import IgnoreProblem
from redplan.rules.rp101_rpo_zero_without_sync import RpoZeroWithoutSync
from redplan.rules.rp102_rto_over_target import RtoOverTarget
from redplan.rules.rp103_backup_interval_over_rpo import BackupIntervalOverRpo
from redplan.rules.rp104_rto_zero_with_failover import RtoZeroWithFailover
from redplan.rules.rp105_sync_degrades_with_rpo_zero import SyncDegradesWithRpoZero
from redplan.rules.rp106_sync_blocks_writes import SyncBlocksWrites
from redplan.rules.rp107_availability_below_target import AvailabilityBelowTarget
from redplan.rules.rp201_single_zone import SingleZone
from redplan.rules.rp202_single_region import SingleRegion
from redplan.rules.rp203_majority_in_one_domain import MajorityInOneDomain
from redplan.rules.rp204_sync_standby_same_zone import SyncStandbySameZone
from redplan.rules.rp205_two_sites_no_tiebreaker import TwoSitesNoTiebreaker
from redplan.rules.rp206_single_provider import SingleProvider
from redplan.rules.rp207_more_zones_than_region_has import MoreZonesThanRegionHas
from redplan.rules.rp301_even_voters import EvenVoters
from redplan.rules.rp302_failover_without_fencing import FailoverWithoutFencing
from redplan.rules.rp303_lww_on_data_that_must_not_lose_writes import LwwOnDataThatMustNotLoseWrites
from redplan.rules.rp304_crdt_misfit import CrdtMisfit
from redplan.rules.rp305_partial_quorum_with_consistent_reads import (
    PartialQuorumWithConsistentReads,
)
from redplan.rules.rp306_conflicting_writes import ConflictingWrites
from redplan.rules.rp307_strong_on_leaderless import StrongOnLeaderless
from redplan.rules.rp308_async_replica_reads_with_session import AsyncReplicaReadsWithSession
from redplan.rules.rp401_write_latency_over_budget import WriteLatencyOverBudget
from redplan.rules.rp402_over_engineered import OverEngineered
from redplan.rules.rp501_stateless_without_n_plus_1 import StatelessWithoutNPlus1
from redplan.rules.rp502_no_headroom_for_domain_loss import NoHeadroomForDomainLoss
from redplan.rules.rp601_objective_inversion import ObjectiveInversion
from redplan.rules.rp602_dependency_cycle import DependencyCycle
from redplan.rules.rp603_shared_region_fate import SharedRegionFate

RULES: tuple[Rule, ...] = (
    IgnoreProblem(),
    RpoZeroWithoutSync(),
    RtoOverTarget(),
    BackupIntervalOverRpo(),
    RtoZeroWithFailover(),
    SyncDegradesWithRpoZero(),
    SyncBlocksWrites(),
    AvailabilityBelowTarget(),
    SingleZone(),
    SingleRegion(),
    MajorityInOneDomain(),
    SyncStandbySameZone(),
    TwoSitesNoTiebreaker(),
    SingleProvider(),
    MoreZonesThanRegionHas(),
    EvenVoters(),
    FailoverWithoutFencing(),
    LwwOnDataThatMustNotLoseWrites(),
    CrdtMisfit(),
    PartialQuorumWithConsistentReads(),
    ConflictingWrites(),
    StrongOnLeaderless(),
    AsyncReplicaReadsWithSession(),
    WriteLatencyOverBudget(),
    OverEngineered(),
    StatelessWithoutNPlus1(),
    NoHeadroomForDomainLoss(),
    ObjectiveInversion(),
    DependencyCycle(),
    SharedRegionFate(),
)
BY_CODE = {rule.code: rule for rule in RULES}


def find_rule(code_or_name: str) -> Rule | None:
    """A rule by its code (RP101, any case) or its slug (rpo-zero-without-sync)."""
    wanted = code_or_name.strip()
    return BY_CODE.get(wanted.upper()) or next((rule for rule in RULES if rule.name == wanted.lower()), None)
