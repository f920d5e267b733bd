"""Everything of the auto-encoders that touches skorch: data path, callbacks, the net.

The estimators of :mod:`sparse_parts.autoencoders` are plain scikit-learn
transformers; this module is their one adapter to skorch. :func:`make_net` builds
the :class:`_AutoEncoderNet` that ``fit`` trains. What the adapter adds to skorch:

- ``get_loss`` builds the auto-encoder loss from ``X`` (no target is needed);
- batches are slices of a tensor preloaded on the device (:class:`_SliceIterator`),
  not per-sample ``__getitem__`` calls followed by a collate;
- callbacks for the projection of the atoms onto the non-negative orthant, or onto a
  Hoyer sparseness, after every optimizer step, and for a loss that stops being
  finite or explodes;
- an interrupted training (``KeyboardInterrupt``, which skorch swallows; early
  stopping excepted) is recorded on the net as ``interrupted_``;
- a clear error when a callback monitors a validation score that no split provides,
  or when a ``callbacks__<name>__<param>`` names no callback.

The net overrides a few private methods of ``skorch.NeuralNet`` to trim per-batch
costs; they are listed once in :data:`SKORCH_PRIVATE_NAMES` and checked at import,
so that a skorch release that renames one fails loudly here instead of deep inside
a training loop.
"""

import copy
import math

import skorch
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, ProgressBar
from skorch.utils import TeeGenerator

from ..sparseness import project_sparseness
from .modules import AutoEncoderModule, center_pre_activations
from .penalties import AutoEncoderLoss

__all__ = ["SKORCH_PRIVATE_NAMES", "SKORCH_VERSIONS", "check_callbacks", "check_skorch_api",
           "make_net"]

# The skorch versions this adapter is written for (pyproject.toml pins the same).
SKORCH_VERSIONS = ">=1.0,<2"

# Private members of skorch.NeuralNet that _AutoEncoderNet overrides, calls or reads.
SKORCH_PRIVATE_NAMES = (
    "_set_training",         # overridden: skip the recursive train() when the mode is right
    "_zero_grad_optimizer",  # called by the closure-free train_step
    "_step_optimizer",       # called by the closure-free train_step
    "_optimizers",           # read: the names of the net's optimizers
    "cuda_dependent_attributes_",  # extended: pickle ``module`` through the device mapping
)

# A training batch loss this many times the first batch's loss means divergence. The
# first batch is scored at the random initialisation. Measured on the digits (batch
# losses over 10 epochs, relative to the first): at most 1.1x for lr up to 1 with Adam
# or SGD; 100x for Adam at lr=10, which recovers; 1e6x for Adam at lr=1e3 and 1e12x
# at lr=1e6 (every code saturated), which do not.
DIVERGENCE_FACTOR = 1e4
#: At most this many training images (evenly spaced) centre the pre-activations.
CENTER_SAMPLES = 2048


def check_skorch_api(net_class=NeuralNet):
    """Raise an ImportError naming every private skorch member the adapter lacks.

    Parameters
    ----------
    net_class : type, default=skorch.NeuralNet
        The class to inspect (a parameter so that the check itself can be tested).
    """
    missing = [name for name in SKORCH_PRIVATE_NAMES if not hasattr(net_class, name)]
    if missing:
        raise ImportError(
            f"skorch {skorch.__version__} lacks {', '.join(missing)} of "
            f"{net_class.__name__}, which sparse_parts' auto-encoders rely on; install "
            f"skorch{SKORCH_VERSIONS}.")


