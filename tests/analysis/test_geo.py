import math

import pytest

from redplan.analysis.geo import (
    EARTH_MEAN_RADIUS_KM,
    fiber_floor_ms,
    fit_inflation,
    great_circle_km,
)

LONDON = (51.5074, -0.1278)
NEW_YORK = (40.7128, -74.0060)


def test_london_new_york_is_about_5570_km():
    assert great_circle_km(*LONDON, *NEW_YORK) == pytest.approx(5570, rel=0.005)


def test_distance_is_symmetric_and_zero_at_the_same_point():
    assert great_circle_km(*LONDON, *NEW_YORK) == great_circle_km(*NEW_YORK, *LONDON)
    assert great_circle_km(*LONDON, *LONDON) == 0.0


def test_one_degree_of_latitude_and_the_antipode():
    assert great_circle_km(0, 0, 1, 0) == pytest.approx(111.195, abs=0.001)
    assert great_circle_km(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_MEAN_RADIUS_KM)


def test_fiber_floor_is_there_and_back_at_200_km_per_ms():
    assert fiber_floor_ms(1000) == 10.0
    assert fiber_floor_ms(0) == 0.0


def test_fit_recovers_an_exact_line():
    fit = fit_inflation((floor, 5 + 1.5 * floor) for floor in (1, 10, 50, 100))
    assert fit.intercept_ms == pytest.approx(5)
    assert fit.slope == pytest.approx(1.5)
    assert fit.pairs == 4
    assert fit.median_relative_error == pytest.approx(0, abs=1e-12)


def test_estimate_never_goes_below_the_floor():
    fit = fit_inflation([(10, 20), (100, 60)])  # slope < 1: the line crosses the floor near 130 ms
    assert fit.slope < 1
    assert fit.estimate_ms(200) == 200


def test_fit_rejects_data_without_a_distance_spread():
    with pytest.raises(ValueError):
        fit_inflation([(10, 20), (10, 25)])
