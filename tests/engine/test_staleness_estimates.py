"""PBS figures in the reports: k-staleness for every leaderless partial quorum, t-visibility in recommend."""

from __future__ import annotations

import json

import pytest

from redplan.analysis.model import Replica
from redplan.analysis.visibility import LognormalDelay, PerReplicaWars, Wars, simulate_staleness
from redplan.catalog import load_catalog
from redplan.engine.evaluate import round_trip

SESSIONS = """version: 1
services:
  - name: sessions
    state: stateful
    objectives: {{rto: 1h, rpo: 1h}}
    consistency: eventual
    regions: [aws:us-east-1, aws:eu-west-1]
    clients: [aws:us-east-1]
    deployment:
      pattern: quorum
      replicas:
        - {{region: aws:us-east-1, az: a, role: replica}}
        - {{region: {second}, role: replica}}
        - {{region: aws:eu-west-1, az: b, role: replica}}
      quorum: {{write: {w}, read: {r}}}
"""


def run(redplan, tmp_path, command: str, w: int = 1, r: int = 1, second: str = "aws:eu-west-1, az: a") -> dict:
    path = tmp_path / "sessions.yaml"
    path.write_text(SESSIONS.format(w=w, r=r, second=second), encoding="utf-8")
    result = redplan(command, str(path), "--format", "json")
    return json.loads(result.stdout)["services"][0]


def test_audit_gives_the_closed_form_only(redplan, tmp_path):
    staleness = run(redplan, tmp_path, "audit")["assessment"]["staleness"]
    assert (staleness["n"], staleness["w"], staleness["r"]) == (3, 1, 1)
    assert staleness["k_staleness"] == pytest.approx([2 / 3, 4 / 9, 8 / 27], abs=1e-9)  # (C(2,1)/C(3,1))^k
    assert staleness["consistent_at_commit"] is None and staleness["trials"] is None  # no simulation in the CI gate
    assert run(redplan, tmp_path, "audit", w=2, r=2)["assessment"]["staleness"] is None  # R + W > N: quorums overlap


def test_recommend_simulates_this_placement_and_repeats_itself(redplan, tmp_path):
    first = run(redplan, tmp_path, "recommend")["assessment"]["staleness"]
    again = run(redplan, tmp_path, "recommend")["assessment"]["staleness"]
    assert first == again and first["trials"] == 100_000 and first["seed"] == 0
    # the coordinator is the us-east-1 replica; the other two are an ocean away, so the write commits on
    # the coordinator's own ack and the read is answered first by it too: every read sees the write
    assert first["consistent_at_commit"] == 1.0 and first["ms_to_999"] == 0.0
    assert "lognormal through half the catalog's p50 and p95" in first["model"]


def test_the_simulation_is_the_analysis_fed_with_the_catalog_round_trips(redplan, tmp_path):
    """Two replicas in the coordinator's zone answer equally fast: the write may commit on one while the
    read is answered by the other before the write reaches it."""
    catalog = load_catalog()
    coordinator = Replica("aws:us-east-1", "a", "replica")
    replicas = [coordinator, Replica("aws:us-east-1", "a", "replica"), Replica("aws:eu-west-1", "b", "replica")]
    laws = []
    for replica in replicas:
        rtt = round_trip(catalog, coordinator, replica)
        laws.append(Wars.symmetric(LognormalDelay(rtt.scale_ms / 2, rtt.sigma)))
    windows = simulate_staleness(PerReplicaWars(tuple(laws)), 3, 1, 1, 100_000, 0)
    staleness = run(redplan, tmp_path, "recommend", second="aws:us-east-1, az: a")["assessment"]["staleness"]
    assert 0.5 < staleness["consistent_at_commit"] < 0.999
    assert staleness["consistent_at_commit"] == pytest.approx(float(windows.p_consistent(0.0)), abs=1e-6)
    assert staleness["ms_to_999"] == pytest.approx(windows.time_to(0.999), abs=1e-3)
