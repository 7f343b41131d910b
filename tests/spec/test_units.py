"""Units: every spelling the spec documents, and the mistakes it must refuse."""

from __future__ import annotations

import pytest
from pydantic_core import PydanticCustomError

from redplan.spec.units import (
    format_duration,
    parse_duration,
    parse_fraction,
    parse_rate,
    parse_size,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (0, 0.0), ("0s", 0.0), ("500ms", 0.5), ("30s", 30.0), ("5m", 300.0), ("5min", 300.0),
        ("4h", 14400.0), ("2d", 172800.0), ("1w", 604800.0), ("1.5h", 5400.0),
        ("PT5M", 300.0), ("PT0.5S", 0.5), ("P1D", 86400.0), ("P1DT2H", 93600.0), ("PT1H30M", 5400.0),
    ],
)
def test_durations(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["5 minutes", "5", "-5s", "PT", "P", "5y", "", "nan s", "1e400s", True, [1]])
def test_bad_durations(text):
    with pytest.raises(PydanticCustomError):
        parse_duration(text)


def test_bare_number_duration_asks_for_a_unit():
    with pytest.raises(PydanticCustomError, match="30 needs a unit"):
        parse_duration(30)


def test_absurd_duration_is_refused():
    with pytest.raises(PydanticCustomError, match="longer than 100 years"):
        parse_duration("99999999d")


@pytest.mark.parametrize(
    ("text", "per_second"),
    [("2000/s", 2000.0), ("10k/min", 10_000 / 60), ("5/h", 5 / 3600), ("1.5M/d", 1.5e6 / 86400), (0, 0.0)],
)
def test_rates(text, per_second):
    assert parse_rate(text) == pytest.approx(per_second)


@pytest.mark.parametrize("text", ["2000", 2000, "2000 per second", "/s", "5/y"])
def test_bad_rates(text):
    with pytest.raises(PydanticCustomError):
        parse_rate(text)


@pytest.mark.parametrize(
    ("text", "size"),
    [("512B", 512), ("1KiB", 1024), ("4MB", 4e6), ("2GiB", 2 * 2**30), ("1.5TB", 1.5e12), ("3 PiB", 3 * 2**50)],
)
def test_sizes(text, size):
    assert parse_size(text) == pytest.approx(size)


@pytest.mark.parametrize("text", ["1kb", "4 megabytes", 1024, "1KIB"])
def test_bad_sizes(text):
    with pytest.raises(PydanticCustomError):
        parse_size(text)


@pytest.mark.parametrize(("text", "fraction"), [("99.99%", 0.9999), ("100%", 1.0), (0.999, 0.999), (1, 1.0), ("99.999 %", 0.99999)])
def test_fractions(text, fraction):
    assert parse_fraction(text) == pytest.approx(fraction)


@pytest.mark.parametrize("text", ["101%", "0%", 0, -0.5, "ninety", 150])
def test_bad_fractions(text):
    with pytest.raises(PydanticCustomError):
        parse_fraction(text)


def test_percentage_without_sign_suggests_one():
    with pytest.raises(PydanticCustomError, match="did you mean 99.9%"):
        parse_fraction(99.9)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (0.5, "500ms"), (30, "30s"), (300, "5m"), (5400, "90m"), (86400, "1d"), (12.5, "12.5s"),
     (90.6, "1m 31s"), (7159.6, "1h 59m"), (92953.6, "1d 1h"), (3599.9, "1h"), (0.0035, "3.5ms")],
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text
