"""Markdown for GitHub job summaries: summary line, per-rule table, findings by file and service, every user text
escaped, and never more than GitHub keeps of one step's summary."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from markdown_it import MarkdownIt
from report_samples import BROKEN_SPEC, awkward_report, finding

from redplan.engine.results import Report, ServiceResult, Summary, Tool
from redplan.report import formatter_for
from redplan.report.audit_markdown import (
    DEFAULT_BUDGET,
    GITHUB_STEP_SUMMARY_LIMIT,
    AuditMarkdownFormatter,
    code,
    text,
)
from redplan.report.audit_sarif import display_path

HOSTILE = "evil | name <script>alert(1)</script> `rm -rf` ``x``\n# Heading\r\n| a | b |\n[link](https://example.com) **bold** _em_ $x$ &amp;"


def render(report: Report, **options) -> str:
    stream = io.StringIO()
    AuditMarkdownFormatter(**options).write(report, stream)
    return stream.getvalue()


def html(markdown: str) -> str:
    """What GitHub would show, near enough: CommonMark with GFM tables and strikethrough, raw HTML allowed."""
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(markdown)


def hostile_report() -> Report:
    findings = [finding(message=f"broken by {HOSTILE}", hint=f"rename {HOSTILE}", service=HOSTILE, file=f"svc/{HOSTILE}.yaml",
                        name=HOSTILE, severity="error")]
    service = ServiceResult(name=HOSTILE, file=f"svc/{HOSTILE}.yaml", line=1, objectives={}, findings=findings)
    return Report(tool=Tool("redplan", "9.9.9"), services=[service], summary=Summary(1, 0, 0, errors=1))


def test_awkward_report_exact_text():
    assert render(awkward_report(), root="/work") == """\
## redplan audit

**2 errors, 2 warnings, 2 info** in 3 services of 4 audited (1 clean), 3 files.

| rule | severity | findings | services | name |
|---|---|--:|--:|---|
| RP101 | ❌ error | 4 | 3 | rpo-zero-without-sync |
| RP000 | ⚠️ warning | 1 | 1 | expired-ignore |
| RP998 | ℹ️ info | 1 | 1 | made-up-rule |

### Findings

#### `svc dir/naïve, file:1.yaml`

- service **pay:ments, "core" &lt;v2&gt; &amp; co**
  - ❌ **RP101** error `svc dir/naïve, file:1.yaml:9:7`: He said "no" &amp; &lt;left&gt; it's 100% done, really: yes second line third ünïcødé ✓ 🚀 bell  (rpo-zero-without-sync)
    - fix: use sync: true, or relax the RPO
  - ⚠️ **RP000** warning `svc dir/naïve, file:1.yaml:0:0`: the ignore of RP101 expired, "reason": &lt;none&gt; (expired-ignore)
  - ℹ️ **RP998** info `svc dir/naïve, file:1.yaml:4:1`: a rule this build does not know: é (made-up-rule)

#### `../beside/b.yaml`

- service **b**
  - ⚠️ **RP101** warning `../beside/b.yaml:2:3`: first of two (rpo-zero-without-sync)
  - ❌ **RP101** error `../beside/b.yaml:5:3`: second of two (rpo-zero-without-sync)

#### `/elsewhere/abs.yaml`

- service **abs**
  - ℹ️ **RP101** info `/elsewhere/abs.yaml:1:1`: absolute, outside (rpo-zero-without-sync)
