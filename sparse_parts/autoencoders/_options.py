"""The options of the auto-encoders, each declared once: name, default, constraint, doc.

:data:`OPTIONS` is the one table. From it come the validation of ``fit``
(:meth:`AutoEncoderOptions.from_estimator`), the Parameters section of both
estimators' docstrings (:func:`parameters_doc`) and the defaults. The estimators'
``__init__`` still lists every option by name, as scikit-learn requires (``get_params``
reads the signature); a test checks that the signature and the table agree. The
network builder (:func:`._skorch.make_net`) takes the one validated
:class:`AutoEncoderOptions` object.

Adding an option: one :class:`Option` row here, its keyword in
``BaseAutoEncoder.__init__``, and the code that uses it.
"""

import inspect
import textwrap
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import torch

from .._utils import check_int, check_real
from ._skorch import check_callbacks
from .modules import CODE_ACTIVATIONS, DECODER_ACTIVATIONS
from .penalties import SPARSITY_PENALTIES

__all__ = ["OPTIMIZERS", "OPTIONS", "AutoEncoderOptions", "Option", "parameters_doc"]

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
    "adadelta": torch.optim.Adadelta,  # Keras' default, lr = 1.0: the report's optimizer
}


class Option(NamedTuple):
    """One option: its name, default, constraint ``check(value, name)`` (raises a
    ValueError naming the option, returns the normalised value), the type line of
    its documentation, and the documentation."""

    name: str
    default: Any
    check: Callable
    kind: str
    doc: str


# --------------------------------------------------------------------- constraints
def anything(value, name):
    """No constraint here: checked where the value is resolved at fit time."""
    return value


def integer(low=1):
    def check(value, name):
        return check_int(value, name, low)
    return check


def real(low=None, high=None, *, low_open=False, high_open=False):
    def check(value, name):
        return check_real(value, name, low=low, low_open=low_open, high=high,
                          high_open=high_open)
    return check


def one_of(*choices):
    def check(value, name):
        # == on a numpy array is element-wise: compare hashable values only.
        try:
            ok = value in choices
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ValueError(f"{name} must be one of {choices}, got {value!r}.")
        return value
    return check


def optional(inner):
    """None, or what ``inner`` accepts."""
    def check(value, name):
        return None if value is None else inner(value, name)
    return check


