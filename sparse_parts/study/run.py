"""Running the study: every selected row fitted (or loaded), measured and reported.

:func:`compare` runs the rows one after another, or in worker processes, rewrites
``results.csv`` after every row, and writes ``results.md`` and the summary figure at
the end. A Ctrl-C stops it with :class:`CompareInterrupted`, after the rows already
finished are written.
"""

import contextlib
import os
import time
from dataclasses import dataclass

from .._utils import image_shape_in_words
from ._console import say
from .cache import fit_or_load
from .data import load_data
from .estimators import n_parameters
from .files import prepare_output_folder
from .protocol import evaluate
from .report import (
    format_sizes,
    format_table,
    make_record,
    write_csv,
    write_figures,
    write_markdown,
    write_summary_figure,
)
from .rows import select_rows
from .settings import complete_settings
from .threads import thread_limits

__all__ = ["RunOptions", "CompareOptions", "CompareInterrupted", "compare", "run_row"]


@dataclass
class RunOptions:
    """How a run of either command works and where it writes (not what it measures).

    Parameters
    ----------
    out : str
        The output folder; fitted models are cached in its ``cache`` folder.
    quick : bool, default=False
        Only the ``--quick`` subset.
    jobs : int, default=1
        Models fitted and measured at once, in worker processes.
    threads : int, default=1
        CPU threads for torch and the BLAS, in each process.
    figures : bool, default=True
        Draw the PNG figures.
    command : str
        The command line quoted in the report.
    """

    out: str = "out"
    quick: bool = False
    jobs: int = 1
    threads: int = 1
    figures: bool = True
    command: str = "sparse-parts"


@dataclass
class CompareOptions(RunOptions):
    """:class:`RunOptions` of ``sparse-parts compare``, and the model families it fits.

    Parameters
    ----------
    models : sequence of str, default=None
        The model families to fit (None: all).

    The other parameters are those of :class:`RunOptions`; ``out`` defaults to
    ``"compare_out"``, ``command`` to ``"sparse-parts compare"``.
    """

    out: str = "compare_out"
    command: str = "sparse-parts compare"
    models: tuple | None = None


class CompareInterrupted(KeyboardInterrupt):
    """A run stopped by Ctrl-C; its finished rows are in ``results_path``.

    Parameters
    ----------
    rows_kept : int
        The number of rows measured and written before the interruption.
    results_path : str
        The ``results.csv`` holding them.
    """

    def __init__(self, rows_kept, results_path):
        super().__init__(rows_kept, results_path)
        self.rows_kept = rows_kept
        self.results_path = results_path


def run_row(row, settings, data, out, figures=True, threads=None, progress=True):
    """Fit (or load) the model of ``row``, measure it and draw its figures.

    Parameters
    ----------
    row : Row
    settings : Settings
    data : tuple
        ``(X_train, X_test, y_test)``; ``y_test`` None without labels (no SVM
        accuracy).
    out : str
        The output folder.
    figures : bool, default=True
    threads : int, default=None
        Limit the BLAS pools, and torch for an auto-encoder, to that many threads
        (what a worker process needs: its limits are not inherited).
    progress : bool, default=True
        Draw a bar over the epochs.

    Returns
    -------
    record : dict
    """
    X_train, X_test, y_test = data
    limits = (thread_limits(threads, torch=row.is_autoencoder) if threads
              else contextlib.nullcontext())
    with limits:
        estimator, fit_seconds, cached = fit_or_load(
            row, settings, X_train, os.path.join(out, "cache"), progress=progress)
        metrics = evaluate(estimator, X_test, y_test, settings)
        if figures:
            write_figures(out, row, estimator, X_test)
    size = n_parameters(row.model, settings.image_shape, settings.n_components)
    return make_record(row, metrics, fit_seconds, cached, size,
                       study=settings.dataset == "fashion-mnist")


# Rough order of the fitting costs of the three models on Fashion-MNIST.
_RELATIVE_COST = {"asym": 2, "nmf": 1, "shallow": 0}


