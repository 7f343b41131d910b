"""`redplan staleness`: PBS figures for one N, W, R under a named delay model, and --svg on the text reports."""

from __future__ import annotations

import json

import pytest
from support import EXAMPLES

from redplan.report.staleness_text import BAR_WIDTH, _bar


def staleness_json(redplan, *args: str) -> dict:
    result = redplan("staleness", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_the_papers_lnkd_ssd_case(redplan):
    """Bailis et al. 2012, N = 3, R = W = 1 on LNKD-SSD: 97.5% of reads consistent at commit, 99.9% after 1.85 ms."""
    report = staleness_json(redplan, "-n", "3", "-w", "1", "-r", "1")
    assert report["model"] == "LNKD-SSD" and (report["trials"], report["seed"]) == (100_000, 0)
    assert report["k_staleness"] == pytest.approx([2 / 3, 4 / 9, 8 / 27], abs=1e-9)
    at_commit = report["t_visibility"][0]
    assert at_commit["t_ms"] == 0 and at_commit["p_consistent"] == pytest.approx(0.975, abs=0.003)
    assert 1.85 <= report["ms_to_999"] <= 1.2 * 1.85
    assert [point["p_consistent"] for point in report["t_visibility"]] == sorted(point["p_consistent"] for point in report["t_visibility"])
    assert staleness_json(redplan, "-n", "3", "-w", "1", "-r", "1") == report  # seeded: the same numbers every run


def test_overlapping_quorums_are_never_stale(redplan):
    report = staleness_json(redplan, "-n", "3", "-w", "2", "-r", "2", "--model", "wan")  # names are case-insensitive
    assert report["model"] == "WAN" and report["k_staleness"] == [0.0, 0.0, 0.0]
    assert report["ms_to_999"] == 0.0 and report["t_visibility"] == [{"t_ms": 0.0, "p_consistent": 1.0}]


def test_catalog_round_trips_with_a_region_per_replica(redplan):
    report = staleness_json(redplan, "-n", "3", "-w", "1", "-r", "1", "--region", "aws:us-east-1", "--region", "aws:us-east-1", "--region", "aws:eu-west-1")
    assert report["model"] == "catalog round trips" and "the coordinator at the first" in report["model_basis"]
    assert 0.5 < report["t_visibility"][0]["p_consistent"] < 1.0  # two replicas in the coordinator's region race each other


@pytest.mark.parametrize(("args", "message"), [
    (["-w", "1", "--model", "LNKD-SD"], "unknown model 'LNKD-SD'; did you mean LNKD-SSD?"),
    (["-w", "4"], "--write 4 cannot exceed --replicas 3"),
    (["-w", "1", "--trials", "2000000"], "--trials × --replicas may be at most 5,000,000"),
    (["-w", "1", "--region", "aws:us-east-1"], "--region was given 1 times for --replicas 3"),
    (["-w", "1", "--region", "aws:us-east-1", "--region", "aws:eu-west-9", "--region", "aws:eu-west-1"], "unknown region 'aws:eu-west-9'; did you mean aws:eu-west-1?"),
    (["-w", "1", "--format", "json", "--svg", "out.svg"], "--svg draws the text report; it cannot go with --format json"),
])
def test_bad_arguments_exit_2_with_a_message(redplan, args, message):
    result = redplan("staleness", "-n", "3", "-r", "1", *args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_the_chart_draws_nines():
    assert _bar(0.999) == "█" * (BAR_WIDTH // 2)  # 3 of 6 nines: half the bar
    assert _bar(1.0) == "█" * BAR_WIDTH and _bar(0.0) == ""


@pytest.mark.parametrize("command", [
    ["staleness", "-n", "3", "-w", "1", "-r", "1"],
    ["recommend", str(EXAMPLES / "order-database.yaml")],
    ["audit", str(EXAMPLES / "shop-platform.yaml")],
    ["simulate", str(EXAMPLES), "--fail", "region:azure:eastus"],
])
def test_svg_saves_the_text_report_in_colour_and_never_overwrites(redplan, tmp_path, command):
    image = tmp_path / "report.svg"
    first = redplan(*command, "--svg", str(image))
    assert first.exit_code in (0, 1) and f"wrote {image}" in first.stderr
    text = image.read_text(encoding="utf-8")
    assert text.startswith("<svg") and "redplan" in text and "fill=\"#" in text  # coloured spans
    words = [word for word in first.stdout.split() if word.isalpha() and len(word) > 5][:3]
    assert words and all(word in text for word in words)  # the same report as on stdout
    again = redplan(*command, "--svg", str(image))
    assert again.exit_code == 2 and "exists" in again.stderr and image.read_text(encoding="utf-8") == text