def boolean(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a bool, got {value!r}.")
    return bool(value)


def verbosity(value, name):
    """A bool or an integer >= 0, as an int."""
    return int(value) if isinstance(value, (bool, np.bool_)) else check_int(value, name, low=0)


def optimizer_choice(value, name):
    """A name of :data:`OPTIMIZERS` or a ``torch.optim.Optimizer`` subclass; the class."""
    if isinstance(value, str) and value in OPTIMIZERS:
        return OPTIMIZERS[value]
    if isinstance(value, type) and issubclass(value, torch.optim.Optimizer):
        return value
    raise ValueError(
        f"{name} must be one of {sorted(OPTIMIZERS)} or a torch.optim.Optimizer "
        f"subclass, got {value!r}.")


def callback_list(value, name):
    """None, or a list of skorch callbacks (or of (name, callback) pairs)."""
    check_callbacks(value)
    return value


# --------------------------------------------------------------------------- the table
OPTIONS = (
    Option("n_components", 100, integer(),
           "int", """
    Number of code units and atoms, :math:`k`.
        """),
    Option("image_shape", None, anything,  # resolved at fit time by resolve_image_shape
           "tuple of (int, int) or (int, int, int)", """
    ``(height, width)`` of the flattened grey images, or ``(height, width,
    channels)`` of colour or multichannel ones (flattened row-major, channels last,
    as scikit-image stores them); ``None`` means square grey images when
    ``n_features`` is a perfect square, else unknown: the dense encoder does not
    need it, the convolutional encoder then reads each sample as one row of pixels
    (with a warning), and the morphological metrics and plots ask for it. One entry
    may be ``-1``, inferred from ``n_features`` as in :func:`numpy.reshape`
    (e.g. ``(1, -1)`` for data that are not images).
        """),
    Option("sparsity_penalty", "kl", one_of(*SPARSITY_PENALTIES),
           '{"kl", "eps_l1", "log", "l2", "hoyer", "l1"} or None', r"""
    The penalty :math:`S(p, t_j)` on the mean activation :math:`t_j` of each code
    unit over a batch: ``"kl"`` :math:`p\log\frac{p}{t_j} + (1-p)\log\frac{1-p}{1-t_j}`
    (:math:`t_j` clamped to :math:`[10^{-6}, 1 - 10^{-6}]`), ``"eps_l1"``
    :math:`\sqrt{(p - t_j)^2 + \epsilon}`, ``"log"`` :math:`\log(1 + (p - t_j)^2)`,
    ``"l2"`` :math:`(p - t_j)^2`; ``"hoyer"`` is instead the batch mean of
    :math:`|p - s(h_i)|` with :math:`s` Hoyer's sparseness of a code vector (then
    :math:`p` is a target sparseness), and ``"l1"`` the batch mean of the lasso
    penalty :math:`\|h_i\|_1 = \sum_j h_{ij}` of each code (no target).
    ``None``: no sparsity term.
        """),
    Option("sparsity_target", 0.05, real(),  # the range depends on the penalty: _check_rules
           "float", """
    :math:`p`, the target mean activation of each code unit; in (0, 1) for "kl",
    [0, 1] otherwise (ignored by "l1").
        """),
    Option("sparsity_weight", 1e-3, real(0),
           "float", r"""
    :math:`\beta \ge 0`, the weight of the sparsity term.
        """),
    Option("eps", 1e-8, real(0, low_open=True),
           "float", r"""
    :math:`\epsilon > 0` of the "eps_l1" penalty.
        """),
    Option("nonnegativity", "projection", one_of("projection", "asymmetric_decay", None),
           '{"projection", "asymmetric_decay"} or None', """
    How the atoms are kept non-negative: clamp after every optimizer step
    (``components_`` is then exactly >= 0), the asymmetric weight decay (negative
    entries are discouraged, not forbidden), or not at all.
        """),
    Option("decay_weight", 1e-3, real(0),
           "float", r"""
    :math:`\lambda \ge 0`, weight of the asymmetric decay (used only under
    ``nonnegativity="asymmetric_decay"``).
        """),
    Option("decay_ratio", 0.0, real(0),
           "float", r"""
    :math:`\alpha \ge 0`, decay of the positive weights relative to the negative
    ones (1 is ordinary weight decay).
        """),
    Option("decoder_activation", "leaky_relu", one_of(*DECODER_ACTIVATIONS),
           '{"leaky_relu", "sigmoid", "identity"}', r"""
    :math:`\sigma_d`; "leaky_relu" has negative slope 0.1 (the study's choice).
        """),
    Option("decoder_bias", True, boolean,
           "bool", """
    Learn the decoder bias :math:`b_d`. False fixes it at 0 (``decoder_bias_`` is
    then zeros): every pixel of a reconstruction comes from the atoms, so the
    morphological operators act on all of it (the bias is never dilated).
        """),
    Option("code_projection", None, optional(real(0, 1, low_open=True, high_open=True)),
           "float in (0, 1)", r"""
    If set, every code is projected, in training and in ``transform`` alike, onto
    the non-negative vectors of this Hoyer sparseness: the sigmoid output
    :math:`h` becomes the nearest point :math:`\langle h, u\rangle u` of that
    scale-free set, :math:`u` its projection at unit norm
    (:func:`sparse_parts.sparseness.project_sparseness_cone`). The projection is
    differentiable, so the encoder learns through it. The scale of a code is then
    free (entries in :math:`[0, \sqrt{k}]`, not [0, 1]), and ``decode`` accepts
    any non-negative codes. Needs ``n_components >= 2``; excludes ``top_k``.
        """),
    Option("top_k", None, optional(integer()),
           "int", """
    If set, only the ``top_k`` largest entries of every code are kept, the others
    set to 0 (training and ``transform`` alike); ``top_k >= n_components`` keeps
    every entry.
        """),
    Option("atom_sparseness", None, optional(real(0.0, 1.0)),
           "float in [0, 1]", """
    If set, after every optimizer step (and before and after training) each atom
    is projected onto the non-negative vectors of this Hoyer sparseness with its
    own L2 norm, as the atom constraint of Hoyer's nmfsc [3]_ (after the clamp
    of ``nonnegativity="projection"``). The atoms are then non-negative whatever
    ``nonnegativity`` says; an atom of norm 0 stays 0. Needs at least 2 features.
        """),
    Option("code_activation", "sigmoid", one_of(*CODE_ACTIVATIONS),
           '{"sigmoid", "relu"}', r"""
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
        """),
    Option("encoder_iterations", 0, integer(0),
           "int >= 0", r"""
    Refine the codes this many times after the encoder,
    :math:`H \leftarrow \sigma(Z + H S + b_t)` with :math:`Z` the encoder's
    output, one learned ``(n_components, n_components)`` matrix :math:`S`, zero at
    the start, and a learned shift :math:`b_t` per step: the unrolled
    projected-gradient iterations of a non-negative lasso, with learned matrices
    (LISTA [5]_). Each step costs ``n_components**2`` multiply-adds per image, a
    fraction of a dense encoder layer; 0 is the plain encoder.
        """),
    Option("unit_atoms", False, boolean,
           "bool", """
    Rescale every atom to unit L2 norm after every optimizer step (after the
    non-negativity clamp and ``atom_sparseness``). A penalty on the size of the
    codes (``sparsity_penalty="l1"``) is otherwise evaded by growing the atoms.
        """),
    Option("optimizer", "adam", optimizer_choice,
           '{"adam", "adamw", "sgd", "rmsprop", "adadelta"} or Optimizer subclass', """
    The optimizer; "adadelta" with ``lr=1.0`` (Keras' default) was the report's.
    "adam" and "adamw" (and the torch classes ``Adam``, ``AdamW``) use torch's fused
    implementation.
        """),
    Option("lr", 1e-3, real(0, low_open=True),
           "float", """
    Learning rate.
        """),
    Option("max_epochs", 30, integer(),
           "int", """
    Number of passes over the training data (fewer with early stopping).
        """),
    Option("batch_size", 128, integer(),
           "int", """
    Mini-batch size; the mean activations :math:`t_j` are taken over a batch. At
    least 2 for an encoder with BatchNorm layers (``AsymmetricAutoEncoder``).
        """),
    Option("validation_fraction", None, optional(real(0, 1, low_open=True, high_open=True)),
           "float in (0, 1)", """
    Fraction of the training images held out to report ``valid_loss`` in
    ``net_.history`` (and monitored by early stopping). ``None`` trains on all.
        """),
    Option("early_stopping", False, boolean,
           "bool", """
    Stop when the monitored loss (``valid_loss`` with a validation fraction,
    ``train_loss`` otherwise) has not improved by a relative ``tol`` for
    ``n_iter_no_change`` epochs.
        """),
    Option("n_iter_no_change", 5, integer(),
           "int", """
    Patience of the early stopping, in epochs.
        """),
    Option("tol", 1e-4, real(0),
           "float", """
    Relative improvement that counts for the early stopping.
        """),
    Option("device", "cpu", anything,  # resolved at fit time by resolve_device
           '{"cpu", "cuda", "cuda:N", "auto"} or torch.device', """
    Where to train; "auto" takes CUDA when available. Resolved at fit time (the
    parameter keeps its value); a model trained on CUDA unpickles on a CPU-only
    machine.
        """),
    Option("random_state", None, anything,  # sklearn.utils.check_random_state at fit time
           "int, RandomState instance or None", """
    Seeds weight initialisation and shuffling (without touching torch's global
    random state). On CPU an int makes ``fit`` reproducible to the bit.
        """),
    Option("verbose", 0, verbosity,
           "int", """
    If > 0, a progress bar per epoch and skorch's epoch table.
        """),
    Option("callbacks", None, callback_list,
           "list of skorch callbacks", """
    Extra skorch callbacks (instances or ``(name, callback)`` pairs), e.g.
    ``skorch.callbacks.LRScheduler``; copied at fit time. A callback that monitors
    a ``valid_*`` score needs ``validation_fraction``.
        """),
    Option("warm_start", False, boolean,
           "bool", """
    If True, ``fit`` on a fitted estimator trains its net ``max_epochs`` more
    epochs, from the weights, optimizer state and shuffling stream it reached
    (``fit`` twice with ``max_epochs=k`` is ``fit`` once with ``max_epochs=2k``);
    the other parameters must be those the net was built with. If False, ``fit``
    builds a new net. ``partial_fit`` always continues a fitted net.
        """),
)


def defaults():
    """``{name: default}`` of every option."""
    return {option.name: option.default for option in OPTIONS}


def parameters_doc():
    """The numpydoc Parameters entries of :data:`OPTIONS` (without ``**net_params``)."""
    lines = []
    for option in OPTIONS:
        default = option.default
        if isinstance(default, str):
            default = f'"{default}"'
        elif isinstance(default, float) and 0 < abs(default) < 0.01:
            default = f"{default:.0e}".replace("e-0", "e-")  # 1e-3, as a user writes it
        else:
            default = repr(default)
        lines.append(f"    {option.name} : {option.kind}, default={default}")
        lines.append(textwrap.indent(textwrap.dedent(option.doc).strip("\n"), " " * 8))
    return "\n" + "\n".join(lines) + "\n"


class AutoEncoderOptions:
    """The validated options of one training, as attributes (``options.lr``).

    Built by :meth:`from_estimator`, which checks every option against its
    constraint in :data:`OPTIONS` and then the rules between options.
    """

    def __init__(self, **values):
        known = defaults()
        unknown = set(values) - set(known)
        if unknown:
            raise TypeError(f"Unknown option(s): {', '.join(sorted(unknown))}.")
        vars(self).update({**known, **values})

    def __repr__(self):
        return f"AutoEncoderOptions({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"

    @classmethod
    def from_estimator(cls, estimator, *, min_batch_size=1):
        """Validate the options of ``estimator`` (its parameters named in the table)."""
        values = {option.name: option.check(getattr(estimator, option.name), option.name)
                  for option in OPTIONS}
        options = cls(**values)
        options._check_rules(type(estimator).__name__, min_batch_size)
        return options

    def _check_rules(self, owner, min_batch_size):
        """The constraints between options (one option's range depending on another)."""
        if self.sparsity_penalty == "kl":
            check_real(self.sparsity_target, "sparsity_target (p) with sparsity_penalty='kl'",
                       low=0, low_open=True, high=1, high_open=True)
        elif self.sparsity_penalty not in (None, "l1"):  # the L1 penalty has no target
            check_real(self.sparsity_target, "sparsity_target (p)", low=0, high=1)
        if self.code_activation == "relu" and self.sparsity_penalty == "kl":
            raise ValueError(
                "sparsity_penalty='kl' compares mean activations with a probability p, "
                "which needs codes in [0, 1]; with code_activation='relu' use "
                "sparsity_penalty='l1' (the lasso penalty, e.g. with unit_atoms=True) or "
                "another penalty, or code_activation='sigmoid'.")
        if self.code_projection is not None:
            if self.top_k is not None:
                raise ValueError(
                    "code_projection and top_k each constrain the codes on their own: set "
                    f"one to None, got code_projection={self.code_projection!r}, "
                    f"top_k={self.top_k!r}.")
            if self.n_components < 2:
                raise ValueError(
                    "code_projection needs n_components >= 2 (a code of one entry has "
                    f"Hoyer sparseness 0), got n_components={self.n_components}.")
        if self.batch_size < min_batch_size:
            raise ValueError(
                f"batch_size must be >= {min_batch_size} for {owner}: the BatchNorm layers "
                "of its encoder need at least 2 samples per training batch, got "
                f"batch_size={self.batch_size}.")


def signature_matches(cls):
    """Whether ``cls.__init__`` lists the options of the table, in its order and with
    its defaults (``**net_params`` aside): the test that keeps the two in step."""
    params = [p for p in inspect.signature(cls.__init__).parameters.values()
              if p.name != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD]
    return [(p.name, p.default) for p in params] == [(o.name, o.default) for o in OPTIONS]
