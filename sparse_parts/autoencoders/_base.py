"""The scikit-learn transformer shared by the auto-encoders.

The public estimators are plain scikit-learn transformers (composition, not
inheritance from ``skorch.NeuralNet``): ``fit`` validates the parameters, builds a
torch module and has the skorch adapter (:mod:`._skorch`, the only module that
touches skorch) train it; the fitted net is kept as ``net_``. skorch's own
``optimizer__*`` and ``callbacks__*`` parameters are accepted as keyword arguments,
listed by ``get_params`` and routed to the net.
"""

import contextlib
import inspect
import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._decomposition import PartBasedMixin
from .._utils import (
    check_images,
    check_real,
    external_stacklevel,
    resolve_image_shape,
    warn_more_atoms_than_samples,
    warn_raw_pixels,
)
from ._device import resolve_device
from ._options import AutoEncoderOptions
from ._skorch import fit_net, make_net

__all__ = ["BaseAutoEncoder"]

# The networks compute in float32: other dtypes (integer pixels) become float32.
_DTYPES = (np.float32, np.float64)
# Rows per forward pass in transform: bounds memory, and transform is batch-independent.
_TRANSFORM_CHUNK = 2048
# Keyword arguments passed through to the skorch net, as skorch users write them.
NET_PARAM_PREFIXES = ("optimizer__", "callbacks__")
# A continued training keeps the net it has, its callbacks included: what these say
# (how long to train, what to print) changes nothing the net is.
_CONTINUE_IGNORED = ("max_epochs", "warm_start", "verbose", "callbacks")


# --------------------------------------------------------------------------- helpers
def _denormals_flushed():
    # torch has no getter: 2e-38 / 4 is a float32 denormal, which is 0 when flushed.
    return bool((torch.tensor([2e-38], dtype=torch.float32) / 4).item() == 0.0)


@contextlib.contextmanager
def _cpu_numerics(device):
    """Flush denormal floats to zero on CPU (restored afterwards).

    Denormals in the tails of the sigmoid and of the KL term slow CPU training by up
    to 100x; they are far below anything that matters for these models.
    """
    if torch.device(device).type != "cpu":
        yield
        return
    previous = _denormals_flushed()
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(previous)


def _as_float32_tensor(X, device):
    """``X`` as a float32 tensor on ``device``, sharing memory where numpy allows.

    The images are only ever read, so a read-only array (a memory map, e.g. in a
    joblib worker) is used as it is, without torch's warning about writability.
    """
    X = np.ascontiguousarray(X, dtype=np.float32)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        return torch.as_tensor(X, device=device)


def _numpy_activation(values, activation):
    if activation == "leaky_relu":
        return np.where(values >= 0, values, values * values.dtype.type(0.1))
    if activation == "sigmoid":
        return 1.0 / (1.0 + np.exp(-values))
    return values


# --------------------------------------------------------------------------- estimator
def _check_float32_range(X):
    """The auto-encoders compute in float32: values beyond its range would become inf."""
    if X.dtype == np.float32 or not X.size:  # float32 (and finite: validated) fits
        return
    # Two reductions, no temporary |X|: this check is on the path of every transform.
    largest = max(float(X.max()), -float(X.min()))
    if largest > np.finfo(np.float32).max:
        raise ValueError(
            f"X holds values up to {largest:.3g}, beyond the range of float32 in which the "
            "auto-encoders compute; scale X to [0, 1] (e.g. X / X.max()).")


