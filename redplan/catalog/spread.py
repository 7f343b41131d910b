"""How wide a round trip's distribution is where only its median is published.

Only Azure publishes a p95 next to its p50; AWS (cloudping), GCP and measured links give a median
alone. Latency models need a spread for those too, so they borrow one measured elsewhere and say
so: the median p95/p50 ratio of the pairs that publish both.

Use it as p95 = max(ratio × p50, p50 + MIN_P95_SPREAD_MS). The ratio alone would make short paths
implausibly steady: the Azure ratio falls from ~1.3 under 10 ms to ~1.04 across oceans, because
jitter is partly a fixed cost (queues, hosts), not a share of the distance. Azure publishes whole
milliseconds and none of its pairs has p95 − p50 under 1 ms, so narrower spreads are beyond what
the data resolves; the 1 ms floor keeps short and same-region paths (where no provider publishes a
p95 at all) from being modelled as tighter than anything measured. It errs towards slower tails.
"""

from __future__ import annotations

import functools

from redplan.catalog.catalog import Catalog
from redplan.catalog.errors import CatalogError

MIN_P95_SPREAD_MS = 1.0
"""Smallest p95 − p50 assumed for any path: the 1 ms resolution of the published p95 data."""


@functools.lru_cache(maxsize=16)
def typical_p95_ratio(catalog: Catalog) -> tuple[float, int, str]:
    """(median p95/p50, number of directed pairs it is taken over, a note stating the assumption);
    computed once per catalog."""
    ratios: list[float] = []
    providers: set[str] = set()
    sources: set[str] = set()
    for a, _, pair in catalog.published_pairs():
        if pair.p95_ms is not None:
            ratios.append(pair.p95_ms / pair.p50_ms)
            providers.add(catalog.regions[a].provider)
            sources.add(pair.source)
    if not ratios:
        raise CatalogError("no published round trip has both a p50 and a p95, so no spread can be measured")
    ratios.sort()
    middle = len(ratios) // 2
    ratio = (ratios[middle] + ratios[~middle]) / 2  # by hand: `statistics` costs ~5 ms of start-up
    note = (
        f"p95 assumed max({ratio:.3f} × p50, p50 + {MIN_P95_SPREAD_MS:g} ms): {ratio:.3f} is the median p95/p50 of "
        f"{len(ratios):,} published {'/'.join(sorted(providers))} pairs ({'; '.join(sorted(sources))}); "
        f"{MIN_P95_SPREAD_MS:g} ms is the resolution of that data"
    )
    return ratio, len(ratios), note
