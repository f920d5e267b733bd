"""Sparsity penalties on the codes and the asymmetric weight decay on the atoms (torch).

The sparsity penalties compare the target activation :math:`p` with
:math:`t_j`, the mean activation of code unit :math:`j` over a batch, and are summed
over the units (Zhang & Lu 2015; Lee, Ekanadham & Ng 2008):

- ``"kl"``:     :math:`p \\log(p / t) + (1 - p) \\log((1 - p) / (1 - t))`
- ``"eps_l1"``: :math:`\\sqrt{(p - t)^2 + \\epsilon}`
- ``"log"``:    :math:`\\log(1 + (p - t)^2)`
- ``"l2"``:     :math:`(p - t)^2`

``"hoyer"`` is different: it is the mean over the batch of :math:`|p - s(h_i)|` where
:math:`s` is Hoyer's (2004) sparseness of the code vector :math:`h_i`, so :math:`p` is
then a target *sparseness*, not a target activation.

``"l1"`` is per sample too: the mean over the batch of :math:`\\|h_i\\|_1 =
\\sum_j |h_{ij}|`, the lasso's penalty on each code (it has no target; :math:`p` is
ignored).

The asymmetric weight decay (section 3.3 of the reference study) is
:math:`\\sum_{ij} f(W_{ij})` with :math:`f(w) = \\alpha w^2` for :math:`w \\ge 0` and
:math:`w^2` for :math:`w < 0`.
"""

import torch

__all__ = [
    "SPARSITY_PENALTIES",
    "kl_divergence",
    "eps_l1",
    "log_penalty",
    "l2_penalty",
    "hoyer_penalty",
    "l1_penalty",
    "sparsity_penalty",
    "asymmetric_decay",
    "AutoEncoderLoss",
]

SPARSITY_PENALTIES = ("kl", "eps_l1", "log", "l2", "hoyer", "l1", None)

# t is clamped away from 0 and 1 so that the KL term and its gradient stay finite in
# float32 when a unit dies (t -> 0) or saturates (t -> 1).
_KL_CLAMP = 1e-6


def kl_divergence(target, mean_activation):
    """Sum over units of the KL divergence between Bernoulli(p) and Bernoulli(t_j).

    Parameters
    ----------
    target : float
        The target activation :math:`p`, in (0, 1).
    mean_activation : torch.Tensor of shape (n_components,)
        The mean activations :math:`t_j`, clamped to ``[1e-6, 1 - 1e-6]``.

    Returns
    -------
    penalty : torch.Tensor (scalar)
    """
    p = float(target)
    t = mean_activation.clamp(_KL_CLAMP, 1.0 - _KL_CLAMP)
    return torch.sum(p * torch.log(p / t) + (1.0 - p) * torch.log((1.0 - p) / (1.0 - t)))


def eps_l1(target, mean_activation, eps=1e-8):
    """Sum over units of the smoothed L1 distance :math:`\\sqrt{(p - t_j)^2 + \\epsilon}`."""
    diff = mean_activation - float(target)
    return torch.sum(torch.sqrt(diff * diff + float(eps)))


def log_penalty(target, mean_activation):
    """Sum over units of Olshausen & Field's :math:`\\log(1 + (p - t_j)^2)`."""
    diff = mean_activation - float(target)
    return torch.sum(torch.log1p(diff * diff))


def l2_penalty(target, mean_activation):
    """Sum over units of Lee, Ekanadham & Ng's :math:`(p - t_j)^2`."""
    diff = mean_activation - float(target)
    return torch.sum(diff * diff)


def hoyer_penalty(target, codes):
    """Mean over the batch of :math:`|p - s(h_i)|`, ``s`` the Hoyer sparseness.

    Parameters
    ----------
    target : float
        Target Hoyer sparseness, in [0, 1].
    codes : torch.Tensor of shape (batch_size, n_components)

    Returns
    -------
    penalty : torch.Tensor (scalar)
    """
    from ..sparseness import hoyer_sparseness

    return torch.mean(torch.abs(float(target) - hoyer_sparseness(codes, axis=-1)))


