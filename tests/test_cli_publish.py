"""The command line of a published package: ``--version``, ``compare --max-iter`` and
one summary line for the convergence warnings of ``compare``."""

import csv
import os
import pickle
import subprocess
import sys

import pytest

from sparse_parts import __version__, cli


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"sparse-parts {__version__}"


def test_max_iter_is_a_positive_integer(capsys):
    for bad in ("0", "-3", "many"):
        with pytest.raises(SystemExit) as exited:
            cli.main(["compare", "--max-iter", bad])
        assert exited.value.code == 2
        assert "--max-iter: expected a positive integer" in capsys.readouterr().err


def test_compare_summarises_convergence_warnings_and_takes_max_iter(tmp_path):
    """Run as a user does (a separate process): no raw ConvergenceWarning pointing at
    the entry point, one summary line naming --max-iter, which the run obeyed."""
    out = tmp_path / "out"
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "default"}
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.dirname(os.path.dirname(os.path.abspath(cli.__file__)))]
        + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    done = subprocess.run(
        [sys.executable, "-m", "sparse_parts", "compare", "--dataset", "digits", "--quick",
         "--models", "nmf", "--no-figures", "--max-iter", "3", "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "ConvergenceWarning:" not in done.stderr
    # One line per configuration, as front prints it, naming the budget it obeyed.
    assert "nmf/component-0.6: " in done.stderr and "convergence warning(s)" in done.stderr
    assert "budget 3 iterations" in done.stderr
    with open(out / "results.csv", newline="") as f:
        assert [row["family"] for row in csv.DictReader(f)] == ["nmf"]
    (entry,) = (out / "cache").glob("nmf-*.pkl")  # the cached model ran 3 iterations
    model = pickle.loads(entry.read_bytes().partition(b"\n")[2])["estimator"]
    assert model.n_iter_ == 3
