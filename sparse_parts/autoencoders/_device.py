"""Where torch computes: the one resolver of ``device`` and the CPU thread limit.

Everything outside :mod:`sparse_parts.autoencoders` that must name a device or limit
torch's threads (the command line, the study) goes through these two functions, so
that it never imports torch itself.
"""

import contextlib

import torch

__all__ = ["resolve_device", "torch_threads"]

_ACCEPTED = "'cpu', 'cuda', 'cuda:N', 'auto' or a torch.device"


def resolve_device(device):
    """The concrete torch device string that ``device`` names.

    Parameters
    ----------
    device : str or torch.device
        ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"auto"`` (CUDA when available, else
        the CPU), or a :class:`torch.device` of type cpu or cuda.

    Returns
    -------
    device : str
        ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.

    Raises
    ------
    ValueError
        If ``device`` is none of these, or names CUDA on a machine without it (or a
        CUDA device index the machine does not have).
    """
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if not isinstance(device, (str, torch.device)):
        raise ValueError(f"device must be {_ACCEPTED}, got {device!r}.")
    try:
        parsed = torch.device(device)
    except (RuntimeError, ValueError):
        raise ValueError(f"device must be {_ACCEPTED}, got {device!r}.") from None
    if parsed.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be {_ACCEPTED}, got {device!r}.")
    if parsed.type == "cpu":
        return "cpu"
    if not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} but CUDA is not available on this machine; pass "
            "device='cpu' or device='auto'.")
    if parsed.index is not None and parsed.index >= torch.cuda.device_count():
        raise ValueError(
            f"device={device!r} but this machine has {torch.cuda.device_count()} CUDA "
            "device(s); pass an index below that, or device='cuda'.")
    return str(parsed)


@contextlib.contextmanager
def torch_threads(n_threads):
    """Limit torch's intra-op threads to ``n_threads`` inside the block (restored after)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        torch.set_num_threads(previous)
