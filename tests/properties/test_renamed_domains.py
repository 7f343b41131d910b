"""Renaming a layout's providers, regions and zones (analysis.model.renamed_domains) changes no analysis.

The engine remembers tolerance and availability by the renamed layout, so that services with the same
layout in different regions share one computation; that is only sound if every analysis gives the
renamed layout exactly the same answer, floats to the last bit.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from redplan.analysis.availability import Hierarchy, level, quorum_availability
from redplan.analysis.model import Quorum, Replica, renamed_domains
from redplan.analysis.quorum import analyse_quorums, can_form_after

# Regions of three providers, two of one provider, and zone labels that repeat across regions.
REGIONS = ["aws:us-east-1", "aws:us-west-2", "gcp:europe-west1", "azure:westeurope", "dc:frankfurt-1"]
ROLES = ["primary", "standby", "replica", "witness", "non-voting", "instance"]

replicas_st = st.lists(
    st.builds(Replica, region=st.sampled_from(REGIONS), az=st.sampled_from(["a", "b", "1", "?"]), role=st.sampled_from(ROLES),
              sync=st.booleans(), keeps_log=st.booleans()),
    max_size=7,
).map(tuple)
quorum_st = st.builds(Quorum, size=st.one_of(st.integers(1, 5), st.sampled_from(["one", "majority", "all"])),
                      scope=st.sampled_from(["global", "local", "each"]), among=st.sampled_from(["voters", "data", "data-voters"]),
                      leader=st.booleans())
availability_st = st.sampled_from([0.9, 0.99, 0.9995, 0.99999, 1.0])
hierarchy_st = st.builds(lambda *a: Hierarchy(*(level(x, 3600) for x in a)), *([availability_st] * 4))


def test_names_go_in_order_of_first_appearance_and_keep_sharing():
    replicas = (Replica("gcp:europe-west1", "b", "primary"), Replica("aws:us-east-1", "b", "standby", sync=True),
                Replica("gcp:europe-west1", "b", "replica"), Replica("aws:us-west-2", "a", "witness", keeps_log=True))
    assert renamed_domains(replicas) == (Replica("p0:r0", "z0", "primary"), Replica("p1:r1", "z1", "standby", sync=True),
                                         Replica("p0:r0", "z0", "replica"), Replica("p1:r2", "z2", "witness", keeps_log=True))


def test_the_same_layout_in_other_regions_is_the_same_key():
    east = (Replica("aws:us-east-1", "a", "primary"), Replica("aws:us-east-1", "b", "standby"), Replica("gcp:us-central1", "a", "standby"))
    west = (Replica("aws:eu-west-1", "c", "primary"), Replica("aws:eu-west-1", "a", "standby"), Replica("azure:westeurope", "1", "standby"))
    assert renamed_domains(east) == renamed_domains(west)
    one_provider = (*east[:2], Replica("aws:us-west-2", "a", "standby"))
    assert renamed_domains(one_provider) != renamed_domains(east)


@settings(max_examples=300, deadline=None)
@given(replicas_st, quorum_st, quorum_st, st.one_of(st.none(), quorum_st))
def test_tolerance_and_overlap_are_the_same(replicas, write, read, ack):
    assert analyse_quorums(renamed_domains(replicas), write, read, ack) == analyse_quorums(replicas, write, read, ack)


@settings(max_examples=300, deadline=None)
@given(replicas_st, quorum_st, hierarchy_st)
def test_availability_is_the_same_to_the_last_bit(replicas, quorum, hierarchy):
    assert quorum_availability(renamed_domains(replicas), quorum, hierarchy) == quorum_availability(replicas, quorum, hierarchy)


@settings(max_examples=200, deadline=None)
@given(replicas_st, quorum_st, st.data())
def test_a_concrete_failure_does_the_same(replicas, quorum, data):
    failed = data.draw(st.sets(st.integers(0, max(0, len(replicas) - 1))))
    assert can_form_after(renamed_domains(replicas), failed, quorum) == can_form_after(replicas, failed, quorum)
