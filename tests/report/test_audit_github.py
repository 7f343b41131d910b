"""GitHub workflow annotations: exact lines, escaped so that no message can end or start a command."""

from __future__ import annotations

import io
from dataclasses import replace

from report_samples import awkward_report

from redplan.engine.results import Report
from redplan.report import formatter_for
from redplan.report.audit_github import GithubFormatter, escape_data, escape_property


def lines_of(report: Report, root=None) -> list[str]:
    stream = io.StringIO()
    GithubFormatter(root).write(report, stream)
    text = stream.getvalue()
    assert text.endswith("\n")
    return text[:-1].split("\n")


def test_escaping_rules():
    assert escape_data("100% a:b, c\r\nd") == "100%25 a:b, c%0D%0Ad"
    assert escape_property("100% a:b, c\r\nd") == "100%25 a%3Ab%2C c%0D%0Ad"
    assert escape_data("%0A") == "%250A"  # a literal escape stays literal


def test_awkward_report_exact_lines():
    assert lines_of(awkward_report(), root="/work") == [
        "::warning file=../beside/b.yaml,line=2,col=3,title=RP101 rpo-zero-without-sync::first of two",
        "::error file=../beside/b.yaml,line=5,col=3,title=RP101 rpo-zero-without-sync::second of two",
        "::notice file=/elsewhere/abs.yaml,line=1,col=1,title=RP101 rpo-zero-without-sync::absolute, outside",
        "::warning file=svc dir/naïve%2C file%3A1.yaml,line=1,col=1,title=RP000 expired-ignore::"
        'the ignore of RP101 expired, "reason": <none>',
        "::notice file=svc dir/naïve%2C file%3A1.yaml,line=4,col=1,title=RP998 made-up-rule::a rule this build does not know: é",
        "::error file=svc dir/naïve%2C file%3A1.yaml,line=9,col=7,title=RP101 rpo-zero-without-sync::"
        "He said \"no\" & <left> it's 100%25 done, really: yes%0Asecond line%0D%0Athird ünïcødé ✓ 🚀 bell\x07"
        "%0AFix: use sync: true, or%0Arelax the RPO",
        "redplan: 4 services audited: 2 errors, 2 warnings, 2 info",
    ]


def test_sorted_by_file_then_line():
    lines = lines_of(awkward_report(), root="/work")[:-1]
    files = [line.split("file=", 1)[1].split(",", 1)[0] for line in lines]
    assert files == sorted(files)


def test_a_message_cannot_inject_a_command():
    report = awkward_report()
    evil = replace(report.services[0].findings[0], message="ok\n::set-output name=x::y\r::add-mask::z", hint="")
    report = replace(report, services=[replace(report.services[0], findings=[evil])])
    [line, summary] = lines_of(report, root="/work")
    assert line.endswith("::ok%0A::set-output name=x::y%0D::add-mask::z")
    assert summary.startswith("redplan: ")


def test_real_audit(audit_spec):
    report = audit_spec()
    [finding] = [finding for service in report.services for finding in service.findings if finding.rule == "RP101"]
    lines = lines_of(report)
    expected = ("::error file=services/db.yaml,line=9,col=7,title=RP101 rpo-zero-without-sync::"
                + escape_data(f"{finding.message}\nFix: {finding.hint}"))
    assert expected in lines
    assert "%0AFix: replicate synchronously" in expected
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines[:-1])
    assert len(lines) == 1 + sum(len(service.findings) for service in report.services)


def test_deterministic():
    assert lines_of(awkward_report(), root="/work") == lines_of(awkward_report(), root="/work")


def test_formatter_for_audit_github():
    assert isinstance(formatter_for("audit", "github"), GithubFormatter)
