"""Merge the ``front.csv`` of several ``sparse-parts front`` runs into one report.

The whole grid on full Fashion-MNIST needs a GPU for the asymmetric auto-encoder
(about 1.6 s an epoch there, 80-120 s on one CPU core) and is cheapest with the
CPU families run elsewhere at the same time. Each run measures its configurations on
the same protocol (same data, split, k, budgets, seed); this script joins their
``front.csv`` files and writes ``front.csv``, ``front.md`` and ``front.png`` for
all of them, with the reference points added once. Every row keeps the ``device``
it was measured on. A configuration measured by two runs is taken from the later
file on the command line.

Run:  .venv/bin/python benchmarks/merge_fronts.py --out DIR RUN1/front.csv RUN2/front.csv ...
"""

import argparse
import csv
import os

from sparse_parts.study import resolve_settings
from sparse_parts.study.catalog import GRID
from sparse_parts.study.figures import write_front_figure
from sparse_parts.study.front_report import write_markdown
from sparse_parts.study.pareto import dominators, svm_not_worse
from sparse_parts.study.records import reference_records, write_csv
from sparse_parts.study.runner import RunOptions
from sparse_parts.study.settings import complete_settings

_FLOATS = ("mse", "hoyer", "hoyer_unit_atoms", "max_approx", "max_approx_rec", "svm", "svm_std",
           "svm_sem", "svm_C", "fit_seconds", "transform_seconds", "sparsity_target",
           "sparsity_weight")
_INTS = ("n_iter", "convergence_warnings")
_BOOLS = ("shipped", "cached")


def _typed(row):
    """A CSV row as ``front`` records it: numbers as numbers, empty cells as None."""
    record = {k: (None if v == "" else v) for k, v in row.items()}
    for name in _FLOATS:
        record[name] = None if record.get(name) is None else float(record[name])
    for name in _INTS:
        record[name] = None if record.get(name) is None else int(record[name])
    for name in _BOOLS:
        record[name] = record.get(name) == "True"
    return record


def read_records(paths):
    """The measured rows of the ``front.csv`` files, later files winning, in grid order."""
    by_key = {}
    for path in paths:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                if row["family"] != "reference":
                    by_key[(row["family"], row["config"])] = _typed(row)
    order = {(c.family, c.name): i for i, c in enumerate(GRID)}
    unknown = sorted(f"{f}/{c}" for f, c in by_key if (f, c) not in order)
    if unknown:
        raise SystemExit(f"not in today's grid (renamed or removed?): {', '.join(unknown)}")
    return sorted(by_key.values(), key=lambda r: order[(r["family"], r["config"])])


def scale_free_dominance(records):
    """Lines: each peer, and ours that dominate it with the Hoyer of unit-norm atoms.

    The same rule as the report's (2% ties, SVM within 0.01), with the Hoyer sparsity
    of the codes of unit-norm atoms (``hoyer_unit_atoms``) in place of the study's
    measure; points without it (the reference points, older runs) are left out.
    """
    def point(r):
        return (r["mse"], None if r["hoyer_unit_atoms"] is None else -r["hoyer_unit_atoms"],
                r["max_approx"])

    measured = [r for r in records if r["family"] != "reference"
                and r.get("hoyer_unit_atoms") is not None]
    ours = [r for r in measured if r["shipped"]]
    lines = []
    for peer in (r for r in measured if not r["shipped"]):
        found = [ours[i] for i in dominators(point(peer), [point(r) for r in ours])
                 if svm_not_worse(ours[i]["svm"], peer["svm"])]
        names = ", ".join(f"{r['family']}/{r['config']}" for r in found[:3])
        more = f" and {len(found) - 3} more" if len(found) > 3 else ""
        lines.append(f"{peer['family']}/{peer['config']}: {names + more or 'none'}")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv_files", nargs="+", metavar="FRONT_CSV")
    parser.add_argument("--out", required=True, help="folder for front.csv/.md/.png")
    parser.add_argument("--prefix", default="front",
                        help="file names: PREFIX.csv, PREFIX.md, PREFIX.png")
    parser.add_argument("--command", default=None,
                        help="the command lines of the runs, quoted in the report")
    args = parser.parse_args()
    records = read_records(args.csv_files) + reference_records()
    settings = resolve_settings("fashion-mnist", models=["nmf"])
    settings = complete_settings(settings, settings.n_train, settings.n_test, (28, 28))
    os.makedirs(args.out, exist_ok=True)
    stem = os.path.join(args.out, args.prefix)
    command = args.command or "benchmarks/merge_fronts.py " + " ".join(args.csv_files)
    write_csv(stem + ".csv", records)
    # The runs' wall times are in their own reports; a sum would mean nothing.
    write_markdown(stem + ".md", records, settings, command, None)
    write_front_figure(stem, records, settings.data_name, RunOptions())
    print(f"{len(records)} rows -> {stem}.csv, .md, .png")
    print("Dominance with the Hoyer sparsity of unit-norm atoms (peer: ours, SVM within "
          "0.01):")
    for line in scale_free_dominance(records):
        print("  " + line)


if __name__ == "__main__":
    main()
