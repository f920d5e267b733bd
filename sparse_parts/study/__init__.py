"""The reference study as code: its rows, settings, protocol, model cache, reports and runs.

What ``sparse-parts compare`` runs, usable without the command line::

    from sparse_parts.study import CompareOptions, compare, resolve_settings

    settings = resolve_settings("digits", quick=True, models=["nmf"])
    records = compare(settings, CompareOptions(out="out", models=["nmf"], quick=True))

One module per idea: :mod:`~sparse_parts.study.rows` (the study's rows and numbers),
:mod:`~sparse_parts.study.settings` (a run's settings and defaults),
:mod:`~sparse_parts.study.data` (the images), :mod:`~sparse_parts.study.estimators`
(the estimator of each row), :mod:`~sparse_parts.study.cache` (the model cache),
:mod:`~sparse_parts.study.files` (the output folder and atomic writes),
:mod:`~sparse_parts.study.protocol` (the metrics and the SVM protocol),
:mod:`~sparse_parts.study.report` (table, CSV, Markdown, figures),
:mod:`~sparse_parts.study.threads` (CPU thread limits) and
:mod:`~sparse_parts.study.run` (the run itself). None of them imports torch: an
auto-encoder row loads it through :mod:`sparse_parts.autoencoders` when it is run.
"""

from .rows import MODELS, ROWS, Row, select_rows
from .run import CompareInterrupted, CompareOptions, compare
from .settings import DATASETS, Settings, resolve_settings

__all__ = ["Row", "ROWS", "MODELS", "select_rows", "DATASETS", "Settings",
           "resolve_settings", "CompareOptions", "CompareInterrupted", "compare"]
