"""Presets: configurations of the estimators chosen on the measured front.

``sparse-parts front`` fits a grid of configurations of every family on Fashion-MNIST
and measures each on the held-out test images (reconstruction MSE, Hoyer sparsity of
the codes, max-approximation error to dilation, SVM accuracy, encoding time). A
preset is one point of that grid, named for what it is good at: :func:`make_preset`
returns its estimator, unfitted, for any number of atoms and any images. Each
preset's ``front_config`` names its row in the front's report
(``benchmarks/results/front_fashion_mnist.md``); the user guide lists their numbers.

The parameters are the estimators' own: a preset is a starting point, and any of
them can be overridden (``make_preset("morphological", 50, max_iter=400)``).
"""

from dataclasses import dataclass, field

__all__ = ["Preset", "PRESETS", "make_preset"]


@dataclass(frozen=True)
class Preset:
    """One named configuration.

    Parameters
    ----------
    estimator : str
        The name of the estimator class in :mod:`sparse_parts`.
    params : dict
        Its parameters, beside ``n_components``.
    summary : str
        What the configuration is good at, in one line.
    front_config : str
        ``family/config`` of the grid point of ``sparse-parts front`` it is.
    """

    estimator: str
    params: dict = field(default_factory=dict)
    summary: str = ""
    front_config: str = ""


#: The presets, by name.
PRESETS = {
    "morphological": Preset(
        "SparseNMF", {"code_l1": 0.03},
        "the lowest max-approximation error to dilation, with very sparse codes (an "
        "atom enters a code only if its cosine with the image exceeds 0.03)",
        "nmf/code-l1-0.03"),
    "balanced": Preset(
        "SparseNMF", {"code_l1": 0.02},
        "sparse codes and a low max-approximation error at a moderate reconstruction "
        "error",
        "nmf/code-l1-0.02"),
    "online": Preset(
        "SparseNonNegAutoEncoder",
        {"code_activation": "relu", "sparsity_penalty": "l1", "sparsity_weight": 0.0007,
         "unit_atoms": True, "encoder_iterations": 3, "lr": 3e-4, "max_epochs": 40,
         "decoder_bias": False, "decoder_activation": "identity"},
        "an auto-encoder: a new image is encoded by one matrix product and 3 learned "
        "refinement steps, no solver; ReLU codes under an L1 penalty with unit-norm "
        "atoms and no decoder bias are lasso-like, sparse and part-based",
        "shallow/relu-l1-beta0.0007-unit-atoms-3-iterations-no-bias-lr0.0003-x2"),
}


def make_preset(name, n_components=100, **params):
    """The unfitted estimator of a preset.

    Parameters
    ----------
    name : str
        A key of :data:`PRESETS`.
    n_components : int, default=100
        The number of atoms (the presets were measured with 100 on 28 x 28 images).
    **params
        Parameters of the estimator that replace or add to the preset's.

    Returns
    -------
    estimator : SparseNMF, SparseNonNegAutoEncoder or AsymmetricAutoEncoder

    Raises
    ------
    ValueError
        If ``name`` is not a preset or a parameter is not one of the estimator's.

    Examples
    --------
    >>> from sparse_parts.presets import make_preset
    >>> make_preset("morphological", 36, max_iter=50)
    SparseNMF(code_l1=0.03, max_iter=50, n_components=36)
    """
    if not isinstance(name, str) or name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose from {', '.join(PRESETS)}.")
    import sparse_parts

    preset = PRESETS[name]
    cls = getattr(sparse_parts, preset.estimator)
    unknown = sorted(set(params) - set(cls().get_params()))
    if unknown:
        raise ValueError(f"{', '.join(unknown)}: not parameter(s) of {preset.estimator}; "
                         f"see help(sparse_parts.{preset.estimator}).")
    return cls(n_components=n_components, **{**preset.params, **params})
