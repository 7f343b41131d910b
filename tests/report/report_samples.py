"""Sample reports for the CI formatters' tests: one built by hand with awkward strings, and a broken spec to audit."""

from __future__ import annotations

import datetime

from redplan.engine.results import Finding, Report, ServiceResult, Summary, Tool

TODAY = datetime.date(2026, 11, 25)

# Every character that could break a format: quotes, markup, CR/LF, %, the
# workflow-command separators, a control character, non-ASCII and an emoji.
AWKWARD = 'He said "no" & <left> it\'s 100% done, really: yes\nsecond line\r\nthird ünïcødé ✓ 🚀 bell\x07'
AWKWARD_SERVICE = 'pay:ments, "core" <v2> & co'
AWKWARD_FILE = "svc dir/naïve, file:1.yaml"

# RP101 fails: RPO 0 with an asynchronous standby. Line 9 is `replication: async`.
BROKEN_SPEC = """\
version: 1
services:
  - name: db
    state: stateful
    objectives: {rto: 5m, rpo: 0s, survive: [node, az]}
    deployment:
      pattern: active-passive
      # the standby is asynchronous
      replication: async
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby}
  - name: cache
    state: stateless
    objectives: {rto: 5m, survive: [node]}
"""


def finding(rule="RP101", name="rpo-zero-without-sync", severity="error", message="m", file=AWKWARD_FILE, line=3,
            column=5, service=AWKWARD_SERVICE, hint="", path="deployment.replication") -> Finding:
    return Finding(rule=rule, name=name, severity=severity, message=message, file=file, line=line, column=column,
                   service=service, hint=hint, path=path)


def awkward_report() -> Report:
    """Three services in three files (one under the root, one beside it, one absolute), every severity, and one clean service."""
    first = [
        finding(message=AWKWARD, hint="use sync: true, or\nrelax the RPO", line=9, column=7),
        finding(rule="RP000", name="expired-ignore", severity="warning", message="the ignore of RP101 expired, \"reason\": <none>",
                line=0, column=0, path="ignore.0.rule"),
        finding(rule="RP998", name="made-up-rule", severity="info", message="a rule this build does not know: é", line=4,
                column=1, path="objectives"),
    ]
    second = [
        finding(rule="RP101", severity="warning", message="first of two", file="../beside/b.yaml", service="b", line=2, column=3),
        finding(rule="RP101", severity="error", message="second of two", file="../beside/b.yaml", service="b", line=5, column=3,
                path="deployment.replicas"),
    ]
    services = [
        ServiceResult(name=AWKWARD_SERVICE, file=AWKWARD_FILE, line=2, objectives={}, findings=first),
        ServiceResult(name="clean", file=AWKWARD_FILE, line=20, objectives={}),
        ServiceResult(name="b", file="../beside/b.yaml", line=1, objectives={}, findings=second),
        ServiceResult(name="abs", file="/elsewhere/abs.yaml", line=1, objectives={},
                      findings=[finding(severity="info", message="absolute, outside", file="/elsewhere/abs.yaml", service="abs", line=1, column=1)]),
    ]
    summary = Summary(services=4, recommended=0, unmet=0, errors=2, warnings=2, infos=2)
    return Report(tool=Tool(name="redplan", version="9.9.9"), services=services, summary=summary)
