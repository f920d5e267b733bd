"""``sparse-parts front``: a grid of configurations through the study's runner, and its report.

Every configuration of :data:`~sparse_parts.study.catalog.GRID` (one of this package's
estimators, or a scikit-learn peer from :mod:`~sparse_parts.study.peers`) is fitted and
measured by :func:`~sparse_parts.study.runner.run`, exactly as ``sparse-parts compare``
measures the report's rows; :func:`front` then writes ``front.md`` and the front figure
(:mod:`~sparse_parts.study.front_report`, :mod:`~sparse_parts.study.figures`).
"""

import os
from dataclasses import dataclass, replace
from string import ascii_lowercase

import numpy as np

from ._console import say
from .cache import fit_or_load_estimator
from .catalog import select_configs, with_data_code_l1s
from .errors import SelectionError
from .estimators import CodeL1Path
from .figures import write_front_figure
from .records import reference_records
from .runner import ConvergenceCount, RunOptions, run
from .settings import USER_DATA

__all__ = ["FrontOptions", "front"]


@dataclass
class FrontOptions(RunOptions):
    """:class:`~sparse_parts.study.runner.RunOptions` of ``sparse-parts front``, and its grid.

    Parameters
    ----------
    families : sequence of str, default=None
        The families to measure (None: all of :data:`~sparse_parts.study.catalog.FAMILIES`).
    grid : list of Config, default=None
        The configurations to choose from (None: :data:`~sparse_parts.study.catalog.GRID`).

    The other parameters are those of :class:`~sparse_parts.study.runner.RunOptions`;
    ``out`` defaults to ``"front_out"``, ``command`` to ``"sparse-parts front"``.
    """

    out: str = "front_out"
    command: str = "sparse-parts front"
    families: tuple | None = None
    grid: list | None = None


#: The most iterations of every warm-started point of the data's ``code_l1`` path (the
#: first point is a cold fit of the run's budget; a warm point stops earlier on
#: :func:`~sparse_parts.path.sparse_nmf_path`'s default ``path_tol``).
PATH_MAX_ITER = 25

#: The most points the refinement inserts into the widest gaps of the front of the
#: data's path (``sparse_nmf_path(refine=...)``), without and with ``--quick``. Each
#: costs one warm point (at most :data:`PATH_MAX_ITER` iterations) and its measurement,
#: and every point is measured once more on :data:`REFINE_SAMPLE` training images: 4 on the
#: 12-point sweep is a third more warm points, the proportion of the 8 on 16 points
#: that ``benchmarks/README.md`` measured; ``--quick``'s 4 points leave gaps about
#: three times as wide, and 2 fill its two widest for the price of two warm points.
#: Measured on 6,000 grey 12x12 photograph patches (4,000 training, k = 72, one BLAS
#: thread, ``front --families nmf``): 79 s instead of 73 s, the path's 16 points 6.5 s
#: (its measurements on the 2,000 images included) instead of 12 points in 2.4 s, all
#: 4 inserted points on the measured front (19 points on it instead of 15); with
#: ``--quick`` (3,000 patches; measured before the path's warm codes and tolerance),
#: 16.6 s instead of 16.0 s, both inserted points on it.
REFINE_POINTS = {False: 4, True: 2}

#: The most training images the path is measured on to decide where to insert (a
#: fixed random subset: on 60,000 images, measuring every point on all of them would
#: cost more than the insertions; the held-out images judge every point afterwards).
REFINE_SAMPLE = 2000


def _path_configs(points, path, path_budget):
    """The configurations of every point of ``path``, the inserted ones too.

    ``points`` are the configurations of the sweep, which keep their names. A point
    the refinement inserted after the sweep's ``nmf/code-l1-path-03`` is
    ``nmf/code-l1-path-03a`` (``-03b`` ... for more in the same gap, in increasing
    strength; :data:`REFINE_POINTS` is far below 26), so that the names sort as the
    strengths do and name the same points in every run on the same images.
    """
    sweep, configs = iter(points), []
    for code_l1, inserted in zip(path.code_l1s, path.inserted, strict=True):
        if not inserted:
            before, letter = next(sweep), 0
            configs.append(before)
            continue
        configs.append(replace(
            before, name=f"{before.name}{ascii_lowercase[letter]}",
            params={**before.params, "code_l1": float(code_l1)}, budget=path_budget,
            label=f"SparseNMF, code_l1 point inserted after {before.name} into a gap of "
                  "the front of the data's path, warm-started from the nearest weaker "
                  "point fitted before it"))
        letter += 1
    return configs


