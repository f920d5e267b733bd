"""The scikit-learn transformer shared by the auto-encoders, built around a skorch net.

The public estimators are plain scikit-learn transformers (composition, not
inheritance from ``skorch.NeuralNet``): ``fit`` validates the parameters, builds a
:class:`_AutoEncoderNet` around a torch module and trains it; the fitted net is kept
as ``net_``. What the net adds to skorch:

- ``get_loss`` builds the auto-encoder loss from ``X`` (no target is needed);
- batches are slices of a tensor preloaded on the device (:class:`_SliceIterator`),
  not per-sample ``__getitem__`` calls followed by a collate;
- callbacks for the projection of the atoms onto the non-negative orthant after every
  optimizer step and for a loss that stops being finite.
"""

import contextlib
import copy
import math
import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, ProgressBar
from skorch.utils import TeeGenerator

from .._decomposition import PartBasedMixin
from .._utils import check_int, check_real, resolve_image_shape
from ._device import resolve_device
from .modules import DECODER_ACTIVATIONS, AutoEncoderModule
from .penalties import SPARSITY_PENALTIES, AutoEncoderLoss

__all__ = ["BaseAutoEncoder"]

NONNEGATIVITY = ("projection", "asymmetric_decay", None)
OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}
FUSED_OPTIMIZERS = (torch.optim.Adam, torch.optim.AdamW)
# Rows per forward pass in transform: bounds memory, and transform is batch-independent.
_TRANSFORM_CHUNK = 2048


# --------------------------------------------------------------------------- data path
class _TensorDataset(torch.utils.data.Dataset):
    """Images held as one tensor; skorch only needs ``len`` and the tensor itself."""

    def __init__(self, X):
        self.X = X

    def __len__(self):
        return self.X.shape[0]

    def __getitem__(self, index):
        return self.X[index], None

    def __getitems__(self, indices):
        return self.X[torch.as_tensor(indices, device=self.X.device)], None


class _SliceIterator:
    """Mini-batches ``(X_batch, None)`` sliced from a preloaded tensor.

    Replaces skorch's DataLoader, whose per-sample fetch and collate cost about as much
    as training these small models. With ``shuffle`` the order is a new permutation
    each epoch, drawn from a generator seeded by ``seed``. A last batch of a single
    sample is merged into the previous one: BatchNorm cannot train on one sample.
    """

    def __init__(self, dataset, batch_size=128, shuffle=False, seed=0):
        self.X = dataset.X
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.generator = torch.Generator().manual_seed(int(seed)) if shuffle else None

    def _bounds(self):
        n = self.X.shape[0]
        starts = list(range(0, n, self.batch_size))
        if len(starts) > 1 and n - starts[-1] == 1:
            starts.pop()
        return [(s, starts[i + 1] if i + 1 < len(starts) else n) for i, s in enumerate(starts)]

    def __len__(self):
        return len(self._bounds())

    def __iter__(self):
        X = self.X
        if self.shuffle:
            order = torch.randperm(X.shape[0], generator=self.generator).to(X.device)
            for start, stop in self._bounds():
                yield X.index_select(0, order[start:stop]), None
        else:
            for start, stop in self._bounds():
                yield X[start:stop], None


class _FractionSplit:
    """skorch ``train_split``: hold out a random ``fraction`` of the samples."""

    def __init__(self, fraction, seed):
        self.fraction = fraction
        self.seed = seed

    def __call__(self, dataset, y=None, groups=None):
        n = len(dataset)
        n_valid = min(max(1, int(round(self.fraction * n))), n - 2)
        order = torch.randperm(n, generator=torch.Generator().manual_seed(self.seed))
        order = order.to(dataset.X.device)
        return (_TensorDataset(dataset.X[order[n_valid:]]),
                _TensorDataset(dataset.X[order[:n_valid]]))


