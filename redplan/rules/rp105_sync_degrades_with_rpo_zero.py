"""RP105 sync-degrades-with-rpo-zero: synchronous replication that falls back to asynchronous while the RPO is 0.

With `on_sync_standby_loss: degrade-to-async` the primary keeps accepting writes
after its synchronous standby is lost, acknowledging them alone. That keeps
the service writable, but until a standby catches up again a primary failure
loses the writes not yet shipped: for that window the RPO is the asynchronous
replication lag, not 0. This is an operator's choice; the finding makes it
visible (ignore it with a reason if it is deliberate).

Failing::

    objectives: {rpo: 0s}
    deployment:
      pattern: active-passive
      replication: sync
      on_sync_standby_loss: degrade-to-async
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby, sync: true}

Passing::

    objectives: {rpo: 0s}
    deployment:
      pattern: active-passive
      replication: sync
      on_sync_standby_loss: block
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby, sync: true}
        - {region: aws:us-east-1, az: c, role: standby, sync: true}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.engine.evaluate import Context
from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.objectives_vs_design import from_tier, listed, sync_standbys
from redplan.spec.units import format_duration


class SyncDegradesWithRpoZero(Rule):
    __doc__ = __doc__
    code = "RP105"
    name = "sync-degrades-with-rpo-zero"
    severity = "warning"
    summary = "RPO 0 with synchronous replication that degrades to asynchronous"

    def check(self, subject: Subject) -> Iterator[Problem]:
        service, design = subject.service, subject.design
        if service.objectives.rpo != 0 or design is None or service.state != "stateful":
            return
        if design.on_sync_standby_loss != "degrade-to-async":
            return
        context = Context(service, subject.fleet.catalog)
        lag = context.technologies.async_lag(context.technology)
        standbys = sync_standbys(design)
        if not standbys:
            lost = "it finds no standby to wait for (none is declared)"
        elif len(standbys) == 1:
            lost = f"the synchronous standby ({listed(standbys)}) is lost"
        else:
            every = "both" if len(standbys) == 2 else f"all {len(standbys)}"
            lost = f"{every} synchronous standbys ({listed(standbys)}) are lost"
        rate = service.data.write_rate if service.data else None
        writes = f", about {rate * lag.seconds:,.0f} writes at {rate:g}/s" if rate else ""
        source = "redplan assumes" if lag.basis == "assumption" else "the technology catalog gives"
        named = f"for {context.technology}" if context.technology else "when no technology is named"
        rpo = from_tier(subject.loaded, "rpo", "0")
        yield Problem(
            ("deployment", "on_sync_standby_loss"),
            f"RPO target is {rpo} but on_sync_standby_loss is degrade-to-async: once {lost}, the primary acknowledges "
            f"writes alone, and a primary failure then loses those of the last {format_duration(lag.seconds)} "
            f"(the replication lag {source} {named}){writes}",
            "set on_sync_standby_loss: block with two synchronous standbys in different zones, "
            "or ignore RP105 with the reason the write availability is worth that window",
        )
