"""The report of ``sparse-parts front``: the table, the Pareto front, who dominates whom.

The records are those of :mod:`~sparse_parts.study.records`; the dominance rules are
:mod:`~sparse_parts.study.pareto`'s.
"""

from .files import atomic_write
from .pareto import SVM_TOLERANCE, TIE, judge, objectives, pareto_front
from .protocol import svm_protocol
from .references import markdown_references
from .report import fmt as _fmt

__all__ = ["write_markdown"]


def _label(record):
    return f"{record['family']}/{record['config']}"


def _svm_text(record):
    if record.get("svm") is None:
        return ""
    std = record.get("svm_std")
    return f"{record['svm']:.3f}" + ("" if std is None else f" ({std:.3f})")


def _names(records, limit=4):
    names = ", ".join(_label(r) for r in records[:limit])
    return names + (f" and {len(records) - limit} more" if len(records) > limit else "")


def dominance_lines(records):
    """The table of :func:`~sparse_parts.study.pareto.judge`: each peer and reference point,
    the SVM accuracy it is judged against, and ours that dominate it."""
    lines = ["| point | MSE / Hoyer (unit atoms) / max-approx. | SVM judged against | "
             "dominated by (SVM within 0.01 or better) | dominated on the metrics, SVM "
             "worse | SVM not judged |", "|---|---|---|---|---|---|"]
    for verdict in judge(records):
        r = verdict["record"]
        hoyer = r.get("hoyer_unit_atoms")
        hoyer = r.get("hoyer") if hoyer is None else hoyer
        svm = "n/a" if verdict["svm"] is None else f"{verdict['svm']:.3f}"
        lines.append(
            f"| {_label(r)} | {_fmt(r['mse'])} / {_fmt(hoyer)} / {_fmt(r['max_approx'])} | "
            f"{svm} | {len(verdict['dominators'])}: {_names(verdict['dominators']) or 'none'} "
            f"| {len(verdict['svm_worse'])}: {_names(verdict['svm_worse']) or 'none'} | "
            f"{len(verdict['svm_unknown'])}: {_names(verdict['svm_unknown']) or 'none'} |")
    return lines


def write_markdown(path, records, settings, command, total_seconds, jobs=1):
    """Write ``front.md``: the table, the Pareto-optimal points, who dominates whom.

    Parameters
    ----------
    path : str
    records : list of dict
        The measured configurations and the reference points.
    settings : Settings
    command : str
        The command line of the run, quoted in the report.
    total_seconds : float or None
        The run's wall time; None leaves it out (a report merged from several runs).
    jobs : int, default=1
    """
    if total_seconds is None:
        timing = ""
    else:
        timing = (f" Total time {total_seconds:.1f} s"
                  + (f" ({jobs} configurations in parallel)." if jobs > 1 else "."))
    front = set(pareto_front([objectives(r) for r in records]))
    lines = [
        "# sparse-parts front", "",
        f"Command: `{command}`", "",
        f"Data set: **{settings.data_name}**, {settings.n_train} training images, "
        f"{settings.n_test} held-out test images; k = {settings.n_components}; budgets: "
        f"{settings.epochs} epochs, {settings.nmf_max_iter} iterations (times a "
        f"configuration's factor); seed {settings.seed}.{timing}", "",
        "Every metric on the held-out test images. `shipped`: a configuration of "
        "sparse_parts; the peers are scikit-learn's, encoding new images with their own "
        "`transform`; `reference` points are drawn from the study's Tables 1 and 2 and "
        "the author's repository (Fashion-MNIST, k = 100), not refitted"
        + ("." if settings.dataset == "fashion-mnist" else
           "; they are for Fashion-MNIST, so this run on another data set leaves them out."),
        "", "| family | config | MSE | Hoyer | Hoyer, unit atoms | max-approx. | SVM (std) | "
            "fit s | transform s | device | budget | shipped | Pareto |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(records):
        fit = "" if r.get("fit_seconds") is None else f"{r['fit_seconds']:.1f}"
        if r.get("cached"):
            fit += " (cached)"
        encode = "" if r.get("transform_seconds") is None else f"{r['transform_seconds']:.2f}"
        lines.append(
            f"| {r['family']} | {r['config']} | {_fmt(r['mse'])} | {_fmt(r['hoyer'])} | "
            f"{_fmt(r.get('hoyer_unit_atoms'))} | {_fmt(r['max_approx'])} | {_svm_text(r)} | "
            f"{fit} | {encode} | "
            f"{r.get('device') or ''} | {r.get('budget') or ''} | "
            f"{'yes' if r.get('shipped') else 'no'} | {'**yes**' if i in front else ''} |")
    failures = [r for r in records if r.get("failed")]
    if failures:
        lines += ["", "Peers that could not be measured (their metrics are left empty):", ""]
        lines += [f"- {_label(r)}: {r['failed']}" for r in failures]
    lines += ["", "## Pareto-optimal points", "",
              "Not dominated on (lower MSE, higher Hoyer sparsity, lower max-approximation "
              "error) by any other point above:", ""]
    lines += [f"- {_label(r)}: {_fmt(r['mse'])} / {_fmt(r['hoyer'])} / "
              f"{_fmt(r['max_approx'])}" for i, r in enumerate(records) if i in front]
    lines += ["", "## Peers and references against our points", "",
              "The rules agreed for issue 9. A point of ours dominates another when, on "
              "(MSE, Hoyer sparsity, max-approximation error), it is nowhere worse by more "
              f"than {TIE:.0%} (relative) and somewhere better by more than {TIE:.0%}, the "
              "sparsity of every measured point taken with unit-norm atoms "
              "(`hoyer_unit_atoms`: atoms of free norm cannot buy sparsity), and its SVM "
              f"accuracy is at most {SVM_TOLERANCE} below the other's under the same "
              "protocol: a peer's own, and for a row of the report that of the same "
              "configuration re-run in this run (the report's own accuracy was measured "
              "by another protocol). The author's NCAE and NNSAE have no accuracy under "
              "this protocol: their SVM clause is not judged.", ""]
    lines += dominance_lines(records)
    lines += ["", "## Protocol", "", f"- SVM accuracy: {svm_protocol(settings)}",
              "- Hoyer: the mean sparseness of the codes as the model gives them (the "
              "study's measure, used for the front); *unit atoms*: of the same "
              "decomposition with every atom scaled to unit L2 norm (the codes scaled "
              "inversely), which no choice of atom scales can change.",
              "- Encoding time: one `transform` of all the test images, as measured.", "",
              *markdown_references()]
    atomic_write(path, lambda f: f.write("\n".join(lines)))
