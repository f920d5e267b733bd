"""The study's rows: the models of Tables 1 and 2 of the reference study, with its numbers.

A :class:`Row` names a model family and its sparsity settings; :data:`ROWS` lists the
eleven rows of the study in its order, each with the Fashion-MNIST figures the study
reports for it, and :func:`select_rows` picks the rows of a run.
"""

from dataclasses import dataclass, field

__all__ = ["Row", "ROWS", "MODELS", "select_rows"]

#: The model families, as named by ``--models``.
MODELS = ("nmf", "shallow", "asym")


@dataclass(frozen=True)
class Row:
    """One row of the comparison: a model family, its sparsity settings, the study's numbers.

    Parameters
    ----------
    name : str
        The row's identifier (file names, ``results.csv``).
    model : {"nmf", "shallow", "asym"}
        The model family.
    label : str
        The row's description in the reports.
    sparsity_target, sparsity_weight : float or None
        The auto-encoders' KL target p and weight beta; None for an unconstrained row.
    study : dict
        The study's Fashion-MNIST figures: ``mse``, ``sparsity``, ``dilation_error``,
        ``svm_accuracy``, ``svm_std`` (None where the study gives none).
    quick : bool
        Whether ``--quick`` keeps the row.
    """

    name: str
    model: str
    label: str
    sparsity_target: float | None = None
    sparsity_weight: float | None = None
    study: dict = field(default_factory=dict)
    quick: bool = False

    @property
    def is_autoencoder(self):
        """Whether the row trains an auto-encoder (and so needs torch)."""
        return self.model != "nmf"


def _study(mse, sparsity, dilation, svm=None, svm_std=None):
    return {"mse": mse, "sparsity": sparsity, "dilation_error": dilation,
            "svm_accuracy": svm, "svm_std": svm_std}


def _ae_row(model, p, beta, study, quick=False):
    kind = "shallow AE" if model == "shallow" else "asymmetric AE"
    if p is None:
        return Row(f"{model}-unconstrained", model, f"unconstrained {kind}", study=study,
                   quick=quick)
    return Row(f"{model}-p{p:g}-beta{beta:g}", model, f"sparse non-negative {kind}",
               p, beta, study, quick)


#: The study's rows (Tables 1 and 2), with its Fashion-MNIST numbers.
ROWS = (
    Row("nmf", "nmf", "sparse NMF, S_h = 0.6 (component scope)",
        study=_study(0.0109, 0.6504, 0.107, 0.812, 0.036), quick=True),
    _ae_row("shallow", None, None, _study(0.00697, 0.0678, 18.24, 0.792, 0.0348), True),
    _ae_row("shallow", 0.2, 0.001, _study(0.0103, 0.230, 1.179, 0.754)),
    _ae_row("shallow", 0.1, 0.01, _study(0.0139, 0.363, 0.264, 0.786)),
    _ae_row("shallow", 0.05, 0.001, _study(0.0164, 0.505, 0.182, 0.804, 0.0313), True),
    _ae_row("shallow", 0.01, 0.005, _study(0.0288, 0.785, 0.0339), True),
    _ae_row("asym", None, None, _study(0.00646, 0.0956, 14.31, 0.787, 0.036), True),
    _ae_row("asym", 0.05, 0.001, _study(0.0115, 0.565, 0.202, 0.834, 0.036), True),
    _ae_row("asym", 0.05, 0.005, _study(0.0125, 0.615, 0.123, 0.81, 0.034)),
    _ae_row("asym", 0.01, 0.001, _study(0.0150, 0.676, 0.103, 0.796, 0.039)),
    _ae_row("asym", 0.01, 0.01, _study(0.0212, 0.826, 0.0297, 0.78, 0.033), True),
)


def select_rows(models=None, quick=False):
    """The rows of ``models`` in the study's order.

    Parameters
    ----------
    models : iterable of str, default=None
        Model families among :data:`MODELS`; None for all of them.
    quick : bool, default=False
        Keep only the rows of the ``--quick`` subset.

    Returns
    -------
    rows : list of Row
    """
    models = MODELS if models is None else tuple(models)
    return [row for row in ROWS if row.model in models and (row.quick or not quick)]