# --------------------------------------------------------------------------- callbacks
class _ProjectAtoms(Callback):
    """Clamp the decoder weights to >= 0 before training and after every optimizer step."""

    def _project(self, net):
        with torch.no_grad():
            net.module_.decoder.weight.clamp_(min=0)

    def on_train_begin(self, net, **kwargs):
        self._project(net)

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        if training:
            self._project(net)


class _CheckFiniteLoss(Callback):
    """Stop with a ValueError naming the parameters to change if the loss is not finite."""

    def __init__(self, lr, sparsity_weight):
        self.lr = lr
        self.sparsity_weight = sparsity_weight

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        # skorch has already fetched the loss into the history: no extra device sync.
        key = "train_loss" if training else "valid_loss"
        loss = net.history[-1]["batches"][-1][key]
        if not math.isfinite(loss):
            raise ValueError(
                f"The training loss became {loss} at epoch {len(net.history)}: training "
                f"diverged. Lower lr (now {self.lr}) or sparsity_weight (now "
                f"{self.sparsity_weight}), or rescale X to [0, 1]."
            )


# --------------------------------------------------------------------------- the net
class _AutoEncoderNet(NeuralNet):
    """skorch net whose loss is computed from ``X`` and the ``(X_hat, codes)`` output.

    Per-batch costs of skorch are trimmed: the recursive ``train()`` call on every
    module at every batch is skipped when the mode is already right; the optimizer
    step goes through a closure only for optimizers that need one (LBFGS); and the
    per-batch events are sent only to the callbacks whose class overrides the
    event's method (the others are no-ops). Callbacks see the same events as in
    skorch.
    """

    _BATCH_EVENTS = ("on_batch_begin", "on_batch_end", "on_grad_computed")

    def _listeners(self, method_name):
        cache = getattr(self, "_listeners_cache", None)
        if cache is None or cache[0] is not self.callbacks_:
            listeners = {
                event: [cb for _, cb in self.callbacks_
                        if getattr(type(cb), event, None) is not getattr(Callback, event)]
                for event in self._BATCH_EVENTS
            }
            cache = (self.callbacks_, listeners)
            self._listeners_cache = cache
        return cache[1][method_name]

    def notify(self, method_name, **cb_kwargs):
        if method_name not in self._BATCH_EVENTS:
            return super().notify(method_name, **cb_kwargs)
        getattr(self, method_name)(self, **cb_kwargs)
        for cb in self._listeners(method_name):
            getattr(cb, method_name)(self, **cb_kwargs)

    # The module is passed to __init__ as an instance, so ``module`` and ``module_``
    # are one object. skorch sends the attributes whose names start with these
    # prefixes through its device-mapping unpickler (it adds "module_", "criterion_",
    # "optimizer_" itself); without "module" the init parameter would be pickled
    # plainly, and a model trained on CUDA would fail to load on a CPU-only machine.
    # Pickled together, the two names stay one object.
    cuda_dependent_attributes_ = ["module"]

    def get_loss(self, y_pred, y_true, X=None, training=False):
        reconstruction, codes = y_pred
        return self.criterion_(reconstruction, codes, X, self.module_.decoder.weight)

    def _set_training(self, training=True):
        if self.module_.training != training or self.criterion_.training != training:
            super()._set_training(training)

    def train_step(self, batch, **fit_params):
        if any(isinstance(getattr(self, name + "_"), torch.optim.LBFGS)
               for name in self._optimizers):
            return super().train_step(batch, **fit_params)
        self._zero_grad_optimizer()
        step = self.train_step_single(batch, **fit_params)
        if self._listeners("on_grad_computed"):
            self.notify("on_grad_computed",
                        named_parameters=TeeGenerator(self.get_all_learnable_params()),
                        batch=batch, training=True)
        self._step_optimizer(None)
        return step


