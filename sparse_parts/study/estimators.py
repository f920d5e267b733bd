"""The estimator of each study row, unfitted, with the settings of a run."""

__all__ = ["make_estimator"]


def make_estimator(row, settings):
    """The unfitted estimator of ``row``.

    Parameters
    ----------
    row : Row
    settings : Settings

    Returns
    -------
    estimator : SparseNMF, SparseNonNegAutoEncoder or AsymmetricAutoEncoder
        Sparse NMF with S_h = 0.6 in Hoyer's component scope, or an auto-encoder with
        the row's KL target and weight and projected non-negative atoms (neither for
        an unconstrained row).
    """
    if row.model == "nmf":
        from ..nmf import SparseNMF

        return SparseNMF(settings.n_components, code_sparseness=0.6,
                         code_sparseness_scope="component", max_iter=settings.nmf_max_iter,
                         random_state=settings.seed)
    # Only an auto-encoder row loads torch.
    from ..autoencoders import AsymmetricAutoEncoder, SparseNonNegAutoEncoder

    cls = SparseNonNegAutoEncoder if row.model == "shallow" else AsymmetricAutoEncoder
    if row.sparsity_target is None:
        sparsity = dict(sparsity_penalty=None, nonnegativity=None)
    else:
        sparsity = dict(sparsity_penalty="kl", sparsity_target=row.sparsity_target,
                        sparsity_weight=row.sparsity_weight, nonnegativity="projection")
    return cls(settings.n_components, **sparsity, max_epochs=settings.epochs,
               device=settings.device, random_state=settings.seed)
