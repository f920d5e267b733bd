"""Bad and unusual input to the ``sparse-parts`` command and the study behind it.

A clear error, or the right result: each test failed before its fix with an opaque
error from deep inside a library, a traceback from the command line, or a silently
wrong result.
"""

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparse_parts import cli
from sparse_parts.study.data import DataError
from sparse_parts.study.settings import complete_settings, resolve_settings

# The tiny fits stop before converging, on purpose.
pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


# ------------------------------------------------------------------ the command
def _compare_exit(tmp_path, capsys, *options):
    with pytest.raises(SystemExit) as exited:
        cli.main(["compare", "--quick", "--models", "nmf", "--no-figures",
                  "--out", str(tmp_path / "out"), *options])
    return exited.value.code, capsys.readouterr().err


@pytest.mark.parametrize("n_images", [1, 3])
def test_compare_on_too_few_images_exits_with_a_message(tmp_path, capsys, n_images):
    # A traceback: ValueError from complete_settings (3 images), from
    # train_test_split (1 image).
    path = tmp_path / "few.npy"
    np.save(path, np.random.default_rng(0).random((n_images, 6, 6)))
    code, err = _compare_exit(tmp_path, capsys, "--data", str(path))
    assert code == 2
    assert "few.npy" in err and "Traceback" not in err


def test_too_few_training_images_are_a_data_error():
    settings = resolve_settings(data_path=__file__, models=["nmf"])
    with pytest.raises(DataError, match="too few"):
        complete_settings(settings, 2, 1, (6, 6))


@pytest.mark.parametrize("seed", ["-1", str(2**40)])
def test_compare_with_a_seed_out_of_range_exits_with_a_message(tmp_path, capsys, seed):
    # A traceback: "Seed must be between 0 and 2**32 - 1" from numpy, mid-run.
    code, err = _compare_exit(tmp_path, capsys, "--dataset", "digits", "--seed", seed)
    assert code == 2
    assert "--seed must be an integer from 0 to 4294967295" in err


def test_the_model_cache_key_sees_the_callbacks():
    from skorch.callbacks import LRScheduler

    from sparse_parts import SparseNonNegAutoEncoder
    from sparse_parts.study.cache import cache_key

    X = np.zeros((4, 9), np.float32)
    plain = SparseNonNegAutoEncoder(4)
    scheduled = SparseNonNegAutoEncoder(4, callbacks=[LRScheduler("StepLR", step_size=1)])
    assert cache_key(plain, X) != cache_key(scheduled, X)
    assert cache_key(plain, X) == cache_key(SparseNonNegAutoEncoder(4, verbose=1), X)
