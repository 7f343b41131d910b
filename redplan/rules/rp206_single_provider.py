"""RP206 single-provider: `provider` is a failure to survive, but every replica runs on one provider.

Provider-wide failures are rare but real (a global control plane, identity or
DNS outage, an account suspension) and take every region of the provider at
once. Surviving one needs replicas, or at least a quorum's tie-breaker and a
copy of the data, with a second provider or in your own data centre.

Failing::

    objectives: {survive: [node, az, region, provider]}
    deployment:
      pattern: active-passive
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-west-2, az: a, role: standby}

Passing::

    objectives: {survive: [node, az, region, provider]}
    deployment:
      pattern: active-passive
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: gcp:us-east4, az: a, role: standby}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.failure_domains import REPLICAS, all_of


class SingleProvider(Rule):
    __doc__ = __doc__
    code = "RP206"
    name = "single-provider"
    severity = "error"
    summary = "provider must be survived but every replica is with one provider"

    def check(self, subject: Subject) -> Iterator[Problem]:
        service = subject.service
        if service.deployment is None or not service.deployment.replicas or "provider" not in (service.objectives.survive or []):
            return
        replicas = service.deployment.replicas
        providers = {replica.region.split(":", 1)[0] for replica in replicas}
        if len(providers) != 1:
            return
        provider = providers.pop()
        regions = list(dict.fromkeys(replica.region for replica in replicas))
        count = sum(replica.count for replica in replicas)
        noun = "instances" if service.state == "stateless" else "replicas"
        yield Problem(
            REPLICAS,
            f"`provider` is in survive, but {all_of(count, noun)} run{'s' * (count == 1)} on {provider} ({len(regions)} region"
            f"{'s' * (len(regions) != 1)}: {', '.join(regions)}): an outage of {provider} leaves none",
            "run a replica (or a standby fed from backups) with a second provider or on-premises site",
        )
