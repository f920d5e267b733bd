"""``sparse-parts compare``: the report's rows through the study's runner, and their report.

:func:`compare` runs the rows of :data:`~sparse_parts.study.catalog.ROWS` with
:func:`~sparse_parts.study.runner.run` (``results.csv`` rewritten after every row),
then writes ``results.md`` and the summary figures, and prints the table.
"""

import os
import time
from dataclasses import dataclass

from ._console import say
from .catalog import select_rows
from .errors import SelectionError
from .estimators import n_parameters
from .figures import write_summary_figures
from .report import format_sizes, format_table, write_markdown
from .runner import RunInterrupted, RunOptions, run

__all__ = ["CompareOptions", "compare"]


@dataclass
class CompareOptions(RunOptions):
    """:class:`~sparse_parts.study.runner.RunOptions` of ``sparse-parts compare``, and its models.

    Parameters
    ----------
    models : sequence of str, default=None
        The model families to fit (None: all).

    The other parameters are those of :class:`~sparse_parts.study.runner.RunOptions`;
    ``out`` defaults to ``"compare_out"``, ``command`` to ``"sparse-parts compare"``.
    """

    out: str = "compare_out"
    command: str = "sparse-parts compare"
    models: tuple | None = None


def compare(settings, options=None):
    """Fit, measure and report the rows of Tables 1 and 2 of the report.

    The report is B. Ponchon, *Morphological Multi-scale Decompositions and efficient
    representations with Auto-Encoders*, internship report, April-September 2018
    (Center for Mathematical Morphology, MINES ParisTech; in the author's repository
    PonchonB/Mathematical_Morphologies_And_Deep_Learning,
    ``Livrables/28_09_01_Rapport/PONCHON_Bastien_report_2018.pdf``); its sequel is B.
    Ponchon, S. Velasco-Forero, S. Blusseau, J. Angulo and I. Bloch, "Part-based
    approximations for morphological operators using asymmetric auto-encoders",
    ISMM 2019 (HAL hal-02071470, arXiv:1904.00763). The sparse NMF row is P. O.
    Hoyer's, JMLR 5:1457-1469, 2004. :mod:`sparse_parts.study.references` holds them.

    ``results.csv`` is rewritten (atomically) after every row, so an interrupted run
    keeps the rows already measured; ``results.md`` and the summary figures come at
    the end. The table is printed on stdout, progress on stderr.

    Parameters
    ----------
    settings : Settings
    options : CompareOptions, default=None
        None: the defaults.

    Returns
    -------
    records : list of dict
        One per row, in the report's order, of the schema of
        :mod:`~sparse_parts.study.records`.

    Raises
    ------
    RunInterrupted
        On Ctrl-C (a ``KeyboardInterrupt``), after writing the finished rows. With
        ``jobs > 1`` the worker processes are stopped and their unfinished rows lost.
    DataError
        If the user's images or labels (``settings.data``, ``settings.labels``) cannot
        be read or used; raised before anything is fitted.
    ValueError
        If ``options.out`` is an existing file or cannot be written to.
    """
    options = CompareOptions() if options is None else options
    start = time.perf_counter()
    rows = select_rows(options.models, options.quick)
    if not rows:
        raise SelectionError("no row selected; check {models}.", "models")
    records, settings, _ = run(rows, settings, options, "results.csv", config_figures=True)
    sizes = {row.family: n_parameters(row.family, settings.image_shape, settings.n_components)
             for row in rows}
    say(f"Model sizes (trainable parameters): {format_sizes(sizes)}")
    try:
        summary = None
        if options.figures:
            paths = write_summary_figures(options.out, records, settings.data_name, options)
            summary = os.path.basename(paths[0])
        write_markdown(os.path.join(options.out, "results.md"), records, settings,
                       options.command, time.perf_counter() - start, jobs=options.jobs,
                       figures=summary)
    except KeyboardInterrupt as interrupt:
        raise RunInterrupted(len(records), os.path.join(options.out, "results.csv")) \
            from interrupt
    print(format_table(records))
    print(f"\nWrote results.csv, results.md{' and figures' if options.figures else ''} "
          f"to {options.out} in {time.perf_counter() - start:.1f} s.")
    return records
