"""Where the torch engines run and what they may fetch: CUDA or CPU, GPU memory, one lock per device.

Every engine that runs a model on a device takes that device's lock around inference, so two
models never race for one GPU's memory and kernels. Nothing here imports torch until asked, and
nothing here loads a model.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
from dataclasses import dataclass
from typing import Any

from voxweave.errors import EngineUnavailable

AUTO, CUDA, CPU = "auto", "cuda", "cpu"
DEVICE_CHOICES = (AUTO, CUDA, CPU)
#: onnxruntime's provider names (Piper and the ONNX engines).
ONNX_CUDA_PROVIDER = "CUDAExecutionProvider"
ONNX_CPU_PROVIDER = "CPUExecutionProvider"
#: huggingface_hub's switch for "never touch the network"; a truthy value forbids model downloads.
HF_OFFLINE_VARIABLE = "HF_HUB_OFFLINE"
_TRUTHY = frozenset({"1", "true", "yes", "on"})
BYTES_PER_GIB = 1024**3

_locks: dict[str, threading.RLock] = {}
_locks_guard = threading.Lock()


def torch_installed() -> bool:
    return importlib.util.find_spec("torch") is not None


def torch_imported() -> bool:
    """Whether torch is already in this process (then asking it about CUDA costs nothing)."""
    return "torch" in sys.modules


def cuda_available() -> bool:
    """Whether torch is installed and sees a CUDA GPU (imports torch)."""
    if not torch_installed():
        return False
    import torch

    return bool(torch.cuda.is_available())


def select_device(preference: str | None = AUTO) -> str:
    """The torch device for a preference: "auto" (CUDA when present, else CPU), "cuda", "cuda:N" or "cpu".

    Raises EngineUnavailable when CUDA is asked for and torch sees no GPU, ValueError for nonsense.
    """
    choice = (preference or AUTO).strip().lower()
    if choice == CPU:
        return CPU
    if choice != AUTO and choice != CUDA and not _is_indexed_cuda(choice):
        raise ValueError(f"device {preference!r}: choose one of {', '.join(DEVICE_CHOICES)} (or cuda:N)")
    if cuda_available():
        return CUDA if choice == AUTO else choice
    if choice == AUTO:
        return CPU
    raise EngineUnavailable(f"device {choice!r} was asked for, but torch sees no CUDA GPU (use device=auto or cpu)")


def describe_device(device: str) -> str:
    """A short human label: "cpu", or "cuda:0 (NVIDIA H100, 79.1 GiB)"."""
    if not device.startswith(CUDA):
        return device
    memory = gpu_memory(device)
    if memory is None:
        return device
    return f"{memory.device} ({memory.name}, {memory.total_bytes / BYTES_PER_GIB:.1f} GiB)"


@dataclass(frozen=True)
class GpuMemory:
    """One GPU's memory as torch sees it, in bytes. `peak_allocated_bytes` counts since the last reset."""

    device: str
    name: str
    total_bytes: int
    free_bytes: int
    allocated_bytes: int
    reserved_bytes: int
    peak_allocated_bytes: int

    @property
    def used_fraction(self) -> float:
        return 0.0 if self.total_bytes <= 0 else 1.0 - self.free_bytes / self.total_bytes


def gpu_memory(device: str = CUDA) -> GpuMemory | None:
    """Memory figures of a CUDA device, or None when there is no GPU (imports torch)."""
    if not cuda_available():
        return None
    import torch

    index = _cuda_index(device)
    free, total = torch.cuda.mem_get_info(index)
    return GpuMemory(
        device=f"{CUDA}:{index}",
        name=torch.cuda.get_device_name(index),
        total_bytes=int(total),
        free_bytes=int(free),
        allocated_bytes=int(torch.cuda.memory_allocated(index)),
        reserved_bytes=int(torch.cuda.memory_reserved(index)),
        peak_allocated_bytes=int(torch.cuda.max_memory_allocated(index)),
    )


def reset_peak_memory(device: str = CUDA) -> None:
    """Start counting GpuMemory.peak_allocated_bytes afresh (no-op without a GPU)."""
    if cuda_available():
        import torch

        torch.cuda.reset_peak_memory_stats(_cuda_index(device))


def device_lock(device: str) -> threading.RLock:
    """The process-wide lock of a device ("cuda" and "cuda:0" share one); engines hold it while inferring."""
    key = f"{CUDA}:{_cuda_index(device)}" if device.startswith(CUDA) else device
    with _locks_guard:
        return _locks.setdefault(key, threading.RLock())


def onnx_providers(preference: str | None = AUTO) -> list[str]:
    """onnxruntime providers for a preference: CUDA first when this build offers it, CPU always last."""
    choice = (preference or AUTO).strip().lower()
    if choice == CPU:
        return [ONNX_CPU_PROVIDER]
    try:
        import onnxruntime
    except ImportError:
        return [ONNX_CPU_PROVIDER]
    if ONNX_CUDA_PROVIDER in onnxruntime.get_available_providers():
        return [ONNX_CUDA_PROVIDER, ONNX_CPU_PROVIDER]
    if choice != AUTO:
        raise EngineUnavailable(f"device {choice!r} was asked for, but onnxruntime has no CUDA provider")
    return [ONNX_CPU_PROVIDER]


def downloads_allowed(settings: Any = None) -> bool:
    """Whether engines may fetch missing models from the network (online users, first use).

    False when settings.allow_model_downloads is False or HF_HUB_OFFLINE is set.
    """
    if os.environ.get(HF_OFFLINE_VARIABLE, "").strip().lower() in _TRUTHY:
        return False
    return bool(getattr(settings, "allow_model_downloads", True))


def _is_indexed_cuda(choice: str) -> bool:
    prefix, _, index = choice.partition(":")
    return prefix == CUDA and index.isdigit()


def _cuda_index(device: str) -> int:
    _, _, index = device.partition(":")
    return int(index) if index.isdigit() else 0
