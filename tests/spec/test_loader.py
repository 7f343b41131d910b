"""Loading a fleet: tiers, sites, documents and files together, and where each service stands."""

from __future__ import annotations

import pytest
from support import EXAMPLES

from redplan.catalog import load_catalog
from redplan.spec.errors import SpecInputError
from redplan.spec.loader import load_fleet


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_tier_fills_only_what_is_left_out(tmp_path):
    path = write(tmp_path, "svc.yaml", "version: 1\nservices:\n  - name: a\n    tier: important\n    state: stateful\n    objectives: {rpo: 0s}\n")
    (service,) = load_fleet([path], load_catalog()).services
    objectives = service.spec.objectives
    assert objectives.rpo == 0  # written: wins over the tier's 5m
    assert (objectives.rto, objectives.availability, objectives.survive) == (900, 0.999, ["node", "az"])
    assert service.from_tier == ("rto", "survive", "availability")


def test_no_tier_leaves_objectives_alone(tmp_path):
    path = write(tmp_path, "svc.yaml", "version: 1\nservices:\n  - name: a\n    state: stateless\n")
    (service,) = load_fleet([path], load_catalog()).services
    assert service.spec.objectives.rto is None and service.from_tier == ()


def test_services_across_files_and_documents(tmp_path):
    first = write(tmp_path, "a.yaml", "version: 1\nservices:\n  - name: web\n    state: stateless\n    depends_on: [db]\n")
    second = write(tmp_path, "b.yaml", "version: 1\nservices: []\n---\nversion: 1\nservices:\n  - name: db\n    state: stateful\n")
    fleet = load_fleet([first, second], load_catalog())
    assert [service.name for service in fleet.services] == ["web", "db"]
    assert fleet.services[1].locate() == (6, 5)
    assert fleet.services[1].locate("state") == (7, 12)
    with pytest.raises(SpecInputError, match="depends on 'db', which is not a service"):
        load_fleet([first], load_catalog())


def test_sites_extend_the_catalog():
    fleet = load_fleet([str(EXAMPLES / "onprem-two-datacenters.yaml")], load_catalog())
    between_sites = fleet.catalog.rtt("dc:frankfurt-1", "dc:amsterdam-1")
    assert (between_sites.p50_ms, between_sites.estimated) == (8, False)
    to_cloud = fleet.catalog.rtt("aws:eu-central-1", "dc:frankfurt-1")
    assert to_cloud.p50_ms == 2
    assert "dc:frankfurt-1" not in load_catalog().regions  # the shipped catalog is untouched


def test_site_defined_twice(tmp_path):
    site = "version: 1\nsites:\n  - {name: dc:x, lat: 1, lon: 1}\n"
    first, second = write(tmp_path, "a.yaml", site), write(tmp_path, "b.yaml", site)
    with pytest.raises(SpecInputError) as raised:
        load_fleet([first, second], load_catalog())
    assert [str(error) for error in raised.value.errors] == [f"{second}:3:12: site 'dc:x' is already defined ({first}:3)"]


@pytest.mark.parametrize(
    ("quorum", "message"),
    [
        ("{write: 3, read: 1, scope: local}", "write quorum 3 is larger than the 2 voting replicas in aws:us-east-1 (scope local"),
        ("{write: 1, read: 2, scope: each}", "read quorum 2 is larger than the 1 data-bearing replicas in aws:eu-west-1 (scope each"),
        ("{write: majority, read: all, scope: each}", None),
    ],
)
def test_quorum_capacity_follows_its_scope(tmp_path, quorum, message):
    text = f"""version: 1
services:
  - name: kv
    state: stateful
    deployment:
      replicas:
        - {{region: aws:us-east-1, count: 2}}
        - {{region: aws:eu-west-1}}
        - {{region: aws:eu-west-1, role: witness}}
      quorum: {quorum}
"""
    path = write(tmp_path, "kv.yaml", text)
    if message is None:
        assert load_fleet([path], load_catalog()).services
        return
    with pytest.raises(SpecInputError, match=message.replace("(", r"\(")):
        load_fleet([path], load_catalog())


def test_many_errors_in_one_file_are_all_reported_in_line_order(tmp_path):
    text = "version: 1\nservices:\n  - name: a\n    state: solid\n    regions: [aws:nowhere]\n    colour: blue\n"
    path = write(tmp_path, "svc.yaml", text)
    with pytest.raises(SpecInputError) as raised:
        load_fleet([path], load_catalog())
    assert [(error.line, error.column) for error in raised.value.errors] == [(4, 12), (6, 5)]


def test_numbered_zones_may_be_written_as_numbers(tmp_path):
    text = "version: 1\nservices:\n  - name: db\n    state: stateful\n    deployment:\n      replicas: [{region: azure:eastus, az: 1}]\n"
    (service,) = load_fleet([write(tmp_path, "svc.yaml", text)], load_catalog()).services
    assert service.spec.deployment.replicas[0].az == "1"
