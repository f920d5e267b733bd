"""The reference study as code: its rows, settings, protocol, model cache, reports and runs.

What ``sparse-parts compare`` runs, usable without the command line::

    from sparse_parts.study import CompareOptions, compare, resolve_settings

    settings = resolve_settings("digits", quick=True, models=["nmf"])
    records = compare(settings, CompareOptions(out="out", models=["nmf"], quick=True))

On the user's own images: ``resolve_settings(data_path="images/", labels="labels.txt")``.

One module per idea: :mod:`~sparse_parts.study.rows` (the study's rows and numbers),
:mod:`~sparse_parts.study.settings` (a run's settings and defaults),
:mod:`~sparse_parts.study.data` (the images: built-in or the user's, and their split),
:mod:`~sparse_parts.study.estimators` (the estimator of each row and its size),
:mod:`~sparse_parts.study.cache` (the model cache),
:mod:`~sparse_parts.study.files` (the output folder and atomic writes),
:mod:`~sparse_parts.study.protocol` (the metrics and the SVM protocol),
:mod:`~sparse_parts.study.report` (table, CSV, Markdown, figures),
:mod:`~sparse_parts.study.threads` (CPU thread limits) and
:mod:`~sparse_parts.study.run` (the run itself). None of them imports torch: an
auto-encoder row loads it through :mod:`sparse_parts.autoencoders` when it is run.
"""

from .data import DataError
from .rows import MODELS, ROWS, Row, select_rows
from .run import CompareInterrupted, CompareOptions, compare
from .settings import DATASETS, USER_DATA, Settings, resolve_settings

__all__ = ["Row", "ROWS", "MODELS", "select_rows", "DATASETS", "USER_DATA", "Settings",
           "resolve_settings", "CompareOptions", "CompareInterrupted", "DataError",
           "compare"]
