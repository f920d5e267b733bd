"""The report's rows trained at the report's budget, judged against the front's points.

``sparse-parts compare --budget study`` re-runs the report's configurations as the
report trained them (500 epochs of Adadelta, batch 128; sparse NMF fitted on the test
images) and measures them under this package's SVM protocol. This reads that run's
``results.csv`` and the ``front.csv`` of a ``sparse-parts front`` run of the points of
ours to judge them by (the fast budget, the same data, the same SVM protocol), and
prints, by issue 9's rules (:func:`sparse_parts.study.pareto.judge`: 2% ties on MSE,
Hoyer sparsity with unit-norm atoms and max-approximation error; SVM accuracy at most
0.01 below the row's own, both measured under the same protocol), which of our
points dominate each row, which dominate it on the three metrics but lose SVM
accuracy, and which rows nothing dominates.

Run:  python benchmarks/judge_study_budget.py STUDY/results.csv FRONT/front.csv
"""

import argparse
import csv
import math

from sparse_parts.study.pareto import judge

NUMBERS = ("mse", "hoyer", "hoyer_unit_atoms", "max_approx", "svm", "svm_sem")


def read(path, shipped):
    """The records of a results.csv / front.csv, numbers as floats (None when empty)."""
    records = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            record = dict(row)
            for key in NUMBERS:
                value = row.get(key, "")
                record[key] = float(value) if value not in ("", None) else None
            record["shipped"] = shipped
            records.append(record)
    return records


def name(record):
    return f"{record['family']}/{record['config']}"


def fmt(value, digits=4):
    return "" if value is None or not math.isfinite(value) else f"{value:.{digits}g}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", help="results.csv of `sparse-parts compare --budget study`")
    parser.add_argument("front", help="front.csv of `sparse-parts front` (our points)")
    args = parser.parse_args(argv)
    rows = read(args.study, shipped=False)
    # Our configurations of the front run (its scikit-learn peers and the report's
    # points are not ours).
    ours = [r for r in read(args.front, shipped=True)
            if r.get("family") not in ("reference",) and not r["family"].startswith("sklearn")]
    protocols = [{r.get("svm_protocol") or None for r in records} for records in (rows, ours)]
    if None in protocols[0] | protocols[1] or len(protocols[0] | protocols[1]) != 1:
        raise SystemExit(f"the SVM accuracies must come from one protocol, recorded in "
                         f"both files' svm_protocol column; got {protocols[0]} in "
                         f"{args.study} and {protocols[1]} in {args.front}.")
    # The report's rows keep their own names; ours are told apart by "ours:".
    for record in ours:
        record["family"] = f"ours:{record['family']}"
    print("| report's row (study budget) | MSE / Hoyer (unit atoms) / max-approx. | SVM "
          "| dominated by (SVM within 0.01) | dominated on the metrics, SVM worse |")
    print("|---|---|---|---|---|")
    for verdict in judge(rows + ours):
        record = verdict["record"]
        hoyer = record["hoyer_unit_atoms"] if record["hoyer_unit_atoms"] is not None \
            else record["hoyer"]

        def listed(found):
            return ", ".join(f"{name(c)[5:]} ({fmt(c['mse'])} / {fmt(c['hoyer_unit_atoms'])}"
                             f" / {fmt(c['max_approx'])}, SVM {fmt(c['svm'], 3)})"
                             for c in found) or "none"

        print(f"| {name(record)} | {fmt(record['mse'])} / {fmt(hoyer)} / "
              f"{fmt(record['max_approx'])} | {fmt(record['svm'], 3)} | "
              f"{listed(verdict['dominators'])} | {listed(verdict['svm_worse'])} |")


if __name__ == "__main__":
    main()
