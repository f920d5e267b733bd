"""Timing helper shared by the benchmark scripts."""

import time


def best_time(function, repeats):
    """Return ``(best wall time in seconds, last result)`` over ``repeats`` calls."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result
