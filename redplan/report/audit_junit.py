"""JUnit XML output of `redplan audit`, for CI systems that show test reports (GitLab, Jenkins, Azure, test-reporter actions).

Layout: a <testsuites> root; one <testsuite name=FILE> per service file; in it,
for every service of the file and every rule of the registry (sorted by code), one
<testcase classname=SERVICE name="RPxxx slug" file=FILE>. A service with no
findings still appears, every one of its testcases passing.

- A rule with error or warning findings on the service fails:
  <failure type=SEVERITY message=...> (the worst severity when there are
  several findings; `message` is the finding's message, or "N findings: first
  message"). The element text lists each finding as
  `file:line:col: severity message` with its fix.
- A rule with only info findings passes, and its findings are in the
  testcase's <system-out>: info is advice, and "skipped" would wrongly say the
  rule did not run.

Counts on <testsuite> and <testsuites>: tests, failures, errors (always 0: input
errors never reach a report) and skipped (always 0). Every string is escaped by
ElementTree, newlines in attributes included; characters XML 1.0 cannot carry
(control characters) are written as \\xNN. No timestamps or durations:
the output is deterministic.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from itertools import groupby
from typing import TextIO

from redplan.engine.results import Finding, Report, ServiceResult
from redplan.report.audit_sarif import rules_for

FAILING = {"error": 2, "warning": 1}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class JunitFormatter:
    def write(self, report: Report, stream: TextIO) -> None:
        root = self.element(report)
        ET.indent(root, space="  ")
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n")

    def element(self, report: Report) -> ET.Element:
        rules = rules_for(report)
        suites = ET.Element("testsuites", name="redplan audit")
        services = sorted(report.services, key=lambda service: (service.file, service.line, service.name))
        for file, in_file in groupby(services, key=lambda service: service.file):
            suite = ET.SubElement(suites, "testsuite", name=_clean(file))
            for service in in_file:
                self._service(suite, service, rules)
            _count(suite, suite.iter("testcase"))
        _count(suites, suites.iter("testcase"))
        return suites

    def _service(self, suite: ET.Element, service: ServiceResult, rules) -> None:
        by_rule: dict[str, list[Finding]] = defaultdict(list)
        for finding in service.findings:
            by_rule[finding.rule].append(finding)
        for rule in rules:
            case = ET.SubElement(suite, "testcase", classname=_clean(service.name), name=f"{rule.code} {_clean(rule.name)}",
                                 file=_clean(service.file))
            findings = sorted(by_rule.get(rule.code, []), key=lambda finding: (finding.line, finding.column, finding.message))
            failing = [finding for finding in findings if finding.severity in FAILING]
            if failing:
                worst = max(failing, key=lambda finding: FAILING[finding.severity])
                message = failing[0].message if len(failing) == 1 else f"{len(failing)} findings: {failing[0].message}"
                case.set("line", str(failing[0].line))
                failure = ET.SubElement(case, "failure", type=worst.severity, message=_clean(message))
                failure.text = _clean("\n".join(_describe(finding) for finding in findings))
            elif findings:
                ET.SubElement(case, "system-out").text = _clean("\n".join(_describe(finding) for finding in findings))


def _describe(finding: Finding) -> str:
    text = f"{finding.file}:{finding.line}:{finding.column}: {finding.severity} {finding.message}"
    return text + (f"\n  fix: {finding.hint}" if finding.hint else "")


def _count(element: ET.Element, cases) -> None:
    cases = list(cases)
    element.set("tests", str(len(cases)))
    element.set("failures", str(sum(1 for case in cases if case.find("failure") is not None)))
    element.set("errors", "0")
    element.set("skipped", "0")


def _clean(text: str) -> str:
    """Characters XML 1.0 cannot hold at all, even escaped, shown as \\xNN; ElementTree escapes the rest."""
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}" if ord(match.group()) < 0x100 else f"\\u{ord(match.group()):04x}", text)
