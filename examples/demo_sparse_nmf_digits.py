"""
Sparse NMF atoms of the digits
==============================

Fits :class:`sparse_parts.SparseNMF` on scikit-learn's bundled 8x8 digits (the
embedded default that works offline), prints the three metrics of the package and
saves the atom grid as a PNG.

Run: ``python examples/demo_sparse_nmf_digits.py --out demo_out``
"""

# %%
import argparse
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sparse_parts import SparseNMF  # noqa: E402
from sparse_parts.datasets import load_digits_images  # noqa: E402
from sparse_parts.metrics import (  # noqa: E402
    hoyer_sparsity,
    max_approximation_error,
    reconstruction_error,
)
from sparse_parts.plotting import plot_atoms  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description="Sparse NMF atoms of the digits")
    parser.add_argument("--out", default="demo_out", help="folder for the PNG")
    parser.add_argument("--n-components", type=int, default=36)
    parser.add_argument("--code-sparseness", type=float, default=0.6)
    args = parser.parse_args(argv)

    digits = load_digits_images()
    X = digits.data
    model = SparseNMF(args.n_components, code_sparseness=args.code_sparseness,
                      code_sparseness_scope="component", max_iter=300, random_state=0)
    model.fit(X)
    codes = model.transform(X)
    print(f"SparseNMF(k={args.n_components}, S_h={args.code_sparseness}, component scope) "
          f"on {X.shape[0]} digits: {model.n_iter_} iterations")
    mse = reconstruction_error(X, model.inverse_transform(codes))
    print(f"  reconstruction MSE          {mse:.5f}")
    print(f"  Hoyer sparsity of the codes {hoyer_sparsity(codes):.3f}")
    print(f"  max-approx. error, dilation {max_approximation_error(model, X):.5f}")

    fig = plot_atoms(model, n_cols=int(np.ceil(np.sqrt(args.n_components))),
                     title="Sparse NMF atoms (digits)")
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "sparse_nmf_atoms_digits.png")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    print(f"atom grid saved to {path}")


if __name__ == "__main__":
    main()
