"""Units of the service file: durations, rates, sizes and percentages.

Every quantity must carry its unit (only a bare 0 is unit-free), because a
bare `30` for an RTO could mean seconds or minutes and a wrong guess is worse
than an error. Values are normalised to seconds, events per second, bytes and
fractions; the parsers raise `PydanticCustomError` so the loader can report
one clean message at the offending line.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from redplan.spec.errors import shown

_NUMBER = r"(\d+(?:\.\d+)?|\.\d+)"

DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_DURATION = re.compile(rf"^{_NUMBER}\s*(ms|s|min|m|h|d|w)$")
_ISO_DURATION = re.compile(
    r"^P(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_ISO_SECONDS = {"w": 604800.0, "d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}

RATE_UNITS = {"s": 1.0, "sec": 1.0, "min": 1 / 60, "m": 1 / 60, "h": 1 / 3600, "d": 1 / 86400}
_MULTIPLIERS = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9}
_RATE = re.compile(rf"^{_NUMBER}\s*([kKMG]?)\s*/\s*(s|sec|min|m|h|d)$")

SIZE_UNITS = {
    "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12, "PB": 10**15,
    "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40, "PiB": 2**50,
}
_SIZE = re.compile(rf"^{_NUMBER}\s*(B|KB|MB|GB|TB|PB|KiB|MiB|GiB|TiB|PiB)$")
_PERCENT = re.compile(rf"^{_NUMBER}\s*%$")

# Far beyond any real objective, small enough that arithmetic on it stays finite.
MAX_SECONDS = 100 * 365 * 86400.0
# Likewise for data (a zettabyte: a thousand exabytes) and event rates (a trillion a second): a cost or a
# data-loss estimate multiplies them by each other and by durations, and must not overflow to infinity.
MAX_BYTES = 1e21
MAX_RATE = 1e12


def _unitless_zero(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and value == 0


def _finite(number: float, kind: str, text: Any, most: float, beyond: str) -> float:
    """`number`, unless it is infinite, NaN or above `most` (`beyond` says how: "longer than 100 years")."""
    if not math.isfinite(number):
        raise PydanticCustomError(kind, "{text} is not a finite {kind}", {"text": shown(text), "kind": kind})
    if number > most:
        raise PydanticCustomError(kind, "{text} is {beyond}", {"text": shown(text), "beyond": beyond})
    return number


def _bare_number(value: float, kind: str, units: str) -> PydanticCustomError:
    """The error for a number written without its unit: an infinity or NaN, a negative one, or one that needs a unit."""
    if not math.isfinite(value):
        return PydanticCustomError(kind, "{value} is not a finite {kind}", {"value": value, "kind": kind})
    if value < 0:
        return PydanticCustomError(kind, "a {kind} cannot be negative, got {value}", {"value": value, "kind": kind})
    return PydanticCustomError(f"{kind}_unit", "{value} needs a unit: write " + units, {"value": value})


def _not_a(kind: str, value: Any, usage: str) -> PydanticCustomError:
    if isinstance(value, str) and value.strip().startswith("-"):
        return PydanticCustomError(kind, "a {kind} cannot be negative, got {text}", {"kind": kind, "text": shown(value.strip())})
    return PydanticCustomError(kind, "{text} is not a {kind}; use " + usage, {"text": shown(value), "kind": kind})


def _remembered_for_text(parse: Callable[[Any], float]) -> Callable[[Any], float]:
    """`parse`, remembered for text: fleets write the same few durations, sizes and rates thousands
    of times. Errors are raised each time, not remembered; other input is parsed as it comes."""
    remembered = functools.lru_cache(maxsize=4096)(parse)

    @functools.wraps(parse)
    def parse_any(value: Any) -> float:
        return remembered(value) if type(value) is str else parse(value)

    return parse_any


@_remembered_for_text
def parse_duration(value: Any) -> float:
    """Seconds from `0`, `500ms`, `30s`, `5m`, `4h`, `2d`, `1w` or ISO 8601 `PT5M`."""
    if _unitless_zero(value):
        return 0.0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise _bare_number(value, "duration", "{value}s, {value}m or {value}h")
    if not isinstance(value, str):
        raise PydanticCustomError("duration", "expected a duration such as 30s, 5m or PT5M", {})
    text = value.strip()
    match = _DURATION.match(text)
    if match:
        seconds = float(match.group(1)) * DURATION_UNITS[match.group(2)]
    else:
        iso = _ISO_DURATION.match(text)
        if not iso or text in ("P", "PT") or text.endswith("T"):
            raise _not_a("duration", text, "0, 500ms, 30s, 5m, 4h, 2d or ISO 8601 such as PT5M")
        seconds = sum(float(amount) * _ISO_SECONDS[unit] for unit, amount in iso.groupdict().items() if amount)
    return _finite(seconds, "duration", text, MAX_SECONDS, "longer than 100 years")


@_remembered_for_text
def parse_rate(value: Any) -> float:
    """Events per second from `2000/s`, `10k/min`, `5/h`."""
    if _unitless_zero(value):
        return 0.0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise _bare_number(value, "rate", "{value}/s")
    if not isinstance(value, str) or not (match := _RATE.match(value.strip())):
        raise _not_a("rate", value, "2000/s, 10k/min or 5/h")
    number, multiplier, unit = match.groups()
    return _finite(float(number) * _MULTIPLIERS[multiplier] * RATE_UNITS[unit], "rate", value, MAX_RATE, "more than a trillion a second")


@_remembered_for_text
def parse_size(value: Any) -> float:
    """Bytes from `512B`, `1KiB`, `4MB`, `2GiB`, `1TB`."""
    if _unitless_zero(value):
        return 0.0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise _bare_number(value, "size", "{value}B, {value}KiB or {value}MB")
    if not isinstance(value, str) or not (match := _SIZE.match(value.strip())):
        raise _not_a("size", value, "512B, 1KiB, 4MB or 2GiB")
    return _finite(float(match.group(1)) * SIZE_UNITS[match.group(2)], "size", value, MAX_BYTES, "more than a zettabyte (10^21 bytes)")


def parse_fraction(value: Any) -> float:
    """A fraction in (0, 1] from `99.99%` or `0.9999`."""
    if isinstance(value, str) and (match := _PERCENT.match(value.strip())):
        fraction = float(Decimal(match.group(1)) / 100)  # 99.9% is exactly 0.999, not 0.9990000000000001
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        fraction = float(value)
        if 1 < fraction <= 100:
            raise PydanticCustomError(
                "percentage", "{value} is not a fraction; did you mean {value}%?", {"value": value}
            )
    else:
        raise PydanticCustomError("percentage", "expected a percentage such as 99.99% or a fraction such as 0.9999", {})
    if not (0 < fraction <= 1):
        raise PydanticCustomError("percentage", "{value} is not between 0% and 100%", {"value": value})
    return fraction


def _unit_schema(pattern: str, description: str, allow_zero: bool = True) -> WithJsonSchema:
    string = {"type": "string", "pattern": pattern}
    schema: dict[str, Any] = {"anyOf": [string, {"const": 0}]} if allow_zero else string
    return WithJsonSchema({**schema, "description": description})


_JSON_NUMBER = r"(\d+(\.\d+)?|\.\d+)"
_ISO_JSON = r"P(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?(T(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?"

Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    _unit_schema(rf"^\s*({_JSON_NUMBER}\s*(ms|s|min|m|h|d|w)|{_ISO_JSON})\s*$", "A duration: 0, 500ms, 30s, 5m, 4h, 2d or ISO 8601 (PT5M)."),
]
Rate = Annotated[
    float,
    BeforeValidator(parse_rate),
    _unit_schema(rf"^\s*{_JSON_NUMBER}\s*[kKMG]?\s*/\s*(s|sec|min|m|h|d)\s*$", "A rate: 2000/s, 10k/min, 5/h."),
]
Size = Annotated[
    float,
    BeforeValidator(parse_size),
    _unit_schema(rf"^\s*{_JSON_NUMBER}\s*(B|KB|MB|GB|TB|PB|KiB|MiB|GiB|TiB|PiB)\s*$", "A size: 512B, 1KiB, 4MB, 2GiB."),
]
Fraction = Annotated[
    float,
    BeforeValidator(parse_fraction),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": rf"^\s*{_JSON_NUMBER}\s*%\s*$"},
                {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
            ],
            "description": "A percentage (99.99%) or a fraction (0.9999).",
        }
    ),
]


@functools.lru_cache(maxsize=4096)
def format_duration(seconds: float) -> str:
    """A short human spelling: exact when it can be (5m, 4h, 500ms), else the two largest units (1h 59m).

    Remembered: every candidate design of a service is checked against the same targets."""
    if seconds == 0:
        return "0s"
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("m", 60.0), ("s", 1.0)):
        if seconds >= size and float(seconds / size).is_integer():
            return f"{int(seconds / size)}{unit}"
    return format_roughly(seconds)


def format_roughly(seconds: float) -> str:
    """The two largest units, rounded to the second: 9h 17m, 4m 12s, 35s (for estimates, not targets)."""
    if seconds < 1:
        return f"{seconds * 1000:.3g}ms"
    if seconds < 60:
        return f"{seconds:.3g}s"
    whole = int(seconds + 0.5)
    for big, big_size, small, small_size in (("d", 86400, "h", 3600), ("h", 3600, "m", 60), ("m", 60, "s", 1)):
        if whole >= big_size:
            count, rest = divmod(whole, big_size)
            return f"{count}{big} {rest // small_size}{small}" if rest // small_size else f"{count}{big}"
    return f"{whole}s"


@functools.lru_cache(maxsize=4096)
def format_availability(fraction: float) -> str:
    """A percentage with the digits that tell it apart from the round targets near it: 99.89%, 99.989%,
    99.99989%. Cut, not rounded, so a value just under a target never reads as the target."""
    if fraction >= 1.0:
        return "100%"
    decimals = min(9, max(0, math.floor(-math.log10(1.0 - fraction))))
    text = f"{math.floor(fraction * 100 * 10**decimals + 1e-6) / 10**decimals:.{decimals}f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"
