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
           "pareto_front", "dominators", "svm_not_worse", "scale_free_objectives", "judge"]

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


def scale_free_objectives(record):
    """``(mse, -sparsity, max_approx)`` with the sparsity of unit-norm atoms where known.

    A decomposition whose atoms' norms are free can make its codes look sparser by
    scaling atoms; ``hoyer_unit_atoms`` (the codes of the same decomposition with every
    atom at unit norm) is the measure no scaling changes. Reference points, which have
    only the report's measure, keep ``hoyer``.
    """
    hoyer = record.get("hoyer_unit_atoms")
    hoyer = record["hoyer"] if hoyer is None else hoyer
    return (record["mse"], None if hoyer is None else -hoyer, record["max_approx"])


def _rerun_svm(record, ours_by_key):
    """The SVM accuracy a point is judged against, under this run's protocol, or None.

    A peer's own (measured in the same run). A row of the report: that of its
    configuration re-run in this run (the report's number was measured by another
    protocol); the author's points have none.
    """
    if record.get("family") != "reference":
        return record.get("svm")
    name = record["config"]
    if name.startswith("study "):
        rerun = ours_by_key.get(name[len("study "):])
        return None if rerun is None else rerun.get("svm")
    return None


def judge(records, tie=TIE, tolerance=SVM_TOLERANCE):
    """Which of our points dominate each peer and reference point, by issue 9's rules.

    A point of ours (``shipped``) dominates another when, on (MSE, sparsity,
    max-approximation error) with :func:`scale_free_objectives`, it is nowhere worse by
    more than ``tie`` (relative) and somewhere better by more than that, and its SVM
    accuracy is at most ``tolerance`` below the other's, measured under the same
    protocol: a peer's own, and for a row of the report the accuracy of that
    configuration re-run in the same run (:func:`_rerun_svm`). Without such an accuracy
    (the author's NCAE and NNSAE) the SVM clause cannot be judged.

    Parameters
    ----------
    records : list of dict
    tie : float, default=TIE
    tolerance : float, default=SVM_TOLERANCE

    Returns
    -------
    verdicts : list of dict
        One per peer and reference point, in order: ``record``, ``svm`` (the accuracy
        judged against, or None), ``dominators`` (ours that dominate it on the three
        metrics and keep the SVM clause), ``svm_worse`` (ours that dominate it on the
        three metrics but lose more than ``tolerance`` of SVM accuracy) and
        ``svm_unknown`` (ours that dominate it where the SVM clause cannot be judged).
    """
    ours = [r for r in records if r.get("shipped")]
    ours_by_key = {f"{r['family']}/{r['config']}": r for r in ours}
    points = [scale_free_objectives(r) for r in ours]
    verdicts = []
    for record in records:
        if record.get("shipped"):
            continue
        svm = _rerun_svm(record, ours_by_key)
        found = [ours[i] for i in dominators(scale_free_objectives(record), points, tie)]
        verdict = {"record": record, "svm": svm, "dominators": [], "svm_worse": [],
                   "svm_unknown": []}
        for candidate in found:
            keeps = svm_not_worse(candidate.get("svm"), svm, tolerance)
            key = {True: "dominators", False: "svm_worse", None: "svm_unknown"}[keeps]
            verdict[key].append(candidate)
        verdicts.append(verdict)
    return verdicts
