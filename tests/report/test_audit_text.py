"""The audit's terminal text: ANSI styles only where the terminal takes them, plain text in CI logs."""

from __future__ import annotations

import io

from report_samples import BROKEN_SPEC

from redplan.report.audit_text import AuditTextFormatter, painter


def _text(report) -> str:
    stream = io.StringIO()
    AuditTextFormatter().write(report, stream)
    return stream.getvalue()


def test_piped_output_is_plain_and_grouped(audit_spec, monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    text = _text(audit_spec(BROKEN_SPEC))
    assert "\x1b[" not in text
    lines = text.splitlines()
    assert lines[0] == "services/db.yaml"
    assert lines[1].startswith("  service ")
    assert any(line.startswith("    services/db.yaml:") and " error " in line for line in lines)
    assert lines[-1].endswith("info") and " audited, " in lines[-1]


def test_a_colour_terminal_gets_the_severity_styles(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.delenv("NO_COLOR", raising=False)
    paint = painter(io.StringIO())
    assert paint("RP101 error", "bold red") == "\x1b[1;31mRP101 error\x1b[0m"
    assert paint("fix: x", "dim") == "\x1b[2mfix: x\x1b[0m"


def test_no_color_drops_colours_but_keeps_bold_as_rich_does(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    assert painter(io.StringIO())("RP101 error", "bold red") == "\x1b[1mRP101 error\x1b[0m"


def test_a_table_counts_findings_and_services_per_rule_worst_first(redplan):
    from support import EXAMPLES

    lines = redplan("audit", str(EXAMPLES)).stdout.splitlines()
    start = lines.index("  rule   severity  findings  services  name")
    table = [line.split() for line in lines[start + 1 : -1]]
    assert table == [
        ["RP603", "error", "2", "2", "shared-region-fate"],
        ["RP105", "warning", "1", "1", "sync-degrades-with-rpo-zero"],
        ["RP601", "warning", "1", "1", "objective-inversion"],
        ["RP402", "info", "1", "1", "over-engineered"],
    ]
    assert lines[start - 1] == "" and lines[-1].startswith("13 services audited, 10 clean")


def test_a_clean_run_has_no_table(redplan, tmp_path):
    path = tmp_path / "clean.yaml"
    path.write_text("version: 1\nservices:\n  - name: web\n    state: stateless\n    capacity: 2\n    regions: [aws:us-east-1]\n"
                    "    objectives: {rto: 1h, survive: [node]}\n    deployment:\n      pattern: n-plus-1\n      replicas:\n"
                    "        - {region: aws:us-east-1, az: a, role: instance, count: 3}\n", encoding="utf-8")
    result = redplan("audit", str(path))
    assert result.exit_code == 0 and result.stdout == "1 service audited, 1 clean: 0 errors, 0 warnings, 0 info\n"
