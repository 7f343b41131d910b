"""Data at risk in the reports: replication lag (the catalog's, or the service's own) and backup windows."""

from __future__ import annotations

import json
import math
import re

import pytest

from redplan.analysis.data_loss import LognormalLag
from redplan.catalog import load_catalog

ORDERS = """version: 1
services:
  - name: orders
    state: stateful
    objectives: {{rto: 1h, rpo: 5m, survive: [node, az, region]}}
    data: {{{data}}}
    regions: [aws:us-east-1, aws:us-west-2]
    clients: [aws:us-east-1]
    technology: aurora
    deployment:
      pattern: active-passive
      replication: {replication}
      replicas:
        - {{region: aws:us-east-1, az: a, role: primary}}
        - {{region: aws:us-west-2, az: a, role: standby{sync}}}
{extra}"""


ARCHIVE = """version: 1
services:
  - name: archive
    state: stateful
    objectives: {rto: 1d, rpo: 1d, survive: [node, az]}
    data: {write_rate: 5/min, size: 100GiB}
    regions: [aws:us-east-1]
    deployment:
      pattern: backup-restore
      replicas: [{region: aws:us-east-1, az: a, role: primary}]
      backups: {interval: 12h}
"""


def write_archive(tmp_path) -> str:
    path = tmp_path / "archive.yaml"
    path.write_text(ARCHIVE, encoding="utf-8")
    return str(path)


def write(tmp_path, replication: str = "async", extra: str = "", data: str = "write_rate: 50/s, size: 100GiB"):
    path = tmp_path / "orders.yaml"
    sync = ", sync: true" if replication == "sync" else ""
    path.write_text(ORDERS.format(replication=replication, sync=sync, extra=extra, data=data), encoding="utf-8")
    return str(path)


def service(redplan, command: str, path: str) -> dict:
    result = redplan(command, path, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)["services"][0]


def test_the_catalog_lag_with_the_assumed_spread(redplan, tmp_path):
    lag = load_catalog().technologies().async_lag("aurora")
    assert (lag.seconds, lag.source) == (0.02, "aurora-failover-blog")  # the figures below rest on it
    path = write(tmp_path)
    recommended = service(redplan, "recommend", path)
    audited = service(redplan, "audit", path)
    assert recommended["recommendation"]["kind"] == "active-passive (async)"
    for loss in (recommended["assessment"]["estimates"]["data_loss"], recommended["recommendation"]["estimates"]["data_loss"],
                 audited["assessment"]["estimates"]["data_loss"]):
        # median 20 ms, p99 10 × 20 ms = 200 ms: σ = ln 10 / z99 = 0.989785, E[L] = 0.02 × e^(σ²/2) = 0.0326410 s,
        # 50 writes/s × 0.0326410 s = 1.63205 writes; P(none) = E[e^(−50 L)] = 0.381442 (a = 1; simulated in tests/analysis)
        assert loss["window"] == "replication lag"
        assert (loss["confidence"], loss["rpo_s"], loss["median_s"], loss["mean_s"]) == (0.99, 0.2, 0.02, 0.032641)
        assert loss["expected_writes_lost"] == 1.63205
        assert loss["p_nothing_lost"] == pytest.approx(0.381442, abs=2e-6)
        assert "median the typical lag for aurora, 20ms (documented)" in loss["basis"]
        assert "p99 10 × the median (an assumption" in loss["basis"] and "Poisson writes at 50/s" in loss["basis"]
    estimates = recommended["recommendation"]["estimates"]
    assert estimates["rpo_s"] == 0.02  # the RPO check keeps the typical lag: data_loss adds to it, changes nothing


def test_the_service_s_own_lag_replaces_the_catalog_figure(redplan, tmp_path):
    path = write(tmp_path, extra="      replication_lag: {p50: 200ms, p99: 5s}\n")
    for loss in (service(redplan, "recommend", path)["recommendation"]["estimates"]["data_loss"],
                 service(redplan, "audit", path)["assessment"]["estimates"]["data_loss"]):
        # σ = ln 25 / z99 = 1.383661, E[L] = 0.2 × e^(0.957258) = 0.2 × 2.604546 = 0.520909 s; × 50/s = 26.0455 writes
        assert (loss["rpo_s"], loss["median_s"], loss["mean_s"], loss["expected_writes_lost"]) == (5.0, 0.2, 0.520909, 26.0455)
        assert loss["p_nothing_lost"] == pytest.approx(LognormalLag(0.2, 5.0).p_no_write(50.0), rel=1e-5)  # the analysis, fed the measurement
        assert "through deployment.replication_lag: median 200ms, p99 5s" in loss["basis"]
        assert "typical" not in loss["basis"] and "an assumption" not in loss["basis"]


