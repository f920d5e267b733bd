"""CPU thread limits of a study run: the BLAS and OpenMP pools, and torch's when it trains."""

import contextlib

__all__ = ["thread_limits"]


@contextlib.contextmanager
def thread_limits(n_threads, torch=False):
    """Limit the BLAS / OpenMP pools, and with ``torch`` torch's threads, inside the block.

    Parameters
    ----------
    n_threads : int
    torch : bool, default=False
        Also limit torch's intra-op threads, through
        :func:`sparse_parts.autoencoders.torch_threads`. Only a run with an
        auto-encoder asks for it: it loads torch.
    """
    from threadpoolctl import threadpool_limits

    with contextlib.ExitStack() as stack:
        if torch:
            from ..autoencoders import torch_threads

            # torch first: its OpenMP runtime is then loaded, and limited below too.
            stack.enter_context(torch_threads(n_threads))
        stack.enter_context(threadpool_limits(n_threads))
        yield