def l1_penalty(codes):
    """Mean over the batch of the L1 norm of each code, :math:`\\sum_j |h_{ij}|`.

    Parameters
    ----------
    codes : torch.Tensor of shape (batch_size, n_components)

    Returns
    -------
    penalty : torch.Tensor (scalar)
    """
    return codes.abs().sum(dim=1).mean()


def sparsity_penalty(codes, kind, target, eps=1e-8):
    """The sparsity term :math:`\\sum_j S(p, t_j)` of a batch of codes.

    Parameters
    ----------
    codes : torch.Tensor of shape (batch_size, n_components)
        Codes :math:`H`, in [0, 1] for ``"kl"``.
    kind : {"kl", "eps_l1", "log", "l2", "hoyer", "l1"} or None
        The penalty ``S``; ``None`` gives 0.
    target : float
        :math:`p`: target mean activation (target sparseness for ``"hoyer"``;
        ignored by ``"l1"``).
    eps : float, default=1e-8
        :math:`\\epsilon` of ``"eps_l1"``.

    Returns
    -------
    penalty : torch.Tensor (scalar)
    """
    if kind is None:
        return codes.new_zeros(())
    if kind == "hoyer":
        return hoyer_penalty(target, codes)
    if kind == "l1":
        return l1_penalty(codes)
    mean_activation = codes.mean(dim=0)
    if kind == "kl":
        return kl_divergence(target, mean_activation)
    if kind == "eps_l1":
        return eps_l1(target, mean_activation, eps)
    if kind == "log":
        return log_penalty(target, mean_activation)
    if kind == "l2":
        return l2_penalty(target, mean_activation)
    raise ValueError(f"sparsity_penalty must be one of {SPARSITY_PENALTIES}, got {kind!r}.")


def asymmetric_decay(weight, ratio=0.0):
    """Asymmetric weight decay :math:`\\sum_{ij} f(W_{ij})`.

    :math:`f(w) = \\alpha w^2` if :math:`w \\ge 0`, :math:`w^2` otherwise: negative
    weights decay with weight 1, positive ones with ``ratio`` (:math:`\\alpha`).

    Parameters
    ----------
    weight : torch.Tensor
    ratio : float, default=0.0
        :math:`\\alpha \\ge 0`.

    Returns
    -------
    penalty : torch.Tensor (scalar)
    """
    squared = weight * weight
    if ratio == 0:
        return torch.sum(squared * (weight < 0))
    return torch.sum(torch.where(weight >= 0, float(ratio) * squared, squared))


class AutoEncoderLoss(torch.nn.Module):
    """The auto-encoder objective, used as the skorch criterion.

    .. math::

        L = \\frac{1}{MN} \\|X - \\hat X\\|_F^2 + \\beta \\sum_j S(p, t_j)
            + \\lambda \\sum_{ij} f(W_{d,ij})

    Parameters
    ----------
    sparsity_penalty : {"kl", "eps_l1", "log", "l2", "hoyer", "l1"} or None
    sparsity_target : float
        :math:`p`.
    sparsity_weight : float
        :math:`\\beta`.
    eps : float
        :math:`\\epsilon` of ``"eps_l1"``.
    decay_weight : float
        :math:`\\lambda`; 0 switches the decay off.
    decay_ratio : float
        :math:`\\alpha`.
    """

    def __init__(self, sparsity_penalty="kl", sparsity_target=0.05, sparsity_weight=1e-3,
                 eps=1e-8, decay_weight=0.0, decay_ratio=0.0):
        super().__init__()
        self.sparsity_penalty = sparsity_penalty
        self.sparsity_target = sparsity_target
        self.sparsity_weight = sparsity_weight
        self.eps = eps
        self.decay_weight = decay_weight
        self.decay_ratio = decay_ratio

    def forward(self, reconstruction, codes, X, decoder_weight):
        diff = reconstruction - X
        loss = torch.mean(diff * diff)
        if self.sparsity_penalty is not None and self.sparsity_weight != 0:
            loss = loss + self.sparsity_weight * sparsity_penalty(
                codes, self.sparsity_penalty, self.sparsity_target, self.eps)
        if self.decay_weight != 0:
            loss = loss + self.decay_weight * asymmetric_decay(decoder_weight, self.decay_ratio)
        return loss
