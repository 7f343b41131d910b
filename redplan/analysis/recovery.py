"""Recovery time and recovery point estimates as sums of named, sourced parts (DESIGN.md §5).

RTO of a failover = detection + election/promotion + client redirect.
RTO of a restore  = provisioning + data size / restore throughput + redirect.
RPO of async replication = replication lag at the moment of failure (a quantile of the lag);
the expected number of lost writes is write rate × mean lag.
RPO of periodic backups = the interval between backups + the time to copy one off-site.

Every function returns a frozen estimate whose `parts` say where each number came from, so a
report can print the sum and its terms. Pure functions: no I/O, nothing of redplan imported.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

GIVEN = "given"
"""Basis recorded for a part whose caller did not say where the number came from."""


class Part(NamedTuple):
    """One term of a sum: what it is, how many seconds, and the source or assumption behind it."""

    component: str
    seconds: float
    basis: str


@dataclass(frozen=True)
class Estimate:
    """A duration (RTO or RPO) in seconds and the parts it is the sum of."""

    seconds: float
    parts: tuple[Part, ...]

    def explain(self) -> str:
        """'45 s = detection 30 s + promotion 10 s + redirect 5 s' (for reports and messages)."""
        terms = " + ".join(f"{part.component} {_fmt(part.seconds)}" for part in self.parts)
        return f"{_fmt(self.seconds)} = {terms}" if terms else _fmt(self.seconds)


@dataclass(frozen=True)
class RpoEstimate(Estimate):
    """An RPO with the lag quantile it stands for and, when a write rate is known, the writes at risk."""

    quantile: float | None = None
    expected_lost_writes: float | None = None


def failover_rto(
    detection_s: float,
    promotion_s: float,
    redirect_s: float,
    *,
    basis: Mapping[str, str] | None = None,
) -> Estimate:
    """Time from a primary's failure until clients write to the new one.

    `basis` maps "detection", "promotion" and "redirect" to the source or assumption of each
    number (e.g. "Patroni ttl default 30 s"); parts without one are marked "given".
    """
    parts = (
        _part("detection", detection_s, basis),
        _part("promotion", promotion_s, basis),
        _part("redirect", redirect_s, basis),
    )
    return Estimate(math.fsum(part.seconds for part in parts), parts)


def restore_rto(
    provision_s: float,
    data_bytes: float,
    restore_bytes_per_s: float,
    redirect_s: float,
    *,
    basis: Mapping[str, str] | None = None,
) -> Estimate:
    """Time to rebuild from a backup: provision a host, stream the data back, point clients at it.

    `basis` may describe "provision", "restore" (the throughput) and "redirect".
    """
    _non_negative("data_bytes", data_bytes)
    if not (math.isfinite(restore_bytes_per_s) and restore_bytes_per_s > 0):
        raise ValueError(f"restore_bytes_per_s must be a positive number, got {restore_bytes_per_s!r}")
    transfer_s = data_bytes / restore_bytes_per_s
    restore_basis = (basis or {}).get("restore", GIVEN)
    restore_text = f"{_fmt_bytes(data_bytes)} at {_fmt_bytes(restore_bytes_per_s)}/s ({restore_basis})"
    parts = (
        _part("provision", provision_s, basis),
        Part("restore", transfer_s, restore_text),
        _part("redirect", redirect_s, basis),
    )
    return Estimate(math.fsum(part.seconds for part in parts), parts)


def async_rpo(
    lag_s: float,
    *,
    quantile: float | None = None,
    mean_lag_s: float | None = None,
    write_rate_per_s: float | None = None,
    basis: str = GIVEN,
) -> RpoEstimate:
    """Data at risk with asynchronous replication: the replication lag when the primary fails.

    `lag_s` is the lag quantile the RPO should stand for (`quantile`, e.g. 0.99; None when the
    figure is a "typical" value with no stated quantile). With `write_rate_per_s`, the expected
    number of lost writes is write rate × mean lag (`mean_lag_s`, defaulting to `lag_s`, which
    then over-states it when `lag_s` is a high quantile).
    """
    _non_negative("lag_s", lag_s)
    if quantile is not None and not 0 < quantile <= 1:
        raise ValueError(f"quantile must be in (0, 1], got {quantile!r}")
    label = "replication lag" if quantile is None else f"replication lag p{_fmt_quantile(quantile)}"
    lost = None
    if write_rate_per_s is not None:
        _non_negative("write_rate_per_s", write_rate_per_s)
        mean = lag_s if mean_lag_s is None else mean_lag_s
        _non_negative("mean_lag_s", mean)
        lost = write_rate_per_s * mean
    return RpoEstimate(float(lag_s), (Part(label, float(lag_s), basis),), quantile, lost)


def sync_rpo(basis: str = "synchronous replication: a write is acknowledged only once the required replicas have it") -> RpoEstimate:
    """RPO of synchronous (or quorum-consensus) replication while the sync replicas are in place: zero."""
    return RpoEstimate(0.0, (Part("synchronous replication", 0.0, basis),), 1.0, 0.0)


def backup_rpo(interval_s: float, copy_s: float, *, basis: Mapping[str, str] | None = None) -> RpoEstimate:
    """Worst-case loss window of periodic backups: everything since the last backup that finished copying.

    `basis` may describe "interval" and "copy".
    """
    parts = (_part("backup interval", interval_s, basis, key="interval"), _part("copy off-site", copy_s, basis, key="copy"))
    return RpoEstimate(math.fsum(part.seconds for part in parts), parts, 1.0, None)


def _part(component: str, seconds: float, basis: Mapping[str, str] | None, key: str | None = None) -> Part:
    _non_negative(component, seconds)
    return Part(component, float(seconds), (basis or {}).get(key or component, GIVEN))


def _non_negative(name: str, value: float) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number of at least 0, got {value!r}")


def _fmt(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.3g} h"
    if seconds >= 120:
        return f"{seconds / 60:.3g} min"
    return f"{seconds:.3g} s"


def _fmt_bytes(count: float) -> str:
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= size:
            return f"{count / size:.3g} {unit}"
    return f"{count:.3g} B"


def _fmt_quantile(quantile: float) -> str:
    return f"{quantile * 100:g}"
