"""Small statistics shared by the wallboard and the reports, so that a median on one screen is the
median on every other."""

import math
from collections.abc import Sequence


def percentile(sorted_values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile of values sorted ascending: the smallest value with at least `share` of
    the values at or below it (the median of 10, 20, 30, 40 is 20; its p90 is 40). None for no values."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(share * len(sorted_values) - 1e-9))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def histogram(values: Sequence[float], edges: Sequence[float]) -> list[int]:
    """Counts of `values` in the bins [edges[0], edges[1]), ..., [edges[-1], ∞): len(edges) bins.
    Values below the first edge count in the first bin."""
    counts = [0] * len(edges)
    for value in values:
        index = 0
        for position, edge in enumerate(edges):
            if value >= edge:
                index = position
        counts[index] += 1
    return counts