def _data_code_l1_path(configs, X_train, settings, options):
    """``configs`` with the data's ``code_l1`` points, and those points' fitted models.

    The path is one cached fit, refined (:data:`REFINE_POINTS`, measured on
    :data:`REFINE_SAMPLE` training images); the points it inserted are configurations
    of their own (:func:`_path_configs`), placed among the sweep's in increasing
    strength. The path's wall time, its measurements for the refinement included, is
    shared among all its points in proportion to their CPU times. Under the study
    budget the points are cold fits (no models, no refinement).
    """
    if settings.budget == "study":
        return with_data_code_l1s(configs, X_train, options.quick), {}
    path_budget = PATH_MAX_ITER / settings.nmf_max_iter
    configs = with_data_code_l1s(configs, X_train, options.quick, path_budget=path_budget)
    points = [c for c in configs if c.name.startswith("code-l1-path-")]
    if not points:
        return configs, {}
    refine = REFINE_POINTS[bool(options.quick)]
    say(f"Fitting the data's code_l1 path ({len(points)} points, warm-started, up to "
        f"{refine} inserted where its front has gaps)")
    estimator = CodeL1Path(tuple(c.params["code_l1"] for c in points), settings.n_components,
                           max_iter=settings.nmf_max_iter, path_max_iter=PATH_MAX_ITER,
                           refine=refine, refine_sample=REFINE_SAMPLE,
                           random_state=settings.seed, image_shape=settings.image_shape)
    with ConvergenceCount() as unconverged:
        estimator, seconds, cached = fit_or_load_estimator(
            estimator, "nmf-code-l1-path", X_train, os.path.join(options.out, "cache"))
    if unconverged.count:
        say(f"  the code_l1 path: {unconverged.count} convergence warning(s) (a solver stopped "
            f"by its iteration limit; the first point's budget {settings.nmf_max_iter} "
            "iterations)")
    path = estimator.path_
    all_points = _path_configs(points, path, path_budget)
    inserted = [c.name for c, new in zip(all_points, path.inserted, strict=True) if new]
    if inserted:
        say(f"  the refinement inserted {len(inserted)} point(s): {', '.join(inserted)}")
    at = configs.index(points[0])
    configs = configs[:at] + all_points + configs[at + len(points):]
    cpu = path.fit_time
    shares = cpu / cpu.sum() if cpu.sum() > 0 else np.full(len(cpu), 1 / len(cpu))
    return configs, {c.key: (model, float(seconds * share), cached)
                     for c, model, share in zip(all_points, path.models, shares,
                                                strict=True)}


def front(settings, options=None):
    """Fit and measure a grid of configurations; write ``front.csv``, ``front.md`` and the figure.

    ``front.csv`` is rewritten (atomically) after every configuration, so an
    interrupted run keeps those already measured. The reference points (the report's
    rows and the author's repository) are added on Fashion-MNIST only, the data set
    their numbers are for.

    On the user's images (``settings.dataset == USER_DATA``) with the default grid, the
    SparseNMF ``code_l1`` points take their strengths from the training images
    (:func:`~sparse_parts.study.catalog.with_data_code_l1s`, the strengths of
    :func:`~sparse_parts.path.default_code_l1s`) instead of the grid's, which were
    tuned on Fashion-MNIST: ``nmf/code-l1-path-00`` ... in increasing strength, fitted
    as one warm-started path (:func:`~sparse_parts.path.sparse_nmf_path`, cached as one
    model) and each measured and recorded as any other point. The path is refined: up
    to :data:`REFINE_POINTS` strengths are inserted where two neighbours on its front
    (in log MSE and Hoyer sparsity) are far apart, at the geometric mean of their
    strengths, warm-started from the weaker; where to insert is decided on
    :data:`REFINE_SAMPLE` training images at most, and every point is then measured
    on the test images like the others. An inserted point is named after the sweep's
    point before it, ``nmf/code-l1-path-03a``, ``-03b`` ... Under the study budget
    (SparseNMF fitted on the test images) the sweep's points are separate cold fits,
    unrefined. Named configurations (``options.grid``) run as named.

    Parameters
    ----------
    settings : Settings
        The data, k, the budgets, the SVM protocol, the device and the seed.
    options : FrontOptions, default=None

    Returns
    -------
    records : list of dict
        One per configuration, in the grid's order, then the reference points.

    Raises
    ------
    RunInterrupted
        On Ctrl-C, after writing the configurations already measured.
    SelectionError
        If a family is unknown or nothing is selected (a ``ValueError``).
    ValueError
        If ``options.out`` cannot be written to.
    """
    from . import front_report

    options = FrontOptions() if options is None else options
    configs = select_configs(options.families, options.quick, options.grid)
    if not configs:
        raise SelectionError("no configuration selected; check {families} (and {quick}).",
                             "families", "quick")
    references = reference_records() if settings.dataset == "fashion-mnist" else []
    adapt = None
    if settings.dataset == USER_DATA and options.grid is None:
        def adapt(configs, X_train, settings):
            return _data_code_l1_path(configs, X_train, settings, options)
    records, settings, total = run(configs, settings, options, "front.csv",
                                   extra_records=references, adapt_configs=adapt)
    records += references
    front_report.write_markdown(os.path.join(options.out, "front.md"), records, settings,
                                options.command, total, jobs=options.jobs)
    if options.figures:
        write_front_figure(os.path.join(options.out, "front"), records, settings.data_name,
                           options)
    say(f"Wrote front.csv, front.md{' and the front figure' if options.figures else ''} to "
        f"{options.out} in {total:.1f} s.")
    return records
