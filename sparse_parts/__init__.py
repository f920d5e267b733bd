"""Part-based image representations: sparse NMF and sparse non-negative auto-encoders.

The public estimators follow the scikit-learn API. The auto-encoders need torch and
are imported lazily, so ``from sparse_parts import SparseNMF`` does not load torch.
"""

__version__ = "0.1.0.dev0"

_LAZY = {
    "SparseNMF": "sparse_parts.nmf",
    "SparseNonNegAutoEncoder": "sparse_parts.autoencoders",
    "AsymmetricAutoEncoder": "sparse_parts.autoencoders",
}

__all__ = ["SparseNMF", "SparseNonNegAutoEncoder", "AsymmetricAutoEncoder", "__version__"]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sparse_parts' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + [n for n in _LAZY if n not in globals()])
