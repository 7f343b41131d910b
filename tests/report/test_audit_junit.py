"""JUnit XML output: well-formed whatever the strings, one testcase per service and rule, failures for errors and warnings."""

from __future__ import annotations

import io
import random
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from report_samples import AWKWARD, AWKWARD_FILE, AWKWARD_SERVICE, awkward_report

from redplan.engine.results import Report
from redplan.report import formatter_for
from redplan.report.audit_junit import JunitFormatter
from redplan.report.audit_sarif import known_rules


def junit_text(report: Report) -> str:
    stream = io.StringIO()
    JunitFormatter().write(report, stream)
    return stream.getvalue()


def junit(report: Report) -> ET.Element:
    return ET.fromstring(junit_text(report).encode("utf-8"))  # bytes: the parser must honour the declaration


def case_of(root: ET.Element, service: str, code: str) -> ET.Element:
    [case] = [case for case in root.iter("testcase") if case.get("classname") == service and case.get("name").startswith(code + " ")]
    return case


def test_awkward_report_is_well_formed_and_round_trips():
    text = junit_text(awkward_report())
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    root = junit(awkward_report())
    failure = case_of(root, AWKWARD_SERVICE, "RP101").find("failure")
    expected = AWKWARD.replace("\x07", "\\x07")  # XML cannot hold BEL, even escaped
    assert failure.get("message") == expected  # CR and LF in attributes are written as &#13; and &#10;
    assert failure.get("type") == "error"
    folded = expected.replace("\r\n", "\n")  # parsers fold CRLF in element text
    assert failure.text == f"{AWKWARD_FILE}:9:7: error {folded}\n  fix: use sync: true, or\nrelax the RPO"
    assert "\x07" not in text and "<left>" not in text


def test_one_suite_per_file_and_counts():
    root = junit(awkward_report())
    rules = len(known_rules()) + 1  # and RP998, which only this report has
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert list(suites) == ["../beside/b.yaml", "/elsewhere/abs.yaml", AWKWARD_FILE]
    assert suites[AWKWARD_FILE].get("tests") == str(2 * rules)
    assert suites[AWKWARD_FILE].get("failures") == "2"  # RP101 error, RP000 warning; RP998 is info
    assert suites["../beside/b.yaml"].get("failures") == "1"  # two RP101 findings, one testcase
    assert suites["/elsewhere/abs.yaml"].get("failures") == "0"  # info only
    assert root.get("tests") == str(4 * rules) and root.get("failures") == "3"
    assert {root.get("errors"), root.get("skipped")} == {"0"}
    for suite in suites.values():
        assert suite.get("tests") == str(len(suite.findall("testcase")))
        assert suite.get("failures") == str(sum(1 for case in suite.findall("testcase") if case.find("failure") is not None))


def test_a_clean_service_has_a_passing_case_for_every_rule():
    root = junit(awkward_report())
    cases = [case for case in root.iter("testcase") if case.get("classname") == "clean"]
    assert [case.get("name") for case in cases] == [f"{rule.code} {rule.name}" for rule in known_rules()] + ["RP998 made-up-rule"]
    assert all(len(case) == 0 for case in cases)
    assert all(case.get("file") == AWKWARD_FILE for case in cases)


def test_info_findings_pass_with_system_out():
    root = junit(awkward_report())
    case = case_of(root, "abs", "RP101")
    assert case.find("failure") is None and case.find("skipped") is None
    assert case.find("system-out").text == "/elsewhere/abs.yaml:1:1: info absolute, outside"


def test_several_findings_of_a_rule_make_one_failure_of_the_worst_severity():
    case = case_of(junit(awkward_report()), "b", "RP101")
    [failure] = case.findall("failure")
    assert failure.get("type") == "error" and failure.get("message") == "2 findings: first of two"
    assert failure.text.splitlines() == ["../beside/b.yaml:2:3: warning first of two", "../beside/b.yaml:5:3: error second of two"]
    assert case.get("line") == "2"


def test_real_audit(audit_spec):
    report = audit_spec()
    root = junit(report)
    failure = case_of(root, "db", "RP101").find("failure")
    assert failure.get("type") == "error" and failure.get("message").startswith("RPO target is 0")
    assert failure.text.startswith("services/db.yaml:9:7: error RPO target is 0")
    assert case_of(root, "db", "RP101").get("file") == "services/db.yaml"
    services = {case.get("classname") for case in root.iter("testcase")}
    assert services == {"db", "cache"}
    assert root.get("tests") == str(2 * len(known_rules()))
    failing = {(service.name, finding.rule) for service in report.services for finding in service.findings if finding.severity != "info"}
    assert root.get("failures") == str(len(failing))


def test_deterministic_and_independent_of_order():
    report = awkward_report()
    first = junit_text(report)
    assert junit_text(report) == first
    services = list(report.services)
    random.Random(3).shuffle(services)
    assert junit_text(replace(report, services=[replace(service, findings=list(reversed(service.findings))) for service in services])) == first


@pytest.mark.parametrize(("character", "shown"), [("\x00", "\\x00"), ("\x0b", "\\x0b"), ("\x1f", "\\x1f"),
                                                ("\ufffe", "\\ufffe"), ("\ud800", "\\ud800")])
def test_characters_xml_cannot_hold_are_shown_escaped(character, shown):
    report = awkward_report()
    service = replace(report.services[0], name=f"a{character}b")
    root = junit(replace(report, services=[service]))
    assert {case.get("classname") for case in root.iter("testcase")} == {f"a{shown}b"}


def test_formatter_for_audit_junit():
    assert isinstance(formatter_for("audit", "junit"), JunitFormatter)
