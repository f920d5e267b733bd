"""Pareto fronts over the records: who dominates whom on (MSE, Hoyer sparsity, max-approx.).

Three small pure functions over points whose coordinates are all "lower is better"
(:func:`objectives` turns a record into one: MSE, minus the Hoyer sparsity,
max-approximation error): :func:`dominates`, :func:`pareto_front` and
:func:`dominators`. :func:`svm_not_worse` says whether one SVM accuracy is within a
tolerance of another, or better (the rules agreed for issue 9: at most
:data:`SVM_TOLERANCE` below the configuration compared with).
"""

import math

__all__ = ["TIE", "SVM_TOLERANCE", "finite_point", "objectives", "dominates",
           "pareto_front", "dominators", "svm_not_worse"]

#: Relative difference under which two values of a metric count as tied.
TIE = 0.02
#: SVM accuracy a dominating point may lose and still count as as good.
SVM_TOLERANCE = 0.01


def objectives(record):
    """``(mse, -hoyer, max_approx)`` of a record: every coordinate lower-is-better.

    A record without a metric (a peer that failed) keeps None there, which no point
    dominates and which dominates nothing.
    """
    hoyer = record["hoyer"]
    return (record["mse"], None if hoyer is None else -hoyer, record["max_approx"])


def finite_point(point):
    """Whether every coordinate of ``point`` is a finite number."""
    return all(v is not None and math.isfinite(v) for v in point)


def dominates(a, b, tie=0.0):
    """Whether point ``a`` dominates point ``b`` (every coordinate lower-is-better).

    Parameters
    ----------
    a, b : sequence of float
        Of the same length.
    tie : float, default=0.0
        Relative tolerance: ``a`` may be worse than ``b`` in a coordinate by at most
        ``tie * max(|a_i|, |b_i|)`` (a tie), and must be better by more than that in
        at least one.

    Returns
    -------
    bool
    """
    if len(a) != len(b):
        raise ValueError(f"points of different lengths: {len(a)} and {len(b)}.")
    better = False
    for x, y in zip(a, b, strict=True):
        margin = tie * max(abs(x), abs(y))
        if x > y + margin:
            return False
        better = better or x < y - margin
    return better


def pareto_front(points):
    """Indices of the points no other point dominates (points with NaN or None left out).

    Parameters
    ----------
    points : sequence of sequence of float
        Lower-is-better coordinates.

    Returns
    -------
    indices : list of int
        In increasing order; equal points are all kept.
    """
    valid = [i for i, p in enumerate(points) if finite_point(p)]
    return [i for i in valid
            if not any(dominates(points[j], points[i]) for j in valid if j != i)]


def dominators(point, candidates, tie=TIE):
    """Indices of the ``candidates`` that dominate ``point``, ties within ``tie`` relative."""
    if not finite_point(point):
        return []
    return [i for i, c in enumerate(candidates) if finite_point(c) and dominates(c, point, tie)]


def svm_not_worse(ours, theirs, tolerance=SVM_TOLERANCE):
    """Whether accuracy ``ours`` is at least ``theirs - tolerance``; None if either is missing."""
    if ours is None or theirs is None or not (math.isfinite(ours) and math.isfinite(theirs)):
        return None
    return ours >= theirs - tolerance