"""


def test_hostile_service_name_and_message_stay_text():
    markdown = render(hostile_report(), root="/work")
    # no line of the output comes from the user: every line starts with redplan's own text
    assert all(line == "" or line.startswith(("## ", "**", "| ", "|---", "### ", "#### ", "- ", "  - ", "    - "))
               for line in markdown.splitlines()), markdown
    assert "\r" not in markdown
    # raw HTML appears only inside code spans, where it is text
    assert "<script>" not in re.sub(r"(`+).*?\1", "", markdown)
    page = html(markdown)
    assert "<script>" not in page and "<a " not in page and "<em>" not in page and "<h1>" not in page
    # the name shows as it was written (line breaks as spaces), in one <strong>, not split or styled
    shown = HOSTILE.replace("\r\n", " ").replace("\n", " ").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert f"service <strong>{shown}</strong>" in page
    assert f"broken by {shown} ({shown})" in page
    assert f"fix: rename {shown}" in page
    # the per-rule table keeps its five columns whatever the rule's name holds
    assert page.count("<tr>") == 2
    for row in re.findall(r"<tr>(.*?)</tr>", page, flags=re.S):
        assert len(re.findall(r"<t[hd][ >]", row)) == 5
    # the file path is one code span holding the whole path and position
    path = display_path(f"svc/{HOSTILE}.yaml", "/work")[0].replace("\r\n", " ").replace("\n", " ")
    escaped = path.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert f"<code>{escaped}:3:5</code>" in page
    assert f"<h4><code>{escaped}</code></h4>" in page


def test_text_and_code_escaping():
    assert text("a_b _c_ *x* <i>|`t`\n# h $5 [l](u) ~~s~~ & \\") == (
        "a_b \\_c\\_ \\*x\\* &lt;i&gt;\\|\\`t\\` # h \\$5 \\[l\\](u) \\~\\~s\\~\\~ &amp; \\\\")
    assert code("plain") == "`plain`"
    assert code("a``b|c") == "```a``b|c```"
    assert code("`x") == "`` `x ``"
    for value in ["a*b*", "<b>x</b>", "[l](u)", "x`y", "1 | 2", "_u_", "$m$", "&amp;"]:
        assert html(f"- {text(value)}") == f"<ul>\n<li>{value.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</li>\n</ul>\n"


def many_findings(count: int, message_bytes: int = 400) -> Report:
    """`count` findings over services of 10 findings each, severities cycling info, warning, error."""
    severities = ("info", "warning", "error")
    services = []
    for number in range(count // 10):
        findings = [finding(severity=severities[(number * 10 + index) % 3], message="m" * message_bytes, service=f"svc-{number}",
                            file=f"services/s{number // 50}.yaml", line=index + 1, hint="h" * 50) for index in range(10)]
        services.append(ServiceResult(name=f"svc-{number}", file=f"services/s{number // 50}.yaml", line=1, objectives={},
                                      findings=findings))
    counts = {severity: sum(f.severity == severity for s in services for f in s.findings) for severity in severities}
    summary = Summary(len(services), 0, 0, errors=counts["error"], warnings=counts["warning"], infos=counts["info"])
    return Report(tool=Tool("redplan", "9.9.9"), services=services, summary=summary)


def listed(markdown: str) -> list[str]:
    return re.findall(r"^  - \S+ \*\*RP101\*\* (\w+) ", markdown, flags=re.M)


def test_large_run_is_capped_below_githubs_limit_and_says_what_was_left_out():
    report = many_findings(6000, message_bytes=200)  # about 2 MB listed in full; the errors alone take 0.7 MB
    markdown = render(report, root=".")
    assert DEFAULT_BUDGET < GITHUB_STEP_SUMMARY_LIMIT == 1024 * 1024
    assert len(markdown.encode("utf-8")) <= DEFAULT_BUDGET
    shown = listed(markdown)
    assert 0 < len(shown) < 6000
    left = re.search(r"^… and ([\d,]+) more findings \(([\d,]+) errors, ([\d,]+) warnings, ([\d,]+) info\) left out to keep "
                     r"this summary under GitHub's 1 MiB limit per step", markdown, flags=re.M)
    assert left, markdown[-500:]
    total, errors, warnings, infos = (int(group.replace(",", "")) for group in left.groups())
    assert total == errors + warnings + infos == 6000 - len(shown)
    assert shown.count("error") + errors == report.summary.errors
    # the most severe go first: every error is listed before any warning is, and warnings before infos
    assert shown.count("error") == report.summary.errors and errors == 0
    assert 0 < shown.count("warning") < report.summary.warnings
    assert "info" not in shown and infos == report.summary.infos
    # the table and summary line still count everything
    assert "| RP101 | ℹ️ info | 6,000 | 600 | rpo-zero-without-sync |" in markdown  # the severity its first finding has
    assert markdown.count("\n#### ") == len(set(re.findall(r"^#### `(.*)`$", markdown, flags=re.M)))  # each file once


@pytest.mark.parametrize("budget", [3_000, 8_000, 50_000])
def test_any_budget_is_kept(budget):
    markdown = render(many_findings(300), root=".", budget=budget)
    assert len(markdown.encode("utf-8")) <= budget
    assert "more findings" in markdown


def test_a_run_that_fits_is_listed_whole():
    markdown = render(many_findings(100), root=".")
    assert len(listed(markdown)) == 100
    assert "left out" not in markdown


def test_clean_run():
    report = replace(awkward_report(), services=[ServiceResult(name="a", file="x.yaml", line=1, objectives={})],
                     summary=Summary(1, 0, 0))
    assert render(report) == "## redplan audit\n\n✅ **No findings**: 1 service in 1 file audited, all clean.\n"


def test_real_audit(audit_spec):
    report = audit_spec(BROKEN_SPEC)
    markdown = render(report)
    [rp101] = [item for service in report.services for item in service.findings if item.rule == "RP101"]
    assert f"  - ❌ **RP101** error `services/db.yaml:9:7`: {text(rp101.message)} (rpo-zero-without-sync)" in markdown
    assert f"    - fix: {text(rp101.hint)}" in markdown
    assert "#### `services/db.yaml`" in markdown
    assert "in 1 service of 2 audited (1 clean), 1 file." in markdown


def test_cli_audit_format_markdown(redplan, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "db.yaml").write_text(BROKEN_SPEC, encoding="utf-8")
    result = redplan("audit", "services/", "--format", "markdown")
    assert result.exit_code == 1
    assert result.stdout.startswith("## redplan audit\n\n**1 error")
    assert "`services/db.yaml:9:7`" in result.stdout


def test_settings_may_choose_markdown(redplan, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "redplan.toml").write_text('format = "markdown"\n', encoding="utf-8")
    (tmp_path / "db.yaml").write_text(BROKEN_SPEC, encoding="utf-8")
    result = redplan("audit", "db.yaml")
    assert result.stdout.startswith("## redplan audit\n")


def test_formatter_for_audit_markdown():
    assert isinstance(formatter_for("audit", "markdown"), AuditMarkdownFormatter)