def test_without_a_write_rate_only_the_window(redplan, tmp_path):
    loss = service(redplan, "audit", write(tmp_path, data="size: 100GiB"))["assessment"]["estimates"]["data_loss"]
    assert (loss["rpo_s"], loss["expected_writes_lost"], loss["p_nothing_lost"]) == (0.2, None, None)
    assert "write rate not stated" in loss["basis"]


def test_a_backup_window(redplan, tmp_path):
    loss = service(redplan, "audit", write_archive(tmp_path))["assessment"]["estimates"]["data_loss"]
    # copy: 100 GiB at the generic 125 MiB/s = 819.2 s; RPO 99% = 819.2 + 0.99 × 43200 = 43587.2 s; mean 819.2 + 21600 = 22419.2 s;
    # 5/min × 22419.2 s = 1868.27 writes; P(none) = e^(−68.27) × (1 − e^(−3600)) / 3600 = 6.2497e-34
    assert loss["window"] == "backup"
    assert (loss["rpo_s"], loss["median_s"], loss["mean_s"], loss["expected_writes_lost"]) == (43587.2, 22419.2, 22419.2, 1868.27)
    assert loss["p_nothing_lost"] == pytest.approx(math.exp(-819.2 / 12) / 3600, rel=1e-5)
    assert "loses the writes since the last backup copied off-site: uniform between the copy time 13m 39s" in loss["basis"]


def test_synchronous_designs_risk_no_acknowledged_write(redplan, tmp_path):
    path = write(tmp_path, replication="sync")
    assert service(redplan, "audit", path)["assessment"]["estimates"]["data_loss"] is None
    path = tmp_path / "ledger.yaml"
    path.write_text(ORDERS.format(replication="sync", sync=", sync: true", extra="", data="write_rate: 50/s")
                    .replace("rpo: 5m", "rpo: 0"), encoding="utf-8")
    recommended = service(redplan, "recommend", str(path))
    assert recommended["recommendation"]["estimates"]["rpo_s"] == 0
    assert recommended["recommendation"]["estimates"]["data_loss"] is None


@pytest.mark.parametrize(("lag", "column", "message"), [
    ("{p50: 2s, p99: 500ms}", 39, "deployment.replication_lag.p99 500ms is below p50 2s"),
    ("{p50: 200, p99: 5s}", 30, "deployment.replication_lag.p50: 200 needs a unit"),
    ("{p50: 0, p99: 5s}", 30, "deployment.replication_lag.p50 must be above 0"),
])
def test_a_bad_lag_is_an_input_error_at_its_line(redplan, tmp_path, lag, column, message):
    path = write(tmp_path, extra=f"      replication_lag: {lag}\n")
    for command in ("validate", "audit", "recommend"):
        result = redplan(command, path)
        assert result.exit_code == 2
        assert f"{path}:16:{column}: service 'orders': {message}" in result.stderr + result.stdout


def test_the_terminal_report_shows_the_data_at_risk(redplan, tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    text = redplan("recommend", write(tmp_path)).stdout
    assert re.search(r"\n  data at risk +RPO 200ms at 99% confidence \(median lag 20ms\); about 1\.6 writes lost on average per failure; "
                     r"a 38% chance of losing none", text)
    assert "\n  data at risk: lag lognormal: median the typical lag for aurora" in text
    # the recommended backups every 4h (the cheapest that meet rpo 1d): 819.2 + 0.99 × 14400 = 15075 s, median 819.2 + 7200 s;
    # 8019.2 s × 5/min = 668 writes, and P(none) = 1.9e-33
    text = redplan("recommend", write_archive(tmp_path)).stdout
    assert re.search(r"\n  data at risk +RPO 4h 11m at 99% confidence \(median 2h 13m since the last backup off-site\); "
                     r"about 670 writes lost on average per failure; under a 0\.01% chance of losing none", text)
