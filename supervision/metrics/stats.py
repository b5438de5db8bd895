"""Small arithmetic of the metrics: per-entity counters rolled up, shares, percentiles."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

PerEntity = dict[int, Counter[Any]]


def per_entity(rows: Iterable[tuple[int, Hashable, int]]) -> PerEntity:
    """``(entity_id, key, n)`` rows as one counter per entity."""
    result: PerEntity = {}
    for entity_id, key, n in rows:
        result.setdefault(entity_id, Counter())[key] += int(n or 0)
    return result


def rollup(counts: PerEntity, ids: Iterable[int]) -> Counter[Any]:
    """The sum of the counters of ``ids`` (an entity and everything below it)."""
    total: Counter[Any] = Counter()
    for entity_id in ids:
        total.update(counts.get(entity_id, {}))
    return total


def share(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole``, to the tenth; None when there is no whole."""
    return round(100 * part / whole, 1) if whole else None


def percentile(histogram: Mapping[int, int], p: float) -> int | None:
    """The nearest-rank percentile of integer values counted in ``histogram``.

    The smallest value such that at least ``p`` % of the observations are at or below it: the
    median of 1, 2, 3, 4 is 2, and "90 % within 12 days" reads as p90 = 12.
    """
    total = sum(n for n in histogram.values() if n > 0)
    if total == 0:
        return None
    rank = max(1, math.ceil(p / 100 * total))
    seen = 0
    for value in sorted(histogram):
        seen += max(histogram[value], 0)
        if seen >= rank:
            return value
    return max(histogram)


def dimension(counts: Counter[Any], metric: str) -> dict[str, int]:
    """The counts of one metric of the daily table, by its dimension."""
    return {dim: n for (name, dim), n in counts.items() if name == metric and n}


def histogram(counts: Counter[Any], metric: str) -> dict[int, int]:
    """A metric whose dimension is a number of days or hours, as value -> count."""
    return {int(dim): n for dim, n in dimension(counts, metric).items()}
