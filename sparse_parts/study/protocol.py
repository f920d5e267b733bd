"""The measuring protocol of the study: the metrics of a fitted model on held-out images.

:func:`evaluate` computes the reconstruction MSE, the Hoyer sparsity of the codes, the
two max-approximation errors to dilation by disk(1) and the SVM accuracy on the
codes (None without labels); :func:`svm_protocol` says in words how the SVM accuracy
is measured (it is written into ``results.md``).
"""

import numpy as np

__all__ = ["svm_protocol", "svm_accuracy", "evaluate"]


def svm_protocol(settings):
    """The SVM protocol of ``settings``, in words (written into results.md)."""
    C = ", ".join(f"{c:g}" for c in settings.svm_C)
    gammas = ", ".join(f"{g:g}" for g in settings.svm_gamma_factors)
    return (
        f"The codes of (at most) {settings.svm_samples} held-out test images (a stratified "
        f"random subset, seed {settings.seed}) are split {settings.svm_splits} times by "
        f"`StratifiedShuffleSplit(test_size={settings.svm_test_size:g})`. On each split an "
        f"RBF `SVC` is tuned by `GridSearchCV` (stratified {settings.svm_cv}-fold CV, "
        f"accuracy) over C in {{{C}}} and gamma = g / (k * Var(codes)) with g in "
        f"{{{gammas}}} (k code units, the variance over all training-part code entries, "
        "i.e. scikit-learn's gamma='scale' times g), refit on the whole training part, and "
        "scored by accuracy on the split's test part. Reported: mean and standard "
        "deviation (ddof=0) of the accuracies over the splits.")


def svm_accuracy(codes, y, settings):
    """Mean and std of the SVM accuracy on ``codes`` under :func:`svm_protocol`."""
    from sklearn.model_selection import (
        GridSearchCV,
        StratifiedKFold,
        StratifiedShuffleSplit,
        train_test_split,
    )
    from sklearn.svm import SVC

    codes = np.asarray(codes, dtype=np.float64)
    if codes.shape[0] > settings.svm_samples:
        codes, _, y, _ = train_test_split(codes, y, train_size=settings.svm_samples,
                                          stratify=y, random_state=settings.seed)
    splitter = StratifiedShuffleSplit(n_splits=settings.svm_splits,
                                      test_size=settings.svm_test_size,
                                      random_state=settings.seed)
    scores = []
    for train, test in splitter.split(codes, y):
        variance = codes[train].var()
        scale = 1.0 / (codes.shape[1] * variance) if variance > 0 else 1.0
        grid = {"C": list(settings.svm_C),
                "gamma": [g * scale for g in settings.svm_gamma_factors]}
        search = GridSearchCV(SVC(kernel="rbf"), grid, scoring="accuracy",
                              cv=StratifiedKFold(settings.svm_cv, shuffle=True,
                                                 random_state=settings.seed))
        search.fit(codes[train], y[train])
        scores.append(search.score(codes[test], y[test]))
    return {"svm": float(np.mean(scores)), "svm_std": float(np.std(scores)),
            "svm_sem": float(np.std(scores, ddof=1) / np.sqrt(len(scores))), "svm_C": None}


def evaluate(estimator, X_test, y_test, settings, codes=None):
    """The metrics of a fitted estimator on the held-out images, in the records' vocabulary.

    The codes are computed once (unless given) and shared by every metric; the two
    errors to dilation are :func:`~sparse_parts.metrics.max_approximation_error` with
    ``reference="original"`` and ``"reconstruction"``, computed from those codes.
    Without labels (``y_test`` None) the SVM numbers are None.

    Parameters
    ----------
    estimator : fitted estimator
    X_test : ndarray of shape (n_samples, n_features)
    y_test : ndarray of shape (n_samples,) or None
    settings : Settings
    codes : ndarray of shape (n_samples, n_components), default=None
        The codes of ``X_test``; None: ``estimator.transform(X_test)``. The report's
        NMF codes are those of its fit on the test images.

    Returns
    -------
    metrics : dict
        ``mse``, ``hoyer``, ``hoyer_unit_atoms``, ``max_approx``, ``max_approx_rec``,
        ``svm``, ``svm_std``, ``svm_sem``, ``svm_C``.
    """
    from ..metrics import hoyer_sparsity, max_approximation_error, reconstruction_error

    if codes is None:
        codes = estimator.transform(X_test)
    svm = (dict.fromkeys(("svm", "svm_std", "svm_sem", "svm_C")) if y_test is None
           else svm_accuracy(codes, y_test, settings))
    return {
        "mse": reconstruction_error(X_test, estimator.inverse_transform(codes)),
        "hoyer": hoyer_sparsity(codes),
        # The same with every atom at unit norm: comparable across atom scales.
        "hoyer_unit_atoms": hoyer_sparsity(codes, estimator.components_),
        "max_approx": max_approximation_error(estimator, X_test, codes=codes),
        "max_approx_rec": max_approximation_error(estimator, X_test, codes=codes,
                                                  reference="reconstruction"),
        **svm,
    }
