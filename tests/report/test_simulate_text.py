"""The terminal text of `redplan simulate`: plain and within 80 columns in CI logs, every touched service shown."""

from __future__ import annotations

from support import EXAMPLES, REPO


def test_piped_output_is_plain_fits_80_columns_and_shows_the_choice(redplan, monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "80")  # what a CI log gets when nothing says otherwise
    monkeypatch.chdir(REPO)  # file names as a CI job gives them: relative to the checkout
    text = redplan("simulate", "examples", "--fail", "worst-region").stdout
    lines = text.splitlines()
    assert "\x1b[" not in text
    assert all(len(line) <= 80 and line == line.rstrip() for line in lines), [line for line in lines if len(line) > 80]
    assert lines[0] == "Scenario: region:azure:eastus"
    assert lines[1].split() == ["writes", "reads", "data", "hit", "the", "worst", "region", "of", "13", "tried,", "then", "runners-up"]
    assert lines[2].split() == ["1", "1", "2", "2", "region:azure:eastus"]
    assert any(line.startswith("✘ order-store  examples/shop-platform.yaml:") for line in lines)
    assert "  ✘ writes  ✘ reads  ✘ data may be lost  (2 of 2 replicas down)" in lines
    assert "  hit through shopping-cart → order-store" in lines
    assert "Not simulated: clickstream-ingest (declares no deployment), reporting-cache" in lines
    assert lines[-2:] == ["13 services, 11 simulated: writes lost in 1, reads lost in 1, data may be lost",
                          "  in 2, 2 hit through depends_on; 3 breach an objective"]


def test_a_stateless_service_serves_or_not(redplan):
    lines = redplan("simulate", str(EXAMPLES), "--fail", "region:aws:us-west-2").stdout.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("✘ web-frontend")))
    assert lines[start + 1] == "  ✘ serves  (6 of 6 instances down)"
    assert lines[start + 2].startswith("  ✘ rto 1m at risk: it cannot serve until the failed domain returns or")
