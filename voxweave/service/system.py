"""What the Settings screen reports: engines and why some are missing, the GPU, which cloud keys are set."""

from __future__ import annotations

import os
from dataclasses import dataclass

from voxweave.tts import device

#: The cloud providers, the variable each reads its key from, and what the user calls it.
CLOUD_KEYS: tuple[tuple[str, str, str], ...] = (
    ("zai", "ZAI_API_KEY", "Z.AI (CogVideoX, Vidu)"),
    ("wan", "DASHSCOPE_API_KEY", "Alibaba Wan (DashScope)"),
)


@dataclass(frozen=True)
class EngineStatus:
    name: str
    available: bool
    reason: str  # why not, or a short note when it is


@dataclass(frozen=True)
class CloudKey:
    provider: str
    variable: str
    label: str
    is_set: bool  # never the value itself


@dataclass(frozen=True)
class GpuStatus:
    available: bool
    summary: str  # "cuda:0 (NVIDIA H100, 79.1 GiB), 2.1 GiB in use" or why there is none
    onnx_providers: tuple[str, ...]


def cloud_keys(environ: dict[str, str] | None = None) -> list[CloudKey]:
    env = os.environ if environ is None else environ
    return [CloudKey(provider, variable, label, bool(env.get(variable, "").strip()))
            for provider, variable, label in CLOUD_KEYS]


def key_is_set(provider: str) -> bool:
    return any(k.is_set for k in cloud_keys() if k.provider == provider)


def gpu_status() -> GpuStatus:
    """The GPU as torch and onnxruntime see it (imports torch when installed: call it once and keep it)."""
    providers = tuple(device.onnx_providers(device.AUTO))
    if not device.torch_installed():
        return GpuStatus(False, "torch is not installed: the torch engines are missing; "
                         "kokoro-onnx runs on " + ("the GPU" if device.ONNX_CUDA_PROVIDER in providers else "the CPU"),
                         providers)
    memory = device.gpu_memory()
    if memory is None:
        return GpuStatus(False, "no CUDA GPU seen by torch: speech runs on the CPU", providers)
    used = (memory.total_bytes - memory.free_bytes) / device.BYTES_PER_GIB
    summary = f"{device.describe_device(memory.device)}, {used:.1f} GiB in use"
    return GpuStatus(True, summary, providers)
