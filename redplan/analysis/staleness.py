"""k-staleness of partial quorums (R + W ≤ N), after PBS (DESIGN.md §5): a closed form, no numpy.

Bailis, Venkataraman, Franklin, Hellerstein, Stoica, "Probabilistically Bounded Staleness for
Practical Partial Quorums", PVLDB 5(8), 2012: how likely is a read to miss the last k writes when
quorums are picked at random? The other question of the paper, how soon after a commit a read sees
the write, needs a Monte Carlo: `redplan.analysis.visibility`.
"""

from __future__ import annotations

import math


def k_staleness(n: int, w: int, r: int, k: int = 1) -> float:
    """Probability that a read quorum of r random replicas of n misses all of the last k writes,
    each sent to w random replicas: (C(n−w, r) / C(n, r))^k, 0 when r + w > n (quorums overlap).

    So the read returns a value more than k versions old. It ignores that Dynamo-style stores
    keep sending each write to every replica; `t_visibility` models that."""
    check_sizes(n, w, r, k)
    return (math.comb(n - w, r) / math.comb(n, r)) ** k


def check_sizes(n: int, w: int, r: int, k: int = 1) -> None:
    for name, value in (("n", n), ("w", w), ("r", r), ("k", k)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be a whole number, not {value!r}")
    if n < 1:
        raise ValueError(f"n must be at least 1 replica, not {n}")
    for name, value in (("w", w), ("r", r)):
        if not 1 <= value <= n:
            raise ValueError(f"{name} must be between 1 and n = {n}, not {value}")
    if k < 1:
        raise ValueError(f"k must be at least 1 version, not {k}")
