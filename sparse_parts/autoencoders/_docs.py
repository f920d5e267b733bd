"""Docstring sections shared by the two auto-encoders (one text, two classes)."""

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

PARAMETERS = r"""
    n_components : int, default=100
        Number of code units and atoms, :math:`k`.
    image_shape : tuple of (int, int), default=None
        ``(height, width)`` of the flattened images; ``None`` means square images when
        ``n_features`` is a perfect square, else unknown: the dense encoder does not
        need it, the convolutional encoder then reads each sample as one row of pixels
        (with a warning), and the morphological metrics and plots ask for it. One entry
        may be ``-1``, inferred from ``n_features`` as in :func:`numpy.reshape`
        (e.g. ``(1, -1)`` for data that are not images).
    sparsity_penalty : {"kl", "eps_l1", "log", "l2", "hoyer", "l1"} or None, default="kl"
        The penalty :math:`S(p, t_j)` on the mean activation :math:`t_j` of each code
        unit over a batch: ``"kl"`` :math:`p\log\frac{p}{t_j} + (1-p)\log\frac{1-p}{1-t_j}`
        (:math:`t_j` clamped to :math:`[10^{-6}, 1 - 10^{-6}]`), ``"eps_l1"``
        :math:`\sqrt{(p - t_j)^2 + \epsilon}`, ``"log"`` :math:`\log(1 + (p - t_j)^2)`,
        ``"l2"`` :math:`(p - t_j)^2`; ``"hoyer"`` is instead the batch mean of
        :math:`|p - s(h_i)|` with :math:`s` Hoyer's sparseness of a code vector (then
        :math:`p` is a target sparseness), and ``"l1"`` the batch mean of the lasso
        penalty :math:`\|h_i\|_1 = \sum_j h_{ij}` of each code (no target).
        ``None``: no sparsity term.
    sparsity_target : float, default=0.05
        :math:`p`, the target mean activation of each code unit; in (0, 1) for "kl",
        [0, 1] otherwise (ignored by "l1").
    sparsity_weight : float, default=1e-3
        :math:`\beta \ge 0`, the weight of the sparsity term.
    eps : float, default=1e-8
        :math:`\epsilon > 0` of the "eps_l1" penalty.
    nonnegativity : {"projection", "asymmetric_decay"} or None, default="projection"
        How the atoms are kept non-negative: clamp after every optimizer step
        (``components_`` is then exactly >= 0), the asymmetric weight decay (negative
        entries are discouraged, not forbidden), or not at all.
    decay_weight : float, default=1e-3
        :math:`\lambda \ge 0`, weight of the asymmetric decay (used only under
        ``nonnegativity="asymmetric_decay"``).
    decay_ratio : float, default=0.0
        :math:`\alpha \ge 0`, decay of the positive weights relative to the negative
        ones (1 is ordinary weight decay).
    decoder_activation : {"leaky_relu", "sigmoid", "identity"}, default="leaky_relu"
        :math:`\sigma_d`; "leaky_relu" has negative slope 0.1 (the study's choice).
    decoder_bias : bool, default=True
        Learn the decoder bias :math:`b_d`. False fixes it at 0 (``decoder_bias_`` is
        then zeros): every pixel of a reconstruction comes from the atoms, so the
        morphological operators act on all of it (the bias is never dilated).
    code_projection : float in (0, 1), default=None
        If set, every code is projected, in training and in ``transform`` alike, onto
        the non-negative vectors of this Hoyer sparseness: the sigmoid output
        :math:`h` becomes the nearest point :math:`\langle h, u\rangle u` of that
        scale-free set, :math:`u` its projection at unit norm
        (:func:`sparse_parts.sparseness.project_sparseness_cone`). The projection is
        differentiable, so the encoder learns through it. The scale of a code is then
        free (entries in :math:`[0, \sqrt{k}]`, not [0, 1]), and ``decode`` accepts
        any non-negative codes. Needs ``n_components >= 2``; excludes ``top_k``.
    top_k : int, default=None
        If set, only the ``top_k`` largest entries of every code are kept, the others
        set to 0 (training and ``transform`` alike); ``top_k >= n_components`` keeps
        every entry.
    atom_sparseness : float in [0, 1], default=None
        If set, after every optimizer step (and before and after training) each atom
        is projected onto the non-negative vectors of this Hoyer sparseness with its
        own L2 norm, as the atom constraint of Hoyer's nmfsc [3]_ (after the clamp
        of ``nonnegativity="projection"``). The atoms are then non-negative whatever
        ``nonnegativity`` says; an atom of norm 0 stays 0. Needs at least 2 features.
    code_activation : {"sigmoid", "relu"}, default="sigmoid"
        :math:`\sigma`, from the encoder's output to the codes: the sigmoid (the
        study's choice; codes in [0, 1], never exactly 0) or the ReLU (codes in
        :math:`[0, \infty)` with exact zeros: with ``sparsity_penalty="l1"`` and
        ``unit_atoms=True`` the encoder learns lasso-like codes). The ReLU excludes
        ``sparsity_penalty="kl"``, whose target is a probability. With the ReLU, a new
        net's encoder starts centred: before the first epoch the bias of its last
        layer is shifted so that each unit's pre-activation has mean 0 over the
        training images (at most 2,048, evenly spaced). A random unit's
        pre-activation otherwise has nearly the same sign on every non-negative
        image, and the units negative everywhere never learn (on Fashion-MNIST about
        half of 100; 12 to 30 stayed unused after training instead of 40 to 55).
    encoder_iterations : int >= 0, default=0
        Refine the codes this many times after the encoder,
        :math:`H \leftarrow \sigma(Z + H S + b_t)` with :math:`Z` the encoder's
        output, one learned ``(n_components, n_components)`` matrix :math:`S`, zero at
        the start, and a learned shift :math:`b_t` per step: the unrolled
        projected-gradient iterations of a non-negative lasso, with learned matrices
        (LISTA [5]_). Each step costs ``n_components**2`` multiply-adds per image, a
        fraction of a dense encoder layer; 0 is the plain encoder.
    unit_atoms : bool, default=False
        Rescale every atom to unit L2 norm after every optimizer step (after the
        non-negativity clamp and ``atom_sparseness``). A penalty on the size of the
        codes (``sparsity_penalty="l1"``) is otherwise evaded by growing the atoms.
    optimizer : str or Optimizer subclass, default="adam"
        The optimizer: "adam", "adamw", "sgd", "rmsprop" or "adadelta" (Keras'
        default, with ``lr=1.0``, was the report's), or a torch class; "adam" and
        "adamw" (and the torch classes ``Adam``, ``AdamW``) use torch's fused
        implementation.
    lr : float, default=1e-3
        Learning rate.
    max_epochs : int, default=30
        Number of passes over the training data (fewer with early stopping).
    batch_size : int, default=128
        Mini-batch size; the mean activations :math:`t_j` are taken over a batch. At
        least 2 for an encoder with BatchNorm layers (``AsymmetricAutoEncoder``).
    validation_fraction : float in (0, 1), default=None
        Fraction of the training images held out to report ``valid_loss`` in
        ``net_.history`` (and monitored by early stopping). ``None`` trains on all.
    early_stopping : bool, default=False
        Stop when the monitored loss (``valid_loss`` with a validation fraction,
        ``train_loss`` otherwise) has not improved by a relative ``tol`` for
        ``n_iter_no_change`` epochs.
    n_iter_no_change : int, default=5
        Patience of the early stopping, in epochs.
    tol : float, default=1e-4
        Relative improvement that counts for the early stopping.
    device : {"cpu", "cuda", "cuda:N", "auto"} or torch.device, default="cpu"
        Where to train; "auto" takes CUDA when available. Resolved at fit time (the
        parameter keeps its value); a model trained on CUDA unpickles on a CPU-only
        machine.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation and shuffling (without touching torch's global
        random state). On CPU an int makes ``fit`` reproducible to the bit.
    verbose : int, default=0
        If > 0, a progress bar per epoch and skorch's epoch table.
    callbacks : list of skorch callbacks, default=None
        Extra skorch callbacks (instances or ``(name, callback)`` pairs), e.g.
        ``skorch.callbacks.LRScheduler``; copied at fit time. A callback that monitors
        a ``valid_*`` score needs ``validation_fraction``.
    warm_start : bool, default=False
        If True, ``fit`` on a fitted estimator trains its net ``max_epochs`` more
        epochs, from the weights, optimizer state and shuffling stream it reached
        (``fit`` twice with ``max_epochs=k`` is ``fit`` once with ``max_epochs=2k``);
        the other parameters must be those the net was built with. If False, ``fit``
        builds a new net. ``partial_fit`` always continues a fitted net.
    **net_params : dict
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
    image_shape_ : tuple of (int, int) or None
        ``(height, width)`` of the images; None when unknown (non-square data
        without ``image_shape``).
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
    Inputs are not required to be non-negative (the model is defined for any real
    image); NaN and infinite values are rejected. ``fit`` needs at least 2 samples.
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
    naming ``lr`` and ``sparsity_weight``. ``fit`` warns when ``X`` holds values
    above 1.5, as raw pixel values (e.g. 0-255) would: scale them to [0, 1] first.
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
