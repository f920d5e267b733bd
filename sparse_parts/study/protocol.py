"""The measuring protocol of the study: the metrics of a fitted model on held-out images.

:func:`evaluate` computes the reconstruction MSE, the Hoyer sparsity of the codes, the
two max-approximation errors to dilation by disk(1) and the SVM accuracy on the codes
(None without labels); :func:`svm_accuracy` measures the accuracy under one of three
protocols and :func:`svm_protocol` says it in words (it is written into ``results.md``):

- ``"linear"`` (the default): the report's classifier and C grid (``LinearSVC``, 30
  log-spaced C in [1e-2, 1e3]) on the codes of all the test images, with a
  low-variance estimate: C chosen by 3-fold cross-validation on one stratified half,
  the accuracy measured on the other half by seeded repeated stratified 5-fold
  cross-validation (5 folds x 4 repeats);
- ``"report"``: the report's exact procedure (its ``best_linearSVM_classification_score``),
  seeded: C chosen on 80% of the codes by ``StratifiedShuffleSplit(15,
  test_size=0.08)``, then 25 classifiers trained on 95% of the other 20% and scored on
  the remaining 5% (1,900 and 100 of 2,000 codes on Fashion-MNIST), mean and
  ``np.std``;
- ``"rbf"``: an RBF ``SVC`` tuned by grid search on a subset of the codes (this
  package's protocol before the report's was read).
"""

import numpy as np

__all__ = ["LINEAR_C", "svm_protocol", "svm_accuracy", "evaluate"]

#: The report's C grid: 30 log-spaced values in [1e-2, 1e3].
LINEAR_C = tuple(float(c) for c in np.logspace(-2, 3, 30))
# The linear protocol: folds choosing C, C values without improvement before the
# path stops, and the repeated folds of the accuracy.
_C_FOLDS, _PATIENCE, _FOLDS, _REPEATS = 3, 6, 5, 4
# The report's procedure: its splits and fractions (8,000 / 2,000 codes, 15 splits
# choosing C with 8% held out, 25 scores on 5% of the rest).
_REPORT_SELECT, _REPORT_C_SPLITS, _REPORT_C_TEST = 0.8, 15, 0.08
_REPORT_SCORES, _REPORT_TEST = 25, 0.05


def svm_protocol(settings):
    """The SVM protocol of ``settings``, in words (written into results.md)."""
    if settings.svm_protocol == "linear":
        return (
            "the report's classifier and C grid, measured with a lower variance: a linear "
            "SVM (`LinearSVC`, squared hinge loss, one-vs-rest; `dual` chosen by the shape: "
            "primal when there are more codes than code units), no feature scaling, on the "
            "codes of all the held-out test images. The codes are split in two stratified "
            f"halves (seed {settings.seed}). On the first, C is chosen among 30 log-spaced "
            f"values in [1e-2, 1e3] by stratified {_C_FOLDS}-fold cross-validation "
            "(accuracy), going up the path from the smallest C and stopping after "
            f"{_PATIENCE} values without improvement. On the second half, a classifier "
            f"with that C is scored by `RepeatedStratifiedKFold(n_splits={_FOLDS}, "
            f"n_repeats={_REPEATS}, random_state={settings.seed})`. Reported: the mean "
            f"accuracy over the {_FOLDS * _REPEATS} folds, their standard deviation "
            "(`np.std`, ddof=0), the standard error of the mean (std with ddof=1 over "
            f"sqrt({_FOLDS * _REPEATS}); the folds overlap, so it is an optimistic "
            "figure) and the C chosen.")
    if settings.svm_protocol == "report":
        return (
            "the report's exact procedure (`best_linearSVM_classification_score` of its "
            "code), seeded here: a linear SVM (`LinearSVC(dual=False)`) on the codes of "
            "all the held-out test images, no feature scaling. C is chosen among 30 "
            "log-spaced values in [1e-2, 1e3] by `GridSearchCV` over "
            f"`StratifiedShuffleSplit({_REPORT_C_SPLITS}, test_size={_REPORT_C_TEST:g})` "
            f"on {_REPORT_SELECT:.0%} of the codes (8,000 of 10,000 on Fashion-MNIST); "
            f"then `StratifiedShuffleSplit({_REPORT_SCORES}, test_size={_REPORT_TEST:g})` on "
            "the other codes trains a classifier on 95% of them and scores it on 5% (1,900 "
            "and 100 on Fashion-MNIST; on a small set at least one test code per class), "
            "25 times. Reported: the mean and `np.std` of the "
            "25 scores (the binomial noise of 100 images, about 0.036), the standard error "
            "(std with ddof=1 over 5) and the C chosen.")
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
        "scored by accuracy on the split's test part. Reported: mean, standard "
        "deviation (ddof=0) and standard error (ddof=1 over the square root of the number "
        "of splits) of the accuracies over the splits.")