check_skorch_api()


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
    """skorch ``train_split``: hold out a random ``fraction`` of the samples.

    At least 1 sample is held out and at least 2 are kept for training, so a training
    batch always has 2 samples or more (BatchNorm); validation runs in evaluation
    mode, where a batch of one sample is fine.
    """

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
def check_callbacks(callbacks):
    """``callbacks`` must be None or a list of skorch callbacks, or of (name, callback).

    Checked before skorch sees them: an item of another kind fails deep inside
    skorch's initialisation without naming the estimator's parameter.
    """
    if callbacks is None:
        return
    if not isinstance(callbacks, (list, tuple)):
        raise ValueError(
            f"callbacks must be None or a list of skorch callbacks, got {callbacks!r}.")
    for item in callbacks:
        callback = item[1] if isinstance(item, tuple) and len(item) == 2 else item
        named_ok = not isinstance(item, tuple) or isinstance(item[0], str)
        is_callback = isinstance(callback, Callback) or (
            isinstance(callback, type) and issubclass(callback, Callback))
        if not (named_ok and is_callback):
            raise ValueError(
                "callbacks must hold skorch callbacks (skorch.callbacks.Callback instances "
                f"or classes) or (name, callback) pairs, got {item!r}.")


class _ProjectAtoms(Callback):
    """Clamp the decoder weights to >= 0 before training, after every optimizer step
    and at the end (an interruption may fall between a step and its projection)."""

    def _project(self, net):
        with torch.no_grad():
            net.module_.decoder.weight.clamp_(min=0)

    def on_train_begin(self, net, **kwargs):
        self._project(net)

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        if training:
            self._project(net)

    def on_train_end(self, net, **kwargs):
        self._project(net)


class _ProjectAtomSparseness(_ProjectAtoms):
    """Project every atom onto the non-negative vectors of Hoyer sparseness
    ``sparseness`` with its own L2 norm, at the same moments as :class:`_ProjectAtoms`
    (as the atom constraint of Hoyer's nmfsc). An atom of norm 0 stays 0."""

    def __init__(self, sparseness):
        self.sparseness = sparseness

    def _project(self, net):
        with torch.no_grad():
            weight = net.module_.decoder.weight
            norms = torch.linalg.vector_norm(weight, dim=1)
            live = norms > 0
            if bool(live.any()):
                weight[live] = project_sparseness(weight[live], self.sparseness,
                                                  norms[live])


class _UnitAtoms(_ProjectAtoms):
    """Rescale every atom to unit L2 norm, at the same moments as :class:`_ProjectAtoms`
    (after it and after :class:`_ProjectAtomSparseness`, in that order). An atom of
    norm 0 stays 0."""

    def _project(self, net):
        with torch.no_grad():
            weight = net.module_.decoder.weight
            norms = torch.linalg.vector_norm(weight, dim=1, keepdim=True)
            weight.div_(torch.where(norms > 0, norms, torch.ones_like(norms)))


