"""
The atoms of the three models on Fashion-MNIST
==============================================

Fits :class:`sparse_parts.SparseNMF` (Hoyer's sparse NMF, :math:`S_h = 0.6`),
:class:`sparse_parts.SparseNonNegAutoEncoder` and
:class:`sparse_parts.AsymmetricAutoEncoder` (both with the KL sparsity penalty and
non-negative atoms) on a few thousand Fashion-MNIST images and draws their atoms.
Without the Fashion-MNIST files the digits bundled with scikit-learn are used.
"""

# %%
# The data
# --------
# 3,000 training images keep the example to about a minute of one CPU core; the
# study uses all 60,000. A smaller set needs more epochs for the same fit: 150 for
# the shallow auto-encoder, 20 for the asymmetric one (whose epochs cost more).
import matplotlib.pyplot as plt

from sparse_parts import AsymmetricAutoEncoder, SparseNMF, SparseNonNegAutoEncoder
from sparse_parts.datasets import DatasetNotFoundError, fetch_fashion_mnist, load_digits_images
from sparse_parts.metrics import hoyer_sparsity, reconstruction_error
from sparse_parts.plotting import plot_atoms

try:
    X = fetch_fashion_mnist("train", download_if_missing=False).data[:3000]
    name, k = "Fashion-MNIST", 100
except DatasetNotFoundError:
    X = load_digits_images().data
    name, k = "digits", 36

# %%
# The three models
# ----------------
models = {
    "sparse NMF": SparseNMF(k, code_sparseness=0.6, code_sparseness_scope="component",
                            max_iter=100, random_state=0),
    "shallow AE": SparseNonNegAutoEncoder(k, sparsity_target=0.05, sparsity_weight=1e-3,
                                          max_epochs=150, random_state=0),
    "asymmetric AE": AsymmetricAutoEncoder(k, sparsity_target=0.05, sparsity_weight=5e-3,
                                           max_epochs=20, random_state=0),
}
for label, model in models.items():
    codes = model.fit_transform(X)
    mse = reconstruction_error(X, model.inverse_transform(codes))
    print(f"{label:14s} MSE {mse:.4f}  Hoyer sparsity {hoyer_sparsity(codes):.3f}")

# %%
# Their atoms
# -----------
# The study found the sparse NMF atoms to be small, nearly disjoint parts, and the
# auto-encoders' atoms larger, with supports that overlap more; compare the grids.
fig, axes = plt.subplots(3, 1, figsize=(8, 11), layout="constrained")
for (label, model), ax in zip(models.items(), axes, strict=True):
    plot_atoms(model, n_atoms=50, title=f"{label}: 50 atoms ({name})", ax=ax)
plt.show()
