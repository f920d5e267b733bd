"""One pipeline: compare and front share the catalog, the runner and the record schema."""

import csv
import importlib

import pytest
from sklearn.exceptions import ConvergenceWarning

from sparse_parts import cli
from sparse_parts.study import runner
from sparse_parts.study.records import COLUMNS

pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


def _read_csv(path):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def test_compare_and_front_run_through_one_runner_into_one_schema(tmp_path, monkeypatch):
    """The report's NMF row is the grid's nmf/component-0.6: measured by compare and by
    front through the same runner, it is the same record in the same columns, and the
    second command loads the model the first one cached."""
    calls = []
    run = runner.run

    def recording(configs, *args, **kwargs):
        calls.append([c.key for c in configs])
        return run(configs, *args, **kwargs)

    # Both commands import the runner's function: patch it where they look it up (the
    # package's names compare and front are the functions, hence import_module).
    for module in ("compare", "front"):
        monkeypatch.setattr(importlib.import_module(f"sparse_parts.study.{module}"), "run",
                            recording)
    out = str(tmp_path)
    common = ["--dataset", "digits", "--quick", "--out", out, "--no-figures",
              "--device", "cpu"]
    assert cli.main(["compare", "--models", "nmf", *common]) == 0
    assert cli.main(["front", "--configs", "nmf/component-0.6", *common]) == 0
    assert calls == [["nmf/component-0.6"], ["nmf/component-0.6"]]
    results_columns, (row,) = _read_csv(tmp_path / "results.csv")
    front_columns, (point,) = _read_csv(tmp_path / "front.csv")
    assert results_columns == front_columns == list(COLUMNS)
    assert row["cached"] == "False" and point["cached"] == "True"
    for key in ("family", "config", "mse", "hoyer", "hoyer_unit_atoms", "max_approx",
                "max_approx_rec", "svm", "svm_std", "svm_sem", "budget", "fit_seconds"):
        assert row[key] == point[key], key
    assert row["budget_preset"] == "fast"
