"""Tightening an objective never makes the recommendation cheaper; loosening never makes it dearer."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from redplan.catalog import load_catalog
from redplan.engine.recommend import recommend_service
from redplan.spec.loader import load_fleet

RTOS = ["0s", "10s", "1m", "15m", "4h", "1d"]  # strictest first
RPOS = ["0s", "10s", "5m", "1h", "1d"]
SURVIVE = [["node", "az", "region"], ["node", "az"], ["node"]]
CONSISTENCY = ["strong", "bounded", "session", "eventual"]
BUDGETS = ["5ms", "20ms", "100ms", None]
AVAILABILITY = ["99.999%", "99.995%", "99.99%", "99.9%", None]
DIMENSIONS = {"rto": RTOS, "rpo": RPOS, "survive": SURVIVE, "consistency": CONSISTENCY, "budget": BUDGETS, "availability": AVAILABILITY}


def cost(choice: dict[str, int]) -> float:
    """Monthly cost of the recommendation for these objectives; infinite when nothing qualifies."""
    rto, rpo, survive = RTOS[choice["rto"]], RPOS[choice["rpo"]], SURVIVE[choice["survive"]]
    budget, availability = BUDGETS[choice["budget"]], AVAILABILITY[choice["availability"]]
    target = f", availability: {availability}" if availability else ""
    text = f"""version: 1
services:
  - name: svc
    state: stateful
    objectives: {{rto: {rto}, rpo: {rpo}, survive: [{", ".join(survive)}]{target}}}
    consistency: {CONSISTENCY[choice["consistency"]]}
    data: {{kind: document, write_rate: 200/s, write_size: 1KiB, size: 100GiB}}
    regions: [aws:us-east-1, aws:us-east-2, aws:us-west-2]
    clients: [aws:us-east-1]
"""
    if budget:
        text += f"    latency_budget: {{write_p99: {budget}}}\n"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "svc.yaml"
        path.write_text(text, encoding="utf-8")
        fleet = load_fleet([str(path)], load_catalog())
    result = recommend_service(fleet.services[0], fleet.catalog)
    return math.inf if result.recommendation is None else result.recommendation.estimates.monthly_cost_usd


objectives = st.fixed_dictionaries({name: st.integers(0, len(values) - 1) for name, values in DIMENSIONS.items()})


@settings(max_examples=60, deadline=None)
@given(objectives, st.sampled_from(sorted(DIMENSIONS)), st.integers(1, 3))
@example({"rto": 4, "rpo": 0, "survive": 2, "consistency": 0, "budget": 3, "availability": 4}, "rpo", 1)
@example({"rto": 0, "rpo": 0, "survive": 0, "consistency": 0, "budget": 3, "availability": 4}, "rto", 2)
@example({"rto": 3, "rpo": 2, "survive": 0, "consistency": 0, "budget": 3, "availability": 4}, "survive", 1)
@example({"rto": 3, "rpo": 2, "survive": 1, "consistency": 0, "budget": 1, "availability": 4}, "budget", 2)
@example({"rto": 3, "rpo": 2, "survive": 1, "consistency": 0, "budget": 3, "availability": 4}, "consistency", 3)
@example({"rto": 4, "rpo": 3, "survive": 2, "consistency": 3, "budget": 3, "availability": 1}, "availability", 2)
def test_recommendation_cost_is_monotone_in_each_objective(choice, dimension, step):
    looser = dict(choice)
    looser[dimension] = min(choice[dimension] + step, len(DIMENSIONS[dimension]) - 1)
    assert cost(choice) >= cost(looser)  # `choice` is at least as strict in that one objective
