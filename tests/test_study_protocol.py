"""The SVM protocols of the study: linear by default, the report's, RBF; seeded."""

import numpy as np
import pytest

from sparse_parts.study import SettingsError, resolve_settings
from sparse_parts.study.protocol import LINEAR_C, svm_accuracy, svm_protocol


def _codes(n=600, n_classes=4, spread=0.6, seed=0):
    """Non-negative codes of ``n_classes`` overlapping clusters in 12 dimensions."""
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(n_classes), n // n_classes)
    centres = rng.rand(n_classes, 12) * 2
    codes = np.abs(centres[y] + spread * rng.randn(y.size, 12))
    return codes, y


def _settings(protocol, seed=0):
    return resolve_settings("digits", quick=True, models=["nmf"], svm_protocol=protocol,
                            seed=seed)


def test_the_linear_protocol_is_the_default():
    assert resolve_settings("digits", models=["nmf"]).svm_protocol == "linear"
    text = svm_protocol(_settings("linear"))
    assert "LinearSVC" in text and "RepeatedStratifiedKFold" in text and "1e-2, 1e3" in text


def test_the_c_grid_is_the_reports():
    assert len(LINEAR_C) == 30
    assert LINEAR_C[0] == pytest.approx(1e-2) and LINEAR_C[-1] == pytest.approx(1e3)
    assert np.allclose(np.diff(np.log10(LINEAR_C)), 5 / 29)


@pytest.mark.parametrize("protocol", ["linear", "report", "rbf"])
def test_every_protocol_is_seeded_reproducible_and_measures_accuracy(protocol):
    codes, y = _codes()
    first = svm_accuracy(codes, y, _settings(protocol))
    assert first == svm_accuracy(codes, y, _settings(protocol))  # to the bit
    assert set(first) == {"svm", "svm_std", "svm_sem", "svm_C"}
    assert 0.6 < first["svm"] <= 1.0 and 0 <= first["svm_sem"] <= first["svm_std"]
    if protocol == "rbf":
        assert first["svm_C"] is None  # tuned on every split
    else:
        assert first["svm_C"] in LINEAR_C
    # Shuffled labels: chance level (four classes), whatever the protocol.
    shuffled = np.random.RandomState(1).permutation(y)
    assert svm_accuracy(codes, shuffled, _settings(protocol))["svm"] < 0.4


def test_the_reports_procedure_is_noisier_than_the_linear_protocol():
    """The report scores 25 classifiers on 5% of a fifth of the codes: its spread is the
    binomial noise of a few codes; the linear protocol scores folds of half the codes."""
    codes, y = _codes(n=1000, spread=0.9)
    linear = svm_accuracy(codes, y, _settings("linear"))
    report = svm_accuracy(codes, y, _settings("report"))
    assert report["svm_std"] > 1.5 * linear["svm_std"]
    assert abs(report["svm"] - linear["svm"]) < 3 * report["svm_std"]
    # Another seed: other splits, another estimate.
    assert svm_accuracy(codes, y, _settings("report", seed=1)) != report


@pytest.mark.parametrize("name, value", [("svm_protocol", "poly"), ("budget", "slow")])
def test_unknown_protocols_and_budgets_are_refused_by_name(name, value):
    with pytest.raises(SettingsError, match=f"^{name} must be one of") as caught:
        resolve_settings("digits", models=["nmf"], **{name: value})
    assert caught.value.parameters == (name,)


def test_the_study_budget_trains_as_the_report_did():
    from sparse_parts.study.catalog import find_config
    from sparse_parts.study.estimators import make_estimator

    settings = resolve_settings("digits", models=["nmf"], budget="study")
    assert settings.epochs == 500 and settings.budget == "study"
    settings.image_shape, settings.device = (8, 8), "cpu"
    pytest.importorskip("torch")
    model = make_estimator(find_config("shallow", "kl-p0.05-beta0.001"), settings)
    assert (model.optimizer, model.lr, model.batch_size, model.max_epochs) == (
        "adadelta", 1.0, 128, 500)
    fast = resolve_settings("digits", models=["nmf"])
    fast.image_shape, fast.device = (8, 8), "cpu"
    assert make_estimator(find_config("shallow", "kl-p0.05-beta0.001"), fast).optimizer == "adam"
