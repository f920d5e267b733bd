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


@pytest.fixture(scope="module")
def small():
    """300 images of the digits (8 x 8, in [0, 1]): enough for a few quick epochs."""
    from sparse_parts.datasets import load_digits_images

    return load_digits_images().data[:300]


@pytest.fixture(scope="session")
def interrupt_at():
    """A skorch callback class: ``interrupt_at(n)`` raises KeyboardInterrupt (as Ctrl-C
    does) at the end of epoch ``n``. skorch is imported only by the tests that use it."""
    from skorch.callbacks import Callback

    class InterruptAt(Callback):
        def __init__(self, epoch):
            self.epoch = epoch

        def on_epoch_end(self, net, **kwargs):
            if len(net.history) == self.epoch:
                raise KeyboardInterrupt

    return InterruptAt