def _summary(scores, C=None):
    scores = np.asarray(scores, dtype=np.float64)
    sem = float(np.std(scores, ddof=1) / np.sqrt(scores.size)) if scores.size > 1 else None
    return {"svm": float(scores.mean()), "svm_std": float(scores.std()), "svm_sem": sem,
            "svm_C": None if C is None else float(C)}


def _linear_svc(C, shape):
    from sklearn.svm import LinearSVC

    # The primal problem is the cheaper one when there are more codes than code units
    # (liblinear's advice, and scikit-learn's dual="auto").
    return LinearSVC(C=C, dual=bool(shape[0] < shape[1]), max_iter=2000)


def _folds(y, wanted):
    """``wanted`` folds, or fewer when a class has fewer members (at least 2)."""
    return int(max(2, min(wanted, np.unique(y, return_counts=True)[1].min())))


def _linear(codes, y, seed):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import (
        RepeatedStratifiedKFold,
        StratifiedKFold,
        cross_val_score,
        train_test_split,
    )

    select, X, y_select, y_score = train_test_split(codes, y, test_size=0.5, stratify=y,
                                                    random_state=seed)
    folds = StratifiedKFold(_folds(y_select, _C_FOLDS), shuffle=True, random_state=seed)
    best, best_C, waited = -np.inf, None, 0
    with warnings.catch_warnings():
        # A large C on codes that are not separable stops at liblinear's iteration
        # limit: the accuracy of the result is what is measured.
        warnings.simplefilter("ignore", ConvergenceWarning)
        for C in LINEAR_C:
            score = cross_val_score(_linear_svc(C, select.shape), select, y_select,
                                    cv=folds).mean()
            if score > best:
                best, best_C, waited = score, C, 0
            else:
                waited += 1
                if waited >= _PATIENCE:
                    break
        repeated = RepeatedStratifiedKFold(n_splits=_folds(y_score, _FOLDS),
                                           n_repeats=_REPEATS, random_state=seed)
        scores = cross_val_score(_linear_svc(best_C, X.shape), X, y_score, cv=repeated)
    return _summary(scores, best_C)


def _report(codes, y, seed):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import GridSearchCV, StratifiedShuffleSplit, train_test_split
    from sklearn.svm import LinearSVC

    select, rest, y_select, y_rest = train_test_split(
        codes, y, train_size=_REPORT_SELECT, stratify=y, random_state=seed)
    # The report's fractions, on a small set at least one test code per class (the
    # stratified splits need it): 100 of 2,000 codes on Fashion-MNIST, 10 of 120 on
    # the digits' 599 test images.
    n_classes = np.unique(y).size
    c_test = max(n_classes, round(_REPORT_C_TEST * select.shape[0]))
    score_test = max(n_classes, round(_REPORT_TEST * rest.shape[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(LinearSVC(dual=False), {"C": list(LINEAR_C)}, refit=False,
                              cv=StratifiedShuffleSplit(_REPORT_C_SPLITS, test_size=c_test,
                                                        random_state=seed))
        search.fit(select, y_select)
        C = search.best_params_["C"]
        splits = StratifiedShuffleSplit(_REPORT_SCORES, test_size=score_test,
                                        random_state=seed)
        scores = [LinearSVC(C=C, dual=False).fit(rest[train], y_rest[train])
                  .score(rest[test], y_rest[test]) for train, test in splits.split(rest, y_rest)]
    return _summary(scores, C)


def _rbf(codes, y, settings):
    from sklearn.model_selection import (
        GridSearchCV,
        StratifiedKFold,
        StratifiedShuffleSplit,
        train_test_split,
    )
    from sklearn.svm import SVC

    # A stratified subset needs a class's worth of codes left out; fewer: keep them all.
    if codes.shape[0] - settings.svm_samples >= np.unique(y).size:
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
    return _summary(scores)


def svm_accuracy(codes, y, settings):
    """The SVM accuracy on ``codes`` under ``settings.svm_protocol`` (:func:`svm_protocol`).

    Parameters
    ----------
    codes : array-like of shape (n_samples, n_components)
    y : array-like of shape (n_samples,)
    settings : Settings
        Its ``svm_protocol`` and ``seed`` (and the RBF protocol's ``svm_*`` fields).

    Returns
    -------
    accuracy : dict
        ``svm`` (the mean accuracy), ``svm_std`` (``np.std`` of the scores), ``svm_sem``
        (their standard error) and ``svm_C`` (the C chosen; None for ``"rbf"``, which
        tunes C on every split). The same codes, labels and seed give the same numbers.
    """
    codes = np.asarray(codes, dtype=np.float64)
    y = np.asarray(y)
    if settings.svm_protocol == "linear":
        return _linear(codes, y, settings.seed)
    if settings.svm_protocol == "report":
        return _report(codes, y, settings.seed)
    return _rbf(codes, y, settings)


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
