"""RP207 more-zones-than-region-has: a deployment names more zones in a region than the region has.

redplan treats every zone name as an independent failure domain, so a region
with 3 availability zones listed as a, b, c, d gets credit for a fourth domain
that does not exist: two of the names are the same zone, or a typo. Regions that
publish no availability zones (az_count 0) are one failure domain, so any
second zone name there is suspect; regions whose count is unknown are skipped.

Failing::

    deployment:
      pattern: active-active
      replication: sync
      replicas:
        - {region: azure:westeurope, az: "1", role: replica}
        - {region: azure:westeurope, az: "2", role: replica}
        - {region: azure:westeurope, az: "3", role: replica}
        - {region: azure:westeurope, az: "4", role: replica}
        - {region: azure:westeurope, az: "5", role: replica}
      quorum: {write: majority, read: majority}

Passing::

    deployment:
      pattern: active-active
      replication: sync
      replicas:
        - {region: azure:westeurope, az: "1", role: replica, count: 2}
        - {region: azure:westeurope, az: "2", role: replica, count: 2}
        - {region: azure:westeurope, az: "3", role: replica}
      quorum: {write: majority, read: majority}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.failure_domains import REPLICAS


class MoreZonesThanRegionHas(Rule):
    __doc__ = __doc__
    code = "RP207"
    name = "more-zones-than-region-has"
    severity = "error"
    summary = "more distinct zones named in a region than the catalog says it has"

    def check(self, subject: Subject) -> Iterator[Problem]:
        deployment = subject.service.deployment
        if deployment is None:
            return
        regions = subject.fleet.catalog.regions
        first_use: dict[str, dict[str, int]] = {}  # region -> zone name -> index of the first replica naming it
        for index, replica in enumerate(deployment.replicas):
            if replica.az is not None:
                first_use.setdefault(replica.region, {}).setdefault(replica.az, index)
        for region_id, named in first_use.items():
            region = regions.get(region_id)
            if region is None or region.az_count is None:
                continue
            allowed = max(region.az_count, 1)  # no published zones: the region is one failure domain
            if len(named) <= allowed:
                continue
            zone, index = list(named.items())[allowed]
            has = ("publishes no availability zones (az_count 0), so it is a single failure domain"
                   if region.az_count == 0 else f"has {region.az_count} availability zones")
            yield Problem(
                (*REPLICAS, index, "az"),
                f"{region_id} {has}, but the deployment names {len(named)} distinct zones there "
                f"({', '.join(named)}): zone {zone} of replicas[{index}] is beyond the count, so "
                f"redplan credits failure domains that do not exist",
                "check the zone names (two of them are the same zone, or one is a typo)"
                if region.az_count else "drop the zone names in this region, or move the replicas to a region with zones",
            )