class _CenterCodes(Callback):
    """Before the first epoch of a new net, centre the encoder's pre-activations on the
    training images (:func:`~.modules.center_pre_activations`), on at most
    :data:`CENTER_SAMPLES` of them, evenly spaced. A continued training (the net has a
    history) keeps its weights."""

    def on_train_begin(self, net, X=None, **kwargs):
        if len(net.history) or not isinstance(X, _TensorDataset) or not len(X):
            return
        images = X.X[::max(1, len(X) // CENTER_SAMPLES)][:CENTER_SAMPLES]
        center_pre_activations(net.module_.encoder, images)


class _CheckLoss(Callback):
    """Stop with a ValueError naming the parameters to change if training diverges.

    Diverging means a batch loss that is not finite, or a training batch loss more
    than :data:`DIVERGENCE_FACTOR` times the first training batch's loss.
    """

    def __init__(self, lr, sparsity_weight):
        self.lr = lr
        self.sparsity_weight = sparsity_weight

    def on_train_begin(self, net, **kwargs):
        self.first_loss_ = None

    def _diverged(self, net, what):
        raise ValueError(
            f"The training loss {what} at epoch {len(net.history)}: training diverged. "
            f"Lower lr (now {self.lr}) or sparsity_weight (now {self.sparsity_weight}), "
            "or rescale X to [0, 1]."
        )

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        # skorch has already fetched the loss into the history: no extra device sync.
        key = "train_loss" if training else "valid_loss"
        loss = net.history[-1]["batches"][-1][key]
        if not math.isfinite(loss):
            self._diverged(net, f"became {loss}")
        if not training:
            return
        if self.first_loss_ is None:
            self.first_loss_ = loss
        elif self.first_loss_ > 0 and loss > DIVERGENCE_FACTOR * self.first_loss_:
            self._diverged(net, f"grew from {self.first_loss_:.3g} to {loss:.3g} (more "
                                f"than {DIVERGENCE_FACTOR:g} times its first value)")


# --------------------------------------------------------------------------- the net
class _AutoEncoderNet(NeuralNet):
    """skorch net whose loss is computed from ``X`` and the ``(X_hat, codes)`` output.

    The shuffling orders of all its trainings come from one generator, seeded
    from ``iterator_train__seed`` when the net is initialised: a continued training
    (``partial_fit``, a warm start) draws new orders, and ``k`` epochs followed by
    ``m`` more give the orders of ``k + m`` epochs in one training.

    Per-batch costs of skorch are trimmed: the recursive ``train()`` call on every
    module at every batch is skipped when the mode is already right; the optimizer
    step goes through a closure only for optimizers that need one (LBFGS); and the
    per-batch events are sent only to the callbacks whose class overrides the
    event's method (the others are no-ops). Callbacks see the same events as in
    skorch.

    ``interrupted_`` is True after a training that a ``KeyboardInterrupt`` ended
    (skorch ends such a training quietly; the estimator reports it), unless an
    ``EarlyStopping`` callback raised it (its way of stopping).
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

    def initialize(self):
        super().initialize()
        self.shuffle_generator_ = torch.Generator().manual_seed(int(self.iterator_train__seed))
        return self

    def get_iterator(self, dataset, training=False):
        iterator = super().get_iterator(dataset, training=training)
        if training and iterator.shuffle:
            iterator.generator = self.shuffle_generator_
        return iterator

    # The generator is pickled as its state, a numpy array: a pickled torch tensor
    # outside skorch's device mapping would not load on a machine without CUDA.
    def __getstate__(self):
        state = super().__getstate__()
        generator = state.pop("shuffle_generator_", None)
        if generator is not None:
            state["shuffle_generator_state_"] = generator.get_state().numpy()
        return state

    def __setstate__(self, state):
        saved = state.pop("shuffle_generator_state_", None)
        super().__setstate__(state)
        if saved is not None:
            self.shuffle_generator_ = torch.Generator()
            self.shuffle_generator_.set_state(torch.from_numpy(saved))

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        # skorch ignores a callbacks__<name>__<param> whose callback does not exist.
        names = {name for name, _ in self.callbacks_}
        for key, value in vars(self).items():
            removed = key.count("__") == 1 and value is None  # callbacks__<name>=None
            if key.startswith("callbacks__") and key.split("__")[1] not in names and not removed:
                raise ValueError(
                    f"{key} names no callback of this net; its callbacks are "
                    f"{', '.join(sorted(names))}.")
        # Without a split skorch records no valid_* score, and a callback monitoring
        # one would fail with a bare KeyError after the first epoch.
        if self.train_split is not None:
            return
        for name, callback in self.callbacks_:
            monitor = getattr(callback, "monitor", None)
            if isinstance(monitor, str) and monitor.startswith("valid_"):
                raise ValueError(
                    f"The callback {name!r} monitors {monitor!r}, but there is no "
                    "validation split: pass validation_fraction (e.g. 0.1; it needs at "
                    "least 3 samples), or let the callback monitor 'train_loss'.")

    def fit_loop(self, *args, **kwargs):
        self.interrupted_ = False
        try:
            return super().fit_loop(*args, **kwargs)
        except KeyboardInterrupt:
            # skorch's EarlyStopping stops training by raising KeyboardInterrupt too:
            # that is a normal end, not an interruption.
            self.interrupted_ = not any(
                isinstance(callback, EarlyStopping)
                and getattr(callback, "misses_", 0) >= callback.patience
                for _, callback in self.callbacks_)
            raise  # skorch's partial_fit ends the training and notifies on_train_end

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


# --------------------------------------------------------------------------- building
def _silent(*args, **kwargs):
    """A picklable sink that prints nothing."""


# The fused Adam kernel updates all parameters in one pass: on CPU the plain
# implementation spent ~30% of a training step of the InfoGAN encoder's 6.4M-weight
# dense layer in element-wise optimizer arithmetic.
FUSED_OPTIMIZERS = (torch.optim.Adam, torch.optim.AdamW)


def make_net(encoder, n_features, options, *, n_samples, net_params, device, seed):
    """The :class:`_AutoEncoderNet` that trains an auto-encoder around ``encoder``.

    Parameters
    ----------
    encoder : nn.Module
        Maps ``(batch_size, n_features)`` to ``(batch_size, n_components)``
        pre-activations.
    n_features : int
    options : AutoEncoderOptions
        The validated options (:mod:`._options`): the module, the loss, the optimizer,
        the training loop and the callbacks are built from them.
    n_samples : int
        Number of training images (a validation split needs at least 3).
    net_params : dict
        The user's ``optimizer__*`` and ``callbacks__*`` parameters, as skorch takes
        them; they override the adapter's own optimizer arguments (e.g. ``fused``).
    device : str
    seed : int
        Seeds the shuffling and the validation split.
    """
    module = AutoEncoderModule(
        encoder, options.n_components, n_features, options.decoder_activation,
        decoder_bias=options.decoder_bias, code_projection=options.code_projection,
        top_k=options.top_k, code_activation=options.code_activation,
        encoder_iterations=options.encoder_iterations)
    decay = options.decay_weight if options.nonnegativity == "asymmetric_decay" else 0.0
    criterion = dict(sparsity_penalty=options.sparsity_penalty,
                     sparsity_target=options.sparsity_target,
                     sparsity_weight=options.sparsity_weight, eps=options.eps,
                     decay_weight=decay, decay_ratio=options.decay_ratio)
    validation = options.validation_fraction if n_samples >= 3 else None
    verbose = options.verbose
    own = [("center_codes", _CenterCodes())] if options.code_activation == "relu" else []
    if options.nonnegativity == "projection":
        own.append(("project_atoms", _ProjectAtoms()))
    if options.atom_sparseness is not None:
        own.append(("atom_sparseness", _ProjectAtomSparseness(options.atom_sparseness)))
    if options.unit_atoms:
        own.append(("unit_atoms", _UnitAtoms()))
    own.append(("check_loss", _CheckLoss(options.lr, options.sparsity_weight)))
    if options.early_stopping:
        own.append(("early_stopping", EarlyStopping(
            monitor="valid_loss" if validation is not None else "train_loss",
            threshold_mode="rel", lower_is_better=True,
            sink=print if verbose else _silent, patience=options.n_iter_no_change,
            threshold=options.tol,
        )))
    if verbose:
        own.append(("progress_bar", ProgressBar()))
    # The user's callbacks are copied so that fitting never mutates a parameter.
    own.extend(copy.deepcopy(list(options.callbacks or [])))
    fused = {"optimizer__fused": True} if options.optimizer in FUSED_OPTIMIZERS else {}
    return _AutoEncoderNet(
        module,
        criterion=AutoEncoderLoss,
        **{f"criterion__{key}": value for key, value in criterion.items()},
        optimizer=options.optimizer,
        **{**fused, **net_params},
        lr=options.lr,
        max_epochs=options.max_epochs,
        batch_size=options.batch_size,
        iterator_train=_SliceIterator,
        iterator_train__shuffle=True,
        iterator_train__seed=seed,
        iterator_valid=_SliceIterator,
        train_split=_FractionSplit(validation, seed) if validation is not None else None,
        callbacks=own,
        device=device,
        verbose=verbose,
    )


def fit_net(net, X, epochs=None):
    """Train ``net`` on the tensor ``X`` (no target).

    Parameters
    ----------
    net : _AutoEncoderNet
    X : torch.Tensor
    epochs : int, default=None
        None: initialise the net and train ``max_epochs`` epochs (skorch's ``fit``).
        An int: train that many epochs, continuing from the net's weights and
        optimizer state (skorch's ``partial_fit``; a net never trained is initialised
        first).
    """
    if epochs is None:
        return net.fit(_TensorDataset(X), None)
    # skorch's partial_fit passes its keyword arguments on to fit_loop, whose
    # ``epochs`` argument takes this one.
    return net.partial_fit(_TensorDataset(X), None, epochs=int(epochs))
