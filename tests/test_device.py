"""The one resolver of ``device`` (``sparse_parts.autoencoders.resolve_device``)."""

import pytest

torch = pytest.importorskip("torch")

from sparse_parts.autoencoders import resolve_device  # noqa: E402

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@pytest.mark.parametrize("device", ["cpu", "cpu:0", torch.device("cpu")])
def test_cpu_in_every_spelling(device):
    assert resolve_device(device) == "cpu"


def test_auto_is_cuda_when_there_is_one():
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.parametrize("device", ["tpu", "cuda:x", "", 3, None, "mps"])
def test_what_is_no_device_is_a_clear_error(device):
    with pytest.raises(ValueError, match="device must be 'cpu', 'cuda', 'cuda:N', 'auto'"):
        resolve_device(device)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only error")
@pytest.mark.parametrize("device", ["cuda", "cuda:0", torch.device("cuda", 0)])
def test_cuda_without_cuda_says_what_to_pass(device):
    with pytest.raises(ValueError, match="CUDA is not available.*device='cpu'"):
        resolve_device(device)


@cuda
@pytest.mark.parametrize("device, expected", [
    ("cuda", "cuda"), ("cuda:0", "cuda:0"), (torch.device("cuda", 0), "cuda:0"),
    (torch.device("cuda"), "cuda")])
def test_cuda_in_every_spelling(device, expected):
    assert resolve_device(device) == expected


@cuda
def test_a_cuda_index_the_machine_lacks_is_a_clear_error():
    missing = torch.cuda.device_count()
    with pytest.raises(ValueError, match=f"has {missing} CUDA device"):
        resolve_device(f"cuda:{missing}")
