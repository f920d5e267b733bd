"""A warm start's first iterations on photo patches: where the fit starts, where it goes.

Fits SparseNMF cold on 4,000 12x12 patches of scikit-image's photographs (k = 36,
``code_l1`` = 0.005, as ``bench_path.py``'s ``photos`` set), then prints the
objective (``0.5 |X - C A|^2 + code_l1 sum_i |x_i| |c_i|_1``) of the codes of its atoms
solved with a path point's budget (25 iterations, tol=0) and with transform's
defaults (200, 1e-4), and of a warm fit continued from those atoms at the same
strength, after every iteration of 25. Before the warm start solved its codes to the
defaults (commit a44556a) the warm fit started from the first kind.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_warm_start.py
"""

import os
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from bench_path import load  # noqa: E402

from sparse_parts import SparseNMF  # noqa: E402
from sparse_parts._nmf_constraints import solve_codes  # noqa: E402
from sparse_parts.nmf import sparse_nmf  # noqa: E402


def main():
    warnings.simplefilter("ignore")
    X, _, _, k = load("photos")
    code_l1 = 0.004975  # the bottom of the photos' default path
    weights = code_l1 * np.linalg.norm(X, axis=1)

    def objective(codes, atoms):
        residual = X - codes @ atoms
        return 0.5 * float(np.vdot(residual, residual)) + float(weights @ codes.sum(1))

    cold = SparseNMF(k, code_l1=code_l1, random_state=0).fit(X)
    for max_iter, tol in ((25, 0.0), (200, 1e-4)):
        codes = solve_codes(X, cold.components_, None, max_iter, tol, None, code_l1)
        print(f"cold atoms, codes solved with max_iter={max_iter}, tol={tol}: objective "
              f"{objective(codes, cold.components_):.1f}, zero fraction "
              f"{np.mean(codes == 0):.3f}")
    trajectory = []
    sparse_nmf(X, k, code_l1=code_l1, init=cold.components_, max_iter=25, tol=0,
               random_state=0, callback=lambda n, codes, atoms, error:
               trajectory.append(objective(codes, atoms)) and False)
    print("warm fit from the cold atoms, objective after each iteration:",
          ", ".join(f"{value:.1f}" for value in trajectory))


if __name__ == "__main__":
    main()
