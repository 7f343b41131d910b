"""Recommend is monotone in its objectives, checked design by design.

tests/engine/test_monotone.py loosens one objective at a time for one service (three AWS regions,
a document store, no technology) and compares the recommended cost. Here every objective is
tightened at once, on generated services (one to three regions over several providers, remote
clients, data kinds that rule out LWW or CRDTs, named technologies that rule out patterns,
stateless tiers), including the near-zero RTO boundary (15 s), survive `provider` and absent
objectives; and the claim is the stronger one behind it: a tighter set of objectives never
accepts a design that a looser set rejects, and never fails a design on fewer objectives, so it
can never yield a cheaper recommendation.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from redplan.catalog import load_catalog
from redplan.engine.candidates import candidate_designs
from redplan.engine.declared import DEFAULT_CAPACITY
from redplan.engine.evaluate import Context, evaluate
from redplan.engine.recommend import recommend_service
from redplan.spec.loader import load_fleet

# Strictest first; None (the objective left out) is the loosest of all.
DIMENSIONS = {
    "rto": ["0s", "10s", "14s", "15s", "16s", "1m", "15m", "4h", "1d", None],
    "rpo": ["0s", "1s", "10s", "5m", "1h", "1d", None],
    "survive": [["node", "az", "region", "provider"], ["node", "az", "region"], ["node", "az"], ["node"], None],
    "availability": ["99.999%", "99.995%", "99.99%", "99.95%", "99.9%", "99%", None],
    "consistency": ["strong", "bounded", "session", "eventual", None],
    "budget": ["2ms", "5ms", "20ms", "100ms", "400ms", None],
}
REGIONS = ["aws:us-east-1", "aws:us-east-2", "aws:us-west-2", "aws:eu-west-1", "gcp:us-central1", "azure:eastus"]
CATALOG = load_catalog()

service_st = st.fixed_dictionaries({
    "state": st.sampled_from(["stateful", "stateful", "stateful", "stateless"]),
    "regions": st.lists(st.sampled_from(REGIONS), min_size=1, max_size=3, unique=True),
    "clients": st.lists(st.sampled_from(REGIONS), max_size=1),
    "kind": st.sampled_from([None, "document", "ledger", "counter"]),
    "technology": st.sampled_from([None, None, "postgresql", "cockroachdb", "cassandra", "mongodb"]),
})


@st.composite
def tightening(draw):
    """(strict, loose): an index per objective; some objectives loosened by a step or a few (small
    steps find boundaries such as the near-zero RTO), the others the same."""
    strict = {name: draw(st.integers(0, len(values) - 1), label=f"strict {name}") for name, values in DIMENSIONS.items()}
    loosened = draw(st.sets(st.sampled_from(sorted(DIMENSIONS)), min_size=1), label="loosened")
    loose = {name: min(index + draw(st.integers(1, 3), label=f"step {name}"), len(DIMENSIONS[name]) - 1) if name in loosened else index
             for name, index in strict.items()}
    return strict, loose


def service_file(shape: dict, choice: dict[str, int]) -> str:
    value = {name: DIMENSIONS[name][index] for name, index in choice.items()}
    objectives = [f"{key}: {value[key]}" for key in ("rto", "rpo", "availability") if value[key] is not None]
    if value["survive"] is not None:
        objectives.append(f"survive: [{', '.join(value['survive'])}]")
    lines = ["version: 1", "services:", "  - name: svc", f"    state: {shape['state']}",
             f"    objectives: {{{', '.join(objectives)}}}", f"    regions: [{', '.join(shape['regions'])}]"]
    if shape["clients"]:
        lines.append(f"    clients: [{', '.join(shape['clients'])}]")
    if shape["state"] == "stateless":
        lines.append("    capacity: 3")
    else:
        kind = f"kind: {shape['kind']}, " if shape["kind"] else ""
        lines.append(f"    data: {{{kind}write_rate: 500/s, write_size: 2KiB, size: 200GiB}}")
        if shape["technology"]:
            lines.append(f"    technology: {shape['technology']}")
    if value["consistency"] is not None:
        lines.append(f"    consistency: {value['consistency']}")
    if value["budget"] is not None:
        lines.append(f"    latency_budget: {{write_p99: {value['budget']}}}")
    return "\n".join(lines) + "\n"


def load(text: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "svc.yaml"
        path.write_text(text, encoding="utf-8")
        return load_fleet([str(path)], CATALOG).services[0]


def unmet_by_design(loaded) -> dict:
    """Every candidate design (the set depends only on where the service runs) -> the objectives it misses."""
    service = loaded.spec
    context = Context(service, CATALOG)
    designs = candidate_designs(service, CATALOG, service.capacity or DEFAULT_CAPACITY)
    return {design: {check.objective for check in evaluate(design, context).checks if not check.met} for design in designs}


def recommended_cost(loaded) -> float:
    recommendation = recommend_service(loaded, CATALOG).recommendation
    return math.inf if recommendation is None else recommendation.estimates.monthly_cost_usd


AWS3 = ["aws:us-east-1", "aws:us-east-2", "aws:us-west-2"]
LOOSEST = {name: len(values) - 1 for name, values in DIMENSIONS.items()}


def shape(technology=None, regions=AWS3, clients=(), kind="document", state="stateful"):
    return {"state": state, "regions": list(regions), "clients": list(clients), "kind": kind, "technology": technology}


def pair(**steps: tuple[int, int]) -> tuple[dict[str, int], dict[str, int]]:
    """Everything at its loosest but the named objectives, each (strict index, loose index)."""
    return {**LOOSEST, **{name: a for name, (a, _) in steps.items()}}, {**LOOSEST, **{name: b for name, (_, b) in steps.items()}}


@settings(max_examples=50, deadline=None)
@given(service_st, tightening())
# boundaries found by hand: a random search reaches them rarely
@example(shape("cockroachdb"), pair(rto=(0, 1)))  # RTO 0 (near zero: a 12 s re-election is fine) vs 10 s
@example(shape("mongodb"), pair(rto=(2, 4)))  # 14 s vs 16 s around the near-zero allowance (15 s)
@example(shape(regions=["aws:us-east-1", "gcp:us-central1", "azure:eastus"]), pair(survive=(0, 1)))  # provider vs region
@example(shape("cassandra"), pair(consistency=(0, 1)))  # strong vs bounded: leaderless quorums give bounded
@example(shape(clients=["aws:eu-west-1"]), pair(budget=(2, 3), rpo=(0, 1)))  # a remote client's round trip
@example(shape(kind="ledger"), pair(availability=(2, 3), rto=(5, 6)))
def test_tighter_objectives_never_accept_more_designs_nor_a_cheaper_one(shape, pair):
    strict_choice, loose_choice = pair
    strict, loose = load(service_file(shape, strict_choice)), load(service_file(shape, loose_choice))
    strict_unmet, loose_unmet = unmet_by_design(strict), unmet_by_design(loose)
    assert strict_unmet.keys() == loose_unmet.keys()  # objectives only filter: same candidates
    for design, missed in loose_unmet.items():
        assert missed <= strict_unmet[design], (design.kind, design.placement_summary, missed, strict_unmet[design])
    assert recommended_cost(strict) >= recommended_cost(loose)
