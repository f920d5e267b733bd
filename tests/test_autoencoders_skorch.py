"""The skorch adapter of the auto-encoders: its private skorch names, skorch's
double-underscore parameters, interrupted trainings and validation monitors."""

import pathlib
import re
import warnings

import numpy as np
import pytest
import skorch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from skorch.callbacks import EarlyStopping, LRScheduler

from sparse_parts import AsymmetricAutoEncoder, SparseNonNegAutoEncoder
from sparse_parts.autoencoders._skorch import (
    SKORCH_PRIVATE_NAMES,
    SKORCH_VERSIONS,
    check_skorch_api,
)

ESTIMATORS = [SparseNonNegAutoEncoder, AsymmetricAutoEncoder]
FAST = dict(n_components=8, max_epochs=2, random_state=0)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


# --------------------------------------------------------------------------- skorch API
@pytest.mark.parametrize("name", SKORCH_PRIVATE_NAMES)
def test_private_skorch_names_still_exist(name):
    assert hasattr(skorch.NeuralNet, name), (
        f"skorch {skorch.__version__} has no NeuralNet.{name}, which "
        "sparse_parts/autoencoders/_skorch.py relies on: adapt _AutoEncoderNet.")


def test_missing_private_name_is_a_clear_import_error():
    class OldNet:
        _set_training = _zero_grad_optimizer = _optimizers = None
        cuda_dependent_attributes_ = []

    with pytest.raises(ImportError, match=r"lacks _step_optimizer of OldNet.*skorch>=1\.0,<2"):
        check_skorch_api(OldNet)


def test_installed_skorch_is_in_the_pinned_range():
    pyproject = pathlib.Path(__file__).parents[1] / "pyproject.toml"
    assert f'"skorch{SKORCH_VERSIONS}"' in pyproject.read_text()
    major = int(re.match(r"\d+", skorch.__version__).group())
    assert 1 <= major < 2


# --------------------------------------------------------------------------- net parameters
def test_optimizer_parameter_reaches_the_optimizer(small):
    ae = SparseNonNegAutoEncoder(**FAST).set_params(optimizer__weight_decay=1e-4)
    assert ae.get_params()["optimizer__weight_decay"] == 1e-4
    ae.fit(small)
    group = ae.net_.optimizer_.param_groups[0]
    assert group["weight_decay"] == 1e-4
    assert group["fused"]  # the adapter's own optimizer arguments stay


def test_sgd_momentum_as_constructor_argument(small):
    ae = AsymmetricAutoEncoder(**FAST, optimizer="sgd", optimizer__momentum=0.9).fit(small)
    assert ae.net_.optimizer_.param_groups[0]["momentum"] == 0.9
    assert "optimizer__momentum=0.9" in repr(ae)


def test_callback_parameter_reaches_the_callback(small):
    schedule = LRScheduler(policy="StepLR", step_size=1, gamma=0.5)
    ae = SparseNonNegAutoEncoder(**FAST, lr=1e-2, callbacks=[("schedule", schedule)])
    ae.set_params(callbacks__schedule__gamma=0.1).fit(small)
    assert ae.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(1e-2 * 0.1**2)
    assert schedule.gamma == 0.5  # the parameter itself is not mutated


def test_clone_and_grid_search_keep_net_parameters(small):
    ae = SparseNonNegAutoEncoder(**FAST, optimizer="sgd", optimizer__momentum=0.5)
    copy = clone(ae)
    assert copy.get_params()["optimizer__momentum"] == 0.5
    search = GridSearchCV(ae, {"optimizer__weight_decay": [0.0, 1e-2]}, cv=2).fit(small)
    assert [p["optimizer__weight_decay"] for p in search.cv_results_["params"]] == [0.0, 1e-2]
    best = search.best_estimator_
    group = best.net_.optimizer_.param_groups[0]
    assert group["weight_decay"] == search.best_params_["optimizer__weight_decay"]
    assert group["momentum"] == 0.5
    assert ae.get_params()["optimizer__momentum"] == 0.5 and "optimizer__weight_decay" not in (
        ae.get_params())
    # Inside a pipeline, as GridSearchCV over "ae__optimizer__..." sets them.
    pipe = Pipeline([("ae", clone(ae))]).set_params(ae__optimizer__momentum=0.7)
    assert pipe.get_params()["ae__optimizer__momentum"] == 0.7


@pytest.mark.parametrize("params, match", [
    (dict(weight_decay=1e-4), "unexpected parameter.*weight_decay.*optimizer__<name>"),
    (dict(optimizer__weight_decy=1e-4), "optimizer__weight_decy: Adam takes no argument"),
    (dict(callbacks__nothere__step_size=1), "callbacks__nothere__step_size names no callback"),
])
def test_bad_net_parameters(params, match, small):
    ae = SparseNonNegAutoEncoder(**FAST, **params)  # accepted here, checked by fit
    with pytest.raises(ValueError, match=match):
        ae.fit(small[:20])


# --------------------------------------------------------------------------- interruption
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_interrupted_fit_is_fitted_and_says_so(Estimator, small, interrupt_at):
    ae = Estimator(**{**FAST, "max_epochs": 5}, callbacks=[interrupt_at(2)])
    with pytest.warns(UserWarning, match="interrupted during epoch 2 of max_epochs=5") as caught:
        ae.fit(small)
    assert caught[0].filename == __file__
    assert ae.fit_interrupted_ is True
    assert ae.n_iter_ == 2
    assert ae.components_.min() >= 0
    codes = ae.transform(small)
    assert np.isfinite(codes).all() and codes.shape == (300, 8)


def test_complete_and_early_stopped_fits_are_not_interrupted(small):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        complete = SparseNonNegAutoEncoder(**FAST).fit(small)
        # skorch's EarlyStopping stops by raising KeyboardInterrupt: not an interruption.
        stopped = SparseNonNegAutoEncoder(**{**FAST, "max_epochs": 40}, early_stopping=True,
                                          n_iter_no_change=1, tol=0.5).fit(small)
    assert complete.fit_interrupted_ is False
    assert stopped.fit_interrupted_ is False and stopped.n_iter_ < 40


# --------------------------------------------------------------------------- monitors
def test_callback_monitoring_validation_needs_validation_fraction(small):
    ae = SparseNonNegAutoEncoder(**FAST, callbacks=[EarlyStopping()])
    with pytest.raises(ValueError, match="'EarlyStopping' monitors 'valid_loss'.*validation_frac"):
        ae.fit(small)
    assert ae.set_params(validation_fraction=0.2).fit(small).n_iter_ == 2
    # A monitor changed through callbacks__<name>__monitor is checked too.
    tuned = SparseNonNegAutoEncoder(**FAST, callbacks=[("stop", EarlyStopping("train_loss"))],
                                    callbacks__stop__monitor="valid_loss")
    with pytest.raises(ValueError, match="'stop' monitors 'valid_loss'"):
        tuned.fit(small)