def _run_rows(rows, settings, data, options):
    """Yield the record of every row as it is done (in any order when ``options.jobs > 1``)."""
    if options.jobs == 1:
        for row in rows:
            yield run_row(row, settings, data, options.out, options.figures)
        return
    from joblib import Parallel, delayed

    # Per-epoch bars of concurrent fits would overwrite each other: only the bar
    # over finished rows is drawn.
    # Longest first (the asymmetric auto-encoders, then NMF, then the shallow ones):
    # the last worker to finish then runs a short job, not a long one.
    longest_first = sorted(rows, key=lambda row: _RELATIVE_COST[row.model], reverse=True)
    tasks = (delayed(run_row)(row, settings, data, options.out, options.figures,
                              options.threads, False)
             for row in longest_first)
    yield from Parallel(n_jobs=min(options.jobs, len(rows)), backend="loky",
                        return_as="generator_unordered")(tasks)


def compare(settings, options=None):
    """Fit, measure and report the study's rows.

    ``results.csv`` is rewritten (atomically) after every row, so an interrupted run
    keeps the rows already measured; ``results.md`` and the summary figure come at
    the end. The table is printed on stdout, progress on stderr.

    Parameters
    ----------
    settings : Settings
    options : CompareOptions, default=None
        None: the defaults.

    Returns
    -------
    records : list of dict
        One per row, in the order of :data:`~sparse_parts.study.rows.ROWS`.

    Raises
    ------
    CompareInterrupted
        On Ctrl-C (a ``KeyboardInterrupt``), after writing the finished rows. With
        ``jobs > 1`` the worker processes are stopped and their unfinished rows lost.
    DataError
        If the user's images or labels (``settings.data``, ``settings.labels``) cannot
        be read or used; raised before anything is fitted.
    ValueError
        If ``options.out`` is an existing file or cannot be written to.
    """
    from tqdm.auto import tqdm

    options = CompareOptions() if options is None else options
    start = time.perf_counter()
    rows = select_rows(options.models, options.quick)
    prepare_output_folder(options.out)
    with thread_limits(options.threads, torch=any(row.is_autoencoder for row in rows)):
        say(f"Data set {settings.data_name}: loading")
        X_train, _, X_test, y_test, image_shape = load_data(settings)
        settings = complete_settings(settings, X_train.shape[0], X_test.shape[0], image_shape)
        say(f"{X_train.shape[0]} training and {X_test.shape[0]} test images of "
            f"{image_shape_in_words(image_shape)}; {len(rows)} models, "
            f"k = {settings.n_components}, {settings.epochs} epochs, device "
            f"{settings.device}, {options.jobs} job(s); output in {options.out}")
        sizes = {row.model: n_parameters(row.model, image_shape, settings.n_components)
                 for row in rows}
        say(f"Model sizes (trainable parameters): {format_sizes(sizes)}")
        if not settings.has_labels:
            say("No labels (--labels): the SVM accuracy is left out.")
        order = {row.name: i for i, row in enumerate(rows)}
        results = os.path.join(options.out, "results.csv")
        records = []
        try:
            with tqdm(total=len(rows), desc="models", unit="model") as progress:
                for record in _run_rows(rows, settings, (X_train, X_test, y_test), options):
                    records.append(record)
                    records.sort(key=lambda r: order[r["row"]])
                    write_csv(results, records)
                    progress.set_postfix_str(record["row"])
                    progress.update(1)
            total = time.perf_counter() - start
            if options.figures:
                write_summary_figure(options.out, records, settings.data_name)
            write_markdown(os.path.join(options.out, "results.md"), records, settings,
                           options.command, total, jobs=options.jobs,
                           figures=options.figures)
        except KeyboardInterrupt as interrupt:
            raise CompareInterrupted(len(records), results) from interrupt
    print(format_table(records))
    print(f"\nWrote results.csv, results.md{' and figures' if options.figures else ''} "
          f"to {options.out} in {time.perf_counter() - start:.1f} s.")
    return records
