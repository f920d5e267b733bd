"""
Max-approximation of dilation and erosion
=========================================

A part-based representation *max-approximates* a morphological operator
:math:`\\delta`: apply :math:`\\delta` to every atom, decode the image's code with the
operated atoms, and compare with :math:`\\delta` of the image. This example does it
for dilation and erosion by a disk of radius 1 with a sparse NMF.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from sparse_parts import SparseNMF
from sparse_parts.datasets import load_digits_images
from sparse_parts.metrics import max_approximation_error
from sparse_parts.morphology import apply_operator
from sparse_parts.plotting import plot_max_approximation

X = load_digits_images().data
X_train, X_test = X[:1200], X[1200:]
nmf = SparseNMF(36, code_sparseness=0.6, code_sparseness_scope="component", max_iter=200,
                random_state=0).fit(X_train)

# %%
# The errors, on images not used for fitting. Eroding an 8x8 digit by disk(1) leaves
# little ink, so the raw error of erosion is small; dividing by the mean squared
# value of the operated images puts the two operators on one scale.
for operator in ("dilation", "erosion"):
    error = max_approximation_error(nmf, X_test, operator=operator, radius=1)
    operated = apply_operator(X_test, operator, 1, image_shape=nmf.image_shape_)
    print(f"{operator:9s} max-approximation error {error:.4f}, "
          f"relative {error / np.mean(operated ** 2):.3f}")

# %%
# For each operator, the operated originals (top row) and their max-approximations
# (bottom row), on one grey scale per panel.
fig, axes = plt.subplots(2, 1, figsize=(9, 5), layout="constrained")
for operator, ax in zip(("dilation", "erosion"), axes, strict=True):
    plot_max_approximation(nmf, X_test, operator=operator, n_images=10, ax=ax)
plt.show()