# --------------------------------------------------------------------------- helpers
def _silent(*args, **kwargs):
    """A picklable sink that prints nothing."""


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
class BaseAutoEncoder(PartBasedMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin,
                      BaseEstimator):
    """Shared implementation of the sparse non-negative auto-encoders.

    Subclasses set ``_build_encoder(n_features, image_shape)`` and their docstring, and
    ``_needs_image_shape`` to False when the encoder does not look at the image
    (``image_shape`` is then only recorded, for the metrics and plots).
    """

    _needs_image_shape = True
    _code_bounds = (0.0, 1.0)

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

    # ------------------------------------------------------------------ validation
    def _check_params(self):
        check_int(self.n_components, "n_components")
        if self.sparsity_penalty not in SPARSITY_PENALTIES:
            raise ValueError(
                f"sparsity_penalty must be one of {SPARSITY_PENALTIES}, "
                f"got {self.sparsity_penalty!r}."
            )
        if self.sparsity_penalty == "kl":
            check_real(self.sparsity_target, "sparsity_target (p) with sparsity_penalty='kl'",
                        low=0, low_open=True, high=1, high_open=True)
        elif self.sparsity_penalty is not None:
            check_real(self.sparsity_target, "sparsity_target (p)", low=0, high=1)
        check_real(self.sparsity_weight, "sparsity_weight (beta)", low=0)
        check_real(self.eps, "eps", low=0, low_open=True)
        if self.nonnegativity not in NONNEGATIVITY:
            raise ValueError(
                f"nonnegativity must be one of {NONNEGATIVITY}, got {self.nonnegativity!r}."
            )
        check_real(self.decay_weight, "decay_weight (lambda)", low=0)
        check_real(self.decay_ratio, "decay_ratio (alpha)", low=0)
        if self.decoder_activation not in DECODER_ACTIVATIONS:
            raise ValueError(
                f"decoder_activation must be one of {DECODER_ACTIVATIONS}, "
                f"got {self.decoder_activation!r}."
            )
        if isinstance(self.optimizer, str):
            if self.optimizer not in OPTIMIZERS:
                raise ValueError(
                    f"optimizer must be one of {sorted(OPTIMIZERS)} or a torch.optim.Optimizer "
                    f"subclass, got {self.optimizer!r}."
                )
        elif not (isinstance(self.optimizer, type)
                  and issubclass(self.optimizer, torch.optim.Optimizer)):
            raise ValueError(
                f"optimizer must be one of {sorted(OPTIMIZERS)} or a torch.optim.Optimizer "
                f"subclass, got {self.optimizer!r}."
            )
        check_real(self.lr, "lr", low=0, low_open=True)
        check_int(self.max_epochs, "max_epochs")
        check_int(self.batch_size, "batch_size")
        if self.validation_fraction is not None:
            check_real(self.validation_fraction, "validation_fraction",
                        low=0, low_open=True, high=1, high_open=True)
        if not isinstance(self.early_stopping, (bool, np.bool_)):
            raise ValueError(f"early_stopping must be a bool, got {self.early_stopping!r}.")
        check_int(self.n_iter_no_change, "n_iter_no_change")
        check_real(self.tol, "tol", low=0)
        if not isinstance(self.verbose, (bool, np.bool_)):
            check_int(self.verbose, "verbose", low=0)
        if self.callbacks is not None and not isinstance(self.callbacks, (list, tuple)):
            raise ValueError(
                f"callbacks must be None or a list of skorch callbacks, got {self.callbacks!r}."
            )

    # ------------------------------------------------------------------ building
    def _build_encoder(self, n_features, image_shape):
        raise NotImplementedError

    def _make_net(self, module, device, seed, n_samples):
        callbacks = []
        if self.nonnegativity == "projection":
            callbacks.append(("project_atoms", _ProjectAtoms()))
        callbacks.append(("check_finite_loss", _CheckFiniteLoss(self.lr, self.sparsity_weight)))
        validation = self.validation_fraction is not None and n_samples >= 3
        if self.early_stopping:
            callbacks.append(("early_stopping", EarlyStopping(
                monitor="valid_loss" if validation else "train_loss",
                patience=self.n_iter_no_change, threshold=self.tol,
                threshold_mode="rel", lower_is_better=True,
                sink=print if self.verbose else _silent,
            )))
        if self.verbose:
            callbacks.append(("progress_bar", ProgressBar()))
        # The user's callbacks are copied so that fitting never mutates a parameter.
        callbacks.extend(copy.deepcopy(list(self.callbacks or [])))
        optimizer = (OPTIMIZERS[self.optimizer] if isinstance(self.optimizer, str)
                     else self.optimizer)
        # The fused Adam kernel updates all parameters in one pass: on CPU the plain
        # implementation spent ~30% of a training step of the InfoGAN encoder's
        # 6.4M-weight dense layer in element-wise optimizer arithmetic.
        optimizer_params = {"optimizer__fused": True} if optimizer in FUSED_OPTIMIZERS else {}
        decay = self.decay_weight if self.nonnegativity == "asymmetric_decay" else 0.0
        return _AutoEncoderNet(
            module,
            criterion=AutoEncoderLoss,
            criterion__sparsity_penalty=self.sparsity_penalty,
            criterion__sparsity_target=float(self.sparsity_target),
            criterion__sparsity_weight=float(self.sparsity_weight),
            criterion__eps=float(self.eps),
            criterion__decay_weight=float(decay),
            criterion__decay_ratio=float(self.decay_ratio),
            optimizer=optimizer,
            **optimizer_params,
            lr=float(self.lr),
            max_epochs=int(self.max_epochs),
            batch_size=int(self.batch_size),
            iterator_train=_SliceIterator,
            iterator_train__shuffle=True,
            iterator_train__seed=seed,
            iterator_valid=_SliceIterator,
            train_split=_FractionSplit(float(self.validation_fraction), seed)
            if validation else None,
            callbacks=callbacks,
            device=device,
            verbose=int(self.verbose),
        )

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y=None):
        """Train the auto-encoder on the images ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Flattened images, row-major; values in [0, 1] are expected (any finite
            value is accepted). At least 2 samples.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._check_params()
        X = validate_data(self, X, dtype=[np.float32, np.float64], ensure_min_samples=2)
        n_samples, n_features = X.shape
        image_shape = resolve_image_shape(n_features, self.image_shape,
                                          required=self._needs_image_shape)
        device = resolve_device(self.device)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        torch_device = torch.device(device)
        fork_devices = []
        if torch_device.type == "cuda":
            fork_devices = [torch_device.index if torch_device.index is not None
                            else torch.cuda.current_device()]

        with _cpu_numerics(device), torch.random.fork_rng(devices=fork_devices):
            torch.manual_seed(seed)
            module = AutoEncoderModule(
                self._build_encoder(n_features, image_shape),
                int(self.n_components), n_features, self.decoder_activation,
            )
            net = self._make_net(module, device, seed, n_samples)
            X_tensor = _as_float32_tensor(X, torch_device)
            net.fit(_TensorDataset(X_tensor), None)

        self.net_ = net
        self.image_shape_ = image_shape
        self.n_iter_ = len(net.history)
        decoder = net.module_.decoder
        self.components_ = decoder.weight.detach().cpu().numpy().copy()
        self.decoder_bias_ = decoder.bias.detach().cpu().numpy().copy()
        return self

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

    def _validated_codes(self, X, method):
        """``(X, codes)``: the input validated once, and its codes."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float32, np.float64], reset=False)
        return X, self._encode(X).astype(X.dtype, copy=False)

    def transform(self, X):
        """Codes of the images ``X``, in [0, 1].

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
        return self._validated_codes(X, "transform")[1]

    def _decode(self, codes, components):
        """``sigma_d(codes @ components + decoder_bias_)`` in numpy (the bias never operated)."""
        dtype = np.result_type(codes.dtype, components.dtype, np.float32)
        values = codes.astype(dtype, copy=False) @ components.astype(dtype, copy=False)
        values += self.decoder_bias_.astype(dtype, copy=False)
        return _numpy_activation(values, self.net_.module_.decoder.activation)
