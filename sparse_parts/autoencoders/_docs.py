"""Docstring sections shared by the two auto-encoders (one text, two classes)."""

from ._options import parameters_doc

LOSS = r"""
    For a batch :math:`X` of :math:`M` flattened images of :math:`N` pixels the codes are
    :math:`H = \sigma(\mathrm{enc}(X))` (the sigmoid keeps them in [0, 1]; the ReLU
    with ``code_activation="relu"``, refined ``encoder_iterations`` times), the
    reconstruction is :math:`\hat X = \sigma_d(H W_d + b_d)` and the loss is

    .. math::

        L = \frac{1}{MN} \|X - \hat X\|_F^2
            + \beta \sum_{j=1}^{k} S(p, t_j)
            + \lambda \sum_{i,j} f(W_{d,ij}),
        \qquad t_j = \frac{1}{M} \sum_{i=1}^{M} H_{ij},

    with :math:`S` the ``sparsity_penalty``, :math:`p` = ``sparsity_target``,
    :math:`\beta` = ``sparsity_weight``, and, under
    ``nonnegativity="asymmetric_decay"``, :math:`\lambda` = ``decay_weight`` and
    :math:`f(w) = \alpha w^2` for :math:`w \ge 0`, :math:`w^2` for :math:`w < 0`
    (:math:`\alpha` = ``decay_ratio``). Under ``nonnegativity="projection"`` (the
    study's main method) :math:`W_d` is clamped to :math:`\ge 0` after every optimizer
    step instead. The rows of :math:`W_d` are the atoms, ``components_``.
    ``code_projection`` or ``top_k`` constrain each code :math:`h_i` after the sigmoid,
    ``atom_sparseness`` and ``unit_atoms`` each atom after every optimizer step, and
    ``decoder_bias=False`` fixes :math:`b_d = 0`.
"""

# Each option's entry comes from its declaration in _options.OPTIONS.
PARAMETERS = parameters_doc() + r"""    **net_params : dict
        skorch's double-underscore parameters, passed to the net:
        ``optimizer__<name>`` (e.g. ``optimizer__weight_decay=1e-4``,
        ``optimizer__momentum=0.9`` with ``optimizer="sgd"``) and
        ``callbacks__<callback>__<name>`` (a callback named in ``callbacks``, or one of
        the net's own). Listed by ``get_params``, so ``set_params``, ``clone`` and
        ``GridSearchCV`` reach them; any other name is refused by ``fit``.
"""

ATTRIBUTES = r"""
    components_ : ndarray of shape (n_components, n_features), float32
        The atoms :math:`W_d`, one image per row.
    decoder_bias_ : ndarray of shape (n_features,), float32
        The decoder bias :math:`b_d` (never dilated by the max-approximation metrics);
        zeros with ``decoder_bias=False``.
    image_shape_ : tuple of int or None
        ``(height, width)`` or ``(height, width, channels)`` of the images; None when
        unknown (non-square data without ``image_shape``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.
    n_iter_ : int
        Number of epochs run since the net was built, over all ``partial_fit`` calls
        and warm-started fits (begun, if the training was interrupted).
    fit_interrupted_ : bool
        True if a ``KeyboardInterrupt`` (Ctrl-C, or one raised by a callback) stopped
        the last training (``fit`` or ``partial_fit``); the estimator then holds the
        weights reached, and the method warned. False after a complete training or an
        early stop.
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.history`` holds the per-epoch and per-batch
        losses, ``net_.module_`` the torch module.
"""

NOTES = r"""
    Inputs must be non-negative images, ideally scaled to [0, 1] (the codes, the
    non-negative atoms and the morphological metrics assume them): negative values,
    NaN and infinite values are rejected with a ValueError, and a stack of images
    ``(n, h, w)`` with one saying how to flatten it. ``fit`` needs at least 2
    samples, and warns when ``n_components`` exceeds their number.
    Codes are computed in float32 and returned in the input's dtype. On CPU, denormal
    floats are flushed to zero during ``fit`` and ``transform`` (the previous setting
    is restored), which avoids a large slow-down in the sigmoid and KL tails; torch's
    setting is per thread and reaches only the calling thread, not the intra-op
    worker threads that already exist, so with several torch threads call
    ``torch.set_flush_denormal(True)`` before the first torch operation of the
    process to flush everywhere.

    If the training loss stops being finite, or a training batch's loss exceeds
    :math:`10^4` times the first batch's (the loss at the random initialisation,
    which normal training stays within a few times of), ``fit`` raises a ``ValueError``
    naming ``lr`` and ``sparsity_weight``. ``fit`` and ``transform`` warn when ``X``
    holds values above 1.5, as raw pixel values (e.g. 0-255) would: scale them to [0, 1] first.
"""

REFERENCES = r"""
    .. [1] H. Lee, C. Ekanadham and A. Ng, "Sparse deep belief net model for visual
       area V2", NIPS 2008.
    .. [2] L. Zhang and Y. Lu, "Comparison of auto-encoders with different sparsity
       regularizers", IJCNN 2015.
    .. [3] P. O. Hoyer, "Non-negative matrix factorization with sparseness
       constraints", JMLR 5, 2004.
    .. [4] X. Chen, Y. Duan, R. Houthooft, J. Schulman, I. Sutskever and P. Abbeel,
       "InfoGAN: Interpretable representation learning by information maximizing
       generative adversarial nets", NIPS 2016.
    .. [5] K. Gregor and Y. LeCun, "Learning fast approximations of sparse coding",
       ICML 2010.
"""
