"""Fixtures shared by the test modules."""

import pytest


@pytest.fixture(scope="module")
def one_torch_thread():
    """One torch intra-op thread for the module, restored afterwards.

    The test machine has 2 shared cores: two torch threads made small models up to
    15x slower there.
    """
    torch = pytest.importorskip("torch")
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
