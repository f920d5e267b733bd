"""The one record schema of the study: what every measured configuration is written as.

A record is a dict with the keys of :data:`COLUMNS` (missing values are None): the
configuration's identity, its metrics under one vocabulary, its costs and budget,
and, for a row of the report, the report's own numbers (``study_*``). ``results.csv``
(``sparse-parts compare``), ``front.csv`` (``sparse-parts front``), ``results.md``,
``front.md`` and the figures all read records of this one schema.
"""

import csv

from .files import atomic_write

__all__ = ["COLUMNS", "METRICS", "STUDY_COLUMNS", "make_record", "reference_records",
           "write_csv", "AUTHOR_POINTS"]

#: The metrics of a measured configuration (:func:`sparse_parts.study.protocol.evaluate`):
#: reconstruction MSE, Hoyer sparsity of the codes (as given, and with unit-norm atoms),
#: the max-approximation errors to dilation (against the dilated images, and against the
#: dilated reconstructions), the SVM accuracy (mean, std, standard error of the mean,
#: the C chosen).
METRICS = ("mse", "hoyer", "hoyer_unit_atoms", "max_approx", "max_approx_rec", "svm",
           "svm_std", "svm_sem", "svm_C")

#: The report's numbers of a row, beside ours.
STUDY_COLUMNS = ("study_mse", "study_hoyer", "study_max_approx", "study_svm", "study_svm_std")

#: Every key of a record, in the column order of ``results.csv`` and ``front.csv``.
COLUMNS = ("family", "config", "label", "sparsity_target", "sparsity_weight", *METRICS,
           "svm_protocol", "fit_seconds", "transform_seconds", "device", "budget",
           "budget_preset", "n_iter", "n_parameters", "shipped", "cached",
           "convergence_warnings", "failed", "params", *STUDY_COLUMNS)

#: Points from the author's public repository (Fashion-MNIST, k = 100, test images):
#: name -> (MSE, Hoyer sparsity, max-approximation error). NCAE: the non-negativity
#: constrained auto-encoder of Hosseini-Asl, Zurada and Nasraoui (2016); NNSAE: the
#: non-negative sparse auto-encoder of Lemme, Reinhart and Steil (2012), both as
#: re-implemented and measured by the report's author.
AUTHOR_POINTS = {"NCAE": (0.01688, 0.5951, 0.0304), "NNSAE": (0.0514, 0.2203, 1.123)}


def make_record(config, metrics, **fields):
    """The record of ``config``: its identity, ``metrics`` and the other ``fields``.

    Parameters
    ----------
    config : Config
    metrics : dict
        Keys among :data:`METRICS`; those missing are None.
    **fields
        Other keys of :data:`COLUMNS` (``fit_seconds``, ``cached``...). ``study=False``
        leaves out the report's numbers (on any data set but Fashion-MNIST, where they
        compare with nothing).

    Returns
    -------
    record : dict
        Every key of :data:`COLUMNS`.
    """
    with_study = fields.pop("study", True)
    record = dict.fromkeys(COLUMNS)
    record.update(family=config.family, config=config.name, label=config.label or None,
                  sparsity_target=config.sparsity_target,
                  sparsity_weight=config.sparsity_weight, shipped=config.shipped,
                  params=", ".join(f"{k}={v!r}" for k, v in config.params.items()))
    record.update({key: metrics.get(key) for key in METRICS})
    unknown = set(fields) - set(COLUMNS)
    if unknown:
        raise KeyError(f"not columns of the record schema: {', '.join(sorted(unknown))}")
    record.update(fields)
    if with_study and config.study:
        record.update({f"study_{key}": value for key, value in config.study.items()})
    return record


def _reference(name, mse, hoyer, max_approx, svm=None, svm_std=None):
    record = dict.fromkeys(COLUMNS)
    record.update(family="reference", config=name, mse=mse, hoyer=hoyer,
                  max_approx=max_approx, svm=svm, svm_std=svm_std, shipped=False)
    return record


def reference_records():
    """The reference points, drawn but not refitted: the report's rows, the author's two.

    Returns
    -------
    records : list of dict
        Family ``"reference"``; configs ``"study <family>/<name>"`` (Tables 1 and 2)
        and ``"author <model>"``.
    """
    from .catalog import ROWS

    records = [_reference(f"study {row.key}", **row.study) for row in ROWS]
    records += [_reference(f"author {name}", *values) for name, values in AUTHOR_POINTS.items()]
    return records


def write_csv(path, records):
    """Write ``records`` into the CSV file ``path``, one line each, atomically.

    Every file has the columns of :data:`COLUMNS`; a value a run did not measure (the
    SVM accuracy without labels, the report's numbers on other images) is an empty cell.
    """
    def write(f):
        writer = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for r in records:
            writer.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in COLUMNS})

    atomic_write(path, write)
