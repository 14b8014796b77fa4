"""Video: cloud clip providers (Z.AI, Alibaba wan) behind one protocol, and local composition.

provider = make_provider("zai")            # key from ZAI_API_KEY
path = generate_clip(provider, ClipRequest(prompt="a paper boat on a pond"), Path("clip.mp4"))
"""

from __future__ import annotations

from typing import Any

from voxweave.video.base import (
    ClipProgress,
    ClipRequest,
    ClipState,
    ClipStatus,
    Stage,
    VideoProvider,
    generate_clip,
    iter_clip,
)
from voxweave.video.errors import CloudError, RejectedError, TransientError

#: Provider names and the modules and classes behind them (imported only when asked for).
PROVIDERS = {"zai": ("voxweave.video.zai", "ZaiProvider"), "wan": ("voxweave.video.wan", "WanProvider")}


def make_provider(name: str, **options: Any) -> VideoProvider:
    """The provider called `name` ("zai" or "wan"), built with `options` (api_key, base_url, timeouts, ...)."""
    import importlib

    try:
        module, cls = PROVIDERS[name]
    except KeyError:
        raise ValueError(f"unknown video provider {name!r}; known: {', '.join(PROVIDERS)}") from None
    return getattr(importlib.import_module(module), cls)(**options)


__all__ = [
    "PROVIDERS",
    "ClipProgress",
    "ClipRequest",
    "ClipState",
    "ClipStatus",
    "CloudError",
    "RejectedError",
    "Stage",
    "TransientError",
    "VideoProvider",
    "generate_clip",
    "iter_clip",
    "make_provider",
]
