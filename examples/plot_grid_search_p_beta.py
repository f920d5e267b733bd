"""
Choosing p and beta with GridSearchCV
=====================================

Searches the sparsity target :math:`p` and the sparsity weight :math:`\\beta` of a
sparse non-negative auto-encoder with :class:`~sklearn.model_selection.GridSearchCV`,
scoring every candidate with the package's three scorers at once, and draws the
trade-off between reconstruction, sparsity and max-approximation error.
"""

# %%
# The search
# ----------
# No labels are needed: the scorers take ``(estimator, X, y=None)``. The refit
# criterion is the max-approximation error to dilation by a disk of radius 1.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV

from sparse_parts import SparseNonNegAutoEncoder
from sparse_parts.datasets import load_digits_images
from sparse_parts.metrics import (
    max_approximation_scorer,
    reconstruction_scorer,
    sparsity_scorer,
)

X = load_digits_images().data
grid = {"sparsity_target": [0.01, 0.05, 0.2], "sparsity_weight": [1e-3, 1e-2, 1e-1]}
search = GridSearchCV(
    SparseNonNegAutoEncoder(n_components=36, max_epochs=50, random_state=0),
    grid,
    scoring={"rec": reconstruction_scorer, "sparsity": sparsity_scorer,
             "dilation": max_approximation_scorer},
    refit="dilation",
    cv=3,
).fit(X)
print("best (p, beta) for the max-approximation:", search.best_params_)

# %%
# The trade-off
# -------------
# The scorers are "greater is better", so the errors come back negated.
results = search.cv_results_
fig, axes = plt.subplots(1, 3, figsize=(12, 3.5), layout="constrained")
for p in grid["sparsity_target"]:
    rows = np.flatnonzero(results["param_sparsity_target"] == p)
    betas = np.asarray(results["param_sparsity_weight"][rows], dtype=float)
    for ax, key, sign in zip(axes, ("rec", "sparsity", "dilation"), (-1, 1, -1), strict=True):
        ax.plot(betas, sign * results[f"mean_test_{key}"][rows], marker="o", label=f"p={p}")
for ax, title in zip(axes, ("reconstruction MSE", "Hoyer sparsity",
                            "max-approx. error (dilation)"), strict=True):
    ax.set_xscale("log")
    ax.set_xlabel("beta")
    ax.set_title(title)
axes[0].legend()
plt.show()