class BaseAutoEncoder(PartBasedMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin,
                      BaseEstimator):
    """Shared implementation of the sparse non-negative auto-encoders.

    Subclasses set ``_build_encoder(n_features, image_shape)`` and their docstring,
    ``_needs_image_shape`` to False when the encoder does not look at the image
    (``image_shape`` is then only recorded, for the metrics and plots), and
    ``_min_batch_size`` to 2 when the encoder has BatchNorm layers.
    """

    _needs_image_shape = True
    _min_batch_size = 1

    def __init__(
        self,
        n_components=100,
        *,
        image_shape=None,
        sparsity_penalty="kl",
        sparsity_target=0.05,
        sparsity_weight=1e-3,
        eps=1e-8,
        nonnegativity="projection",
        decay_weight=1e-3,
        decay_ratio=0.0,
        decoder_activation="leaky_relu",
        decoder_bias=True,
        code_projection=None,
        top_k=None,
        atom_sparseness=None,
        code_activation="sigmoid",
        encoder_iterations=0,
        unit_atoms=False,
        optimizer="adam",
        lr=1e-3,
        max_epochs=30,
        batch_size=128,
        validation_fraction=None,
        early_stopping=False,
        n_iter_no_change=5,
        tol=1e-4,
        device="cpu",
        random_state=None,
        verbose=0,
        callbacks=None,
        warm_start=False,
        **net_params,
    ):
        self.n_components = n_components
        self.image_shape = image_shape
        self.sparsity_penalty = sparsity_penalty
        self.sparsity_target = sparsity_target
        self.sparsity_weight = sparsity_weight
        self.eps = eps
        self.nonnegativity = nonnegativity
        self.decay_weight = decay_weight
        self.decay_ratio = decay_ratio
        self.decoder_activation = decoder_activation
        self.decoder_bias = decoder_bias
        self.code_projection = code_projection
        self.top_k = top_k
        self.atom_sparseness = atom_sparseness
        self.code_activation = code_activation
        self.encoder_iterations = encoder_iterations
        self.unit_atoms = unit_atoms
        self.optimizer = optimizer
        self.lr = lr
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.warm_start = warm_start
        # Checked in fit, as every parameter: only optimizer__* and callbacks__* keys.
        self._net_params = dict(net_params)

    # ------------------------------------------------------------------ parameters
    def get_params(self, deep=True):
        """Parameters of this estimator, skorch's ``optimizer__*`` and ``callbacks__*`` ones
        included.

        Parameters
        ----------
        deep : bool, default=True
            Also the parameters of contained estimators (there are none).

        Returns
        -------
        params : dict
        """
        return {**super().get_params(deep=deep), **self._net_params}

    def set_params(self, **params):
        """Set parameters, including skorch's ``optimizer__<name>`` (e.g.
        ``optimizer__weight_decay``) and ``callbacks__<callback>__<name>``.

        Parameters
        ----------
        **params : dict

        Returns
        -------
        self : object
        """
        net_params = {key: params.pop(key) for key in list(params)
                      if key.startswith(NET_PARAM_PREFIXES) or key in self._net_params}
        super().set_params(**params)
        self._net_params.update(net_params)
        return self

    # ------------------------------------------------------------------ validation
    def _check_params(self):
        """The options, validated as :data:`._options.OPTIONS` declares them, and the
        skorch parameters; returns the :class:`AutoEncoderOptions` of this training."""
        options = AutoEncoderOptions.from_estimator(self, min_batch_size=self._min_batch_size)
        unknown = sorted(key for key in self._net_params
                         if not key.startswith(NET_PARAM_PREFIXES))
        if unknown:
            raise ValueError(
                f"{type(self).__name__} got unexpected parameter(s) {', '.join(unknown)}; "
                "besides its named parameters it takes only skorch's optimizer__<name> "
                "and callbacks__<callback>__<name> parameters.")
        self._check_optimizer_params(options.optimizer)
        return options

    @property
    def _code_bounds(self):
        # Projected and ReLU codes have a free scale.
        module = getattr(getattr(self, "net_", None), "module_", None)
        projected = getattr(module, "code_projection", self.code_projection)
        activation = getattr(module, "code_activation", self.code_activation)
        return (0.0, None if projected or activation == "relu" else 1.0)

    def _check_optimizer_params(self, optimizer):
        """Each ``optimizer__<name>`` must name an argument of the optimizer.

        Checked here rather than left to torch, whose TypeError would come from
        inside skorch's initialisation without naming the estimator's parameter.
        """
        arguments = inspect.signature(optimizer).parameters
        if any(arg.kind is inspect.Parameter.VAR_KEYWORD for arg in arguments.values()):
            return
        # skorch's own: per-parameter-group settings, e.g. [("decoder.*", {"lr": 0.1})].
        accepted = set(arguments) - {"params"} | {"param_groups"}
        for key in self._net_params:
            name = key[len("optimizer__"):]
            if key == "optimizer__lr":
                check_real(self._net_params[key], key, low=0, low_open=True)
            if key.startswith("optimizer__") and name not in accepted:
                raise ValueError(
                    f"{key}: {optimizer.__name__} takes no argument {name!r}; its "
                    f"arguments are {', '.join(sorted(accepted))}.")

    # ------------------------------------------------------------------ building
    def _build_encoder(self, n_features, image_shape):
        raise NotImplementedError

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y=None):
        """Train the auto-encoder on the images ``X``.

        Builds a new net and trains it ``max_epochs`` epochs; with ``warm_start=True``
        and a fitted estimator, trains the fitted net ``max_epochs`` more epochs
        instead, from its weights and optimizer state.

        An interrupted training (``KeyboardInterrupt``, e.g. Ctrl-C, or raised by a
        callback) stops as in skorch: ``fit`` returns a fitted estimator with the
        weights reached, sets ``fit_interrupted_`` to True and warns how many epochs
        ran.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Flattened images, row-major; values in [0, 1] are expected (any finite
            value is accepted; a maximum above 1.5 warns, as raw pixel values would).
            At least 2 samples.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        continuing = bool(self.warm_start) and hasattr(self, "net_")
        return self._train(X, epochs=None, continuing=continuing, method="fit")

    def partial_fit(self, X, y=None):
        """Train one epoch on the chunk of images ``X``, continuing the fitted net.

        The first call (on an estimator that was never fitted) builds and initialises
        the net exactly as ``fit`` does, so one ``partial_fit`` on ``X`` gives the
        estimator that ``fit`` with ``max_epochs=1`` gives. Later calls pass once over
        their chunk in shuffled mini-batches, keeping the weights, the optimizer state
        (e.g. Adam's moments) and the stream of shuffling orders: ``partial_fit``
        twice on ``X`` is ``fit`` with ``max_epochs=2``. A chunk must have the
        features of the first; the parameters must not change between calls
        (``max_epochs`` and ``warm_start`` excepted, which ``partial_fit`` does not
        use). Early stopping has no effect here (one epoch per call); with
        ``validation_fraction`` each chunk holds out its own fraction.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A chunk of flattened images, as for ``fit``. At least 2 samples.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._train(X, epochs=1, continuing=hasattr(self, "net_"),
                           method="partial_fit")

    def _check_unchanged(self, method):
        """Refuse to continue a net whose parameters changed since it was built."""
        built_with = self._built_with
        current = self.get_params()
        changed = []
        for name in sorted(set(built_with) | set(current)):
            if name in _CONTINUE_IGNORED:
                continue
            before, now = built_with.get(name), current.get(name)
            try:
                same = before is now or bool(before == now)
            except (TypeError, ValueError):  # e.g. arrays compared element-wise
                same = False
            if not same:
                changed.append(f"{name} ({before!r} -> {now!r})")
        if changed:
            fresh = ("set warm_start=False" if method == "fit"
                     else "use a new estimator, e.g. sklearn.base.clone(estimator),")
            raise ValueError(
                f"{method} continues the fitted net of {type(self).__name__}, which was "
                f"built with other parameters: {', '.join(changed)}. Set them back, or "
                f"{fresh} to train a new net with these parameters.")

    def _train(self, X, *, epochs, continuing, method):
        """Validate, build the net unless ``continuing``, train, record the result.

        ``epochs`` None trains ``max_epochs`` epochs; an int trains that many.
        """
        options = self._check_params()
        X = check_images(self, X, ensure_min_samples=2, reset=not continuing,
                         dtype=_DTYPES)
        _check_float32_range(X)
        n_samples, n_features = X.shape
        if options.atom_sparseness is not None and n_features < 2:
            raise ValueError("atom_sparseness needs atoms of at least 2 pixels (one entry has "
                             f"Hoyer sparseness 0), got n_features={n_features}.")
        if continuing:
            self._check_unchanged(method)
            image_shape = self.image_shape_
            device = self.net_.device
        else:
            image_shape = resolve_image_shape(n_features, self.image_shape, required=False)
            device = resolve_device(self.device)
            if image_shape is None and self._needs_image_shape:
                warnings.warn(
                    f"n_features={n_features} is not a perfect square and image_shape is "
                    f"None: the convolutional encoder of {type(self).__name__} reads each "
                    f"sample as one row of {n_features} pixels. For images, pass "
                    "image_shape=(height, width).", UserWarning,
                    stacklevel=external_stacklevel())
        warn_raw_pixels(X, self)
        if method == "fit" and not continuing:  # a chunk of partial_fit may be small
            warn_more_atoms_than_samples(options.n_components, n_samples, self)
        torch_device = torch.device(device)
        if continuing:
            net = self.net_
            epochs = int(self.max_epochs) if epochs is None else epochs
            with _cpu_numerics(device):
                done = len(net.history)
                fit_net(net, _as_float32_tensor(X, torch_device), epochs=epochs)
        else:
            seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
            fork_devices = []
            if torch_device.type == "cuda":
                fork_devices = [torch_device.index if torch_device.index is not None
                                else torch.cuda.current_device()]
            with _cpu_numerics(device), torch.random.fork_rng(devices=fork_devices):
                torch.manual_seed(seed)
                net = make_net(
                    self._build_encoder(n_features, image_shape or (1, n_features)),
                    n_features, options, n_samples=n_samples, net_params=self._net_params,
                    device=device, seed=seed)
                done = 0
                fit_net(net, _as_float32_tensor(X, torch_device), epochs=epochs)
            self._built_with = self.get_params()
        self._record(net, image_shape, method, planned=epochs or int(self.max_epochs),
                     ran=len(net.history) - done)
        return self

    def _record(self, net, image_shape, method, *, planned, ran):
        """The fitted attributes, from the net a training left."""
        self.net_ = net
        self.image_shape_ = image_shape
        self.n_iter_ = len(net.history)
        self.fit_interrupted_ = bool(net.interrupted_)
        if self.fit_interrupted_:
            of = f"max_epochs={planned}" if method == "fit" else f"{planned} ({method})"
            warnings.warn(
                f"Training of {type(self).__name__} was interrupted during epoch {ran} of "
                f"{of}; the estimator keeps the weights reached (fit_interrupted_ is "
                "True).", UserWarning, stacklevel=external_stacklevel())
        decoder = net.module_.decoder
        self.components_ = decoder.weight.detach().cpu().numpy().copy()
        self.decoder_bias_ = decoder.bias.detach().cpu().numpy().copy()

    def fit_transform(self, X, y=None):
        """Fit to ``X`` and return its codes (same as ``fit(X).transform(X)``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
        """
        return self.fit(X, y).transform(X)

    # ------------------------------------------------------------------ using
    def _encode(self, X):
        net = self.net_
        module = net.module_
        device = torch.device(net.device)
        was_training = module.training
        module.eval()  # BatchNorm uses its running statistics: codes are per sample
        chunks = []
        try:
            with _cpu_numerics(device), torch.inference_mode():
                for start in range(0, X.shape[0], _TRANSFORM_CHUNK):
                    batch = _as_float32_tensor(X[start:start + _TRANSFORM_CHUNK], device)
                    chunks.append(module.encode(batch).cpu().numpy())
        finally:
            module.train(was_training)
        return np.concatenate(chunks, axis=0)

    def _validated_codes(self, X):
        """``(X, codes)``: the input validated once, and its codes."""
        check_is_fitted(self)
        X = check_images(self, X, reset=False, dtype=_DTYPES)
        _check_float32_range(X)
        warn_raw_pixels(X, self)  # saturated codes otherwise, silently
        return X, self._encode(X).astype(X.dtype, copy=False)

    def transform(self, X):
        """Codes of the images ``X``: in [0, 1] with the default sigmoid codes,
        non-negative and unbounded with ``code_activation="relu"``, in
        [0, sqrt(n_components)] with ``code_projection``.

        Computed in float32 and returned in the dtype of ``X`` (float32 or float64).
        A sample's code depends on that sample alone (BatchNorm layers use their
        running statistics), so transforming in batches gives the same codes up to
        float32 rounding.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
        """
        return self._validated_codes(X)[1]

    def _decode(self, codes, components):
        """``sigma_d(codes @ components + decoder_bias_)`` in numpy (the bias never operated)."""
        dtype = np.result_type(codes.dtype, components.dtype, np.float32)
        values = codes.astype(dtype, copy=False) @ components.astype(dtype, copy=False)
        values += self.decoder_bias_.astype(dtype, copy=False)
        return _numpy_activation(values, self.net_.module_.decoder.activation)
