from types import SimpleNamespace

import pytest

from redplan.catalog import SiteDataError, load_catalog

CATALOG = load_catalog()


def site(name, lat, lon, zones=2, **rtt_ms):
    return SimpleNamespace(name=name, lat=lat, lon=lon, zones=zones, rtt_ms=rtt_ms)


def frankfurt(**rtt_ms):
    return site("dc:frankfurt-1", 50.11, 8.68, **rtt_ms)


AMSTERDAM = site("dc:amsterdam-1", 52.37, 4.90)


def test_sites_become_regions_with_measured_round_trips():
    extended = CATALOG.with_sites([frankfurt(**{"aws:eu-central-1": 1.5, "dc:amsterdam-1": 8}), AMSTERDAM])
    region = extended.region("dc:frankfurt-1")
    assert (region.provider, region.name, region.az_count, region.source) == ("dc", "frankfurt-1", 2, "site declared in spec")
    measured = extended.rtt("dc:frankfurt-1", "dc:amsterdam-1")
    assert (measured.p50_ms, measured.source, measured.estimated) == (8, "measured (spec)", False)
    reverse = extended.rtt("aws:eu-central-1", "dc:frankfurt-1")
    assert reverse.p50_ms == 1.5
    assert "direction published" in reverse.basis
    estimated = extended.rtt("dc:amsterdam-1", "aws:us-east-1")
    assert estimated.estimated and estimated.p50_ms >= estimated.floor_ms


def test_sites_leave_the_original_catalog_and_its_fit_alone():
    extended = CATALOG.with_sites([AMSTERDAM])
    assert "dc:amsterdam-1" not in CATALOG.regions
    assert extended.inflation_fit is CATALOG.inflation_fit
    assert extended.directory is CATALOG.directory


def test_same_site_round_trip_is_a_labelled_assumption():
    figure = CATALOG.with_sites([AMSTERDAM]).rtt("dc:amsterdam-1", "dc:amsterdam-1")
    assert figure.source.startswith("assumption:")


def test_site_round_trip_below_the_floor_names_where_it_is():
    with pytest.raises(SiteDataError) as raised:
        CATALOG.with_sites([frankfurt(**{"dc:amsterdam-1": 3}), AMSTERDAM])
    assert raised.value.where == (0, "rtt_ms", "dc:amsterdam-1")
    assert raised.value.message == "3 ms to dc:amsterdam-1 is below the physical floor of 3.6 ms for 364 km of fiber"


def test_site_round_trip_to_an_unknown_region():
    with pytest.raises(SiteDataError) as raised:
        CATALOG.with_sites([AMSTERDAM, frankfurt(**{"aws:eu-central-9": 2})])
    assert raised.value.where == (1, "rtt_ms", "aws:eu-central-9")
    assert "did you mean aws:eu-central-1" in raised.value.message


def test_site_named_like_an_existing_region():
    with pytest.raises(SiteDataError) as raised:
        CATALOG.with_sites([AMSTERDAM, AMSTERDAM])
    assert raised.value.where == (1, "name")
