"""The report of ``sparse-parts front``: the table, the Pareto front, who dominates whom.

The records are those of :mod:`~sparse_parts.study.records`; the dominance rules are
:mod:`~sparse_parts.study.pareto`'s.
"""

from .files import atomic_write
from .pareto import SVM_TOLERANCE, TIE, dominators, objectives, pareto_front, svm_not_worse
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


def _dominance_lines(records):
    ours = [r for r in records if r.get("shipped")]
    points = [objectives(r) for r in ours]
    lines = ["| point | MSE / Hoyer / max-approx. | SVM | dominated by (ours; SVM difference) |",
             "|---|---|---|---|"]
    for r in records:
        if r.get("shipped"):
            continue
        found = [ours[i] for i in dominators(objectives(r), points)]
        cells = []
        for d in found:
            verdict = svm_not_worse(d["svm"], r.get("svm"))
            if verdict is None:
                cells.append(f"{_label(d)} (SVM n/a)")
            else:
                cells.append(f"{_label(d)} ({d['svm'] - r['svm']:+.3f}, "
                             f"{'within 0.01 or better' if verdict else 'worse'})")
        lines.append(f"| {_label(r)} | {_fmt(r['mse'])} / {_fmt(r['hoyer'])} / "
                     f"{_fmt(r['max_approx'])} | {_svm_text(r)} | "
                     f"{'; '.join(cells) or 'none'} |")
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
              f"A point of ours dominates another when it is nowhere worse by more than "
              f"{TIE:.0%} (relative) and somewhere better by more than {TIE:.0%}. Beside "
              f"each: its SVM accuracy minus the other's, and whether it is within "
              f"{SVM_TOLERANCE} of it or better.", ""]
    lines += _dominance_lines(records)
    lines += ["", "## Protocol", "", f"- SVM accuracy: {svm_protocol(settings)}",
              "- Hoyer: the mean sparseness of the codes as the model gives them (the "
              "study's measure, used for the front); *unit atoms*: of the same "
              "decomposition with every atom scaled to unit L2 norm (the codes scaled "
              "inversely), which no choice of atom scales can change.",
              "- Encoding time: one `transform` of all the test images, as measured.", "",
              *markdown_references()]
    atomic_write(path, lambda f: f.write("\n".join(lines)))
