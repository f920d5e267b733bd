"""The study as code: one catalog, one estimator factory, one record schema, one runner.

What ``sparse-parts compare`` and ``sparse-parts front`` run, usable without the command
line::

    from sparse_parts.study import CompareOptions, compare, resolve_settings

    settings = resolve_settings("digits", quick=True, models=["nmf"])
    records = compare(settings, CompareOptions(out="out", models=["nmf"], quick=True))

On the user's own images: ``resolve_settings(data_path="images/", labels="labels.txt")``.

The study reproduced is Bastien Ponchon's 2018 internship report, whose sequel is
B. Ponchon, S. Velasco-Forero, S. Blusseau, J. Angulo and I. Bloch, "Part-based
approximations for morphological operators using asymmetric auto-encoders", ISMM 2019
(arXiv:1904.00763). See the user guide for the full references.

One module per idea: :mod:`~sparse_parts.study.catalog` (the configurations: the grid
and the report's rows, named points of it), :mod:`~sparse_parts.study.settings` (a
run's settings and defaults), :mod:`~sparse_parts.study.data` (the images and their
split), :mod:`~sparse_parts.study.estimators` (the one estimator factory and the model
sizes), :mod:`~sparse_parts.study.peers` (scikit-learn's decompositions, adapted),
:mod:`~sparse_parts.study.cache` (the model cache), :mod:`~sparse_parts.study.files`
(the output folder and atomic writes), :mod:`~sparse_parts.study.protocol` (the
metrics and the SVM protocols), :mod:`~sparse_parts.study.records` (the one record
schema), :mod:`~sparse_parts.study.runner` (the one runner), :mod:`~sparse_parts.study.
pareto` (dominance), :mod:`~sparse_parts.study.figures` (the study's figures),
:mod:`~sparse_parts.study.report` and :mod:`~sparse_parts.study.front_report` (the two
commands' reports), :mod:`~sparse_parts.study.compare` and
:mod:`~sparse_parts.study.front` (the two commands), :mod:`~sparse_parts.study.errors`
(errors that name parameters) and :mod:`~sparse_parts.study.threads` (CPU thread
limits). None of them imports torch: an auto-encoder loads it when it is fitted.
"""

from .catalog import FAMILIES, GRID, MODELS, ROWS, Config, select_configs, select_rows
from .compare import CompareOptions, compare
from .errors import DataError, SelectionError, SettingsError, StudyError
from .front import FrontOptions, front
from .runner import CompareInterrupted, RunInterrupted, RunOptions
from .settings import DATASETS, USER_DATA, Settings, resolve_settings

__all__ = ["Config", "GRID", "ROWS", "MODELS", "FAMILIES", "select_configs", "select_rows",
           "DATASETS", "USER_DATA", "Settings", "resolve_settings", "RunOptions",
           "CompareOptions", "FrontOptions", "RunInterrupted", "CompareInterrupted",
           "StudyError", "SettingsError", "DataError", "SelectionError", "compare", "front"]
