"""Engines added from outside the package: VOXWEAVE_ENGINE_PLUGINS="name=module:factory,other=pkg.mod:Class".

Lets a site plug in its own engine (or a test its instrumented one) without editing the registry.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import Any

from voxweave.errors import EngineUnavailable

PLUGINS_VARIABLE = "VOXWEAVE_ENGINE_PLUGINS"


def plugin_specs(value: str | None = None) -> dict[str, str]:
    """Parse the variable into {engine name: "module:attribute"}."""
    value = os.environ.get(PLUGINS_VARIABLE, "") if value is None else value
    specs: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        name, sep, target = item.partition("=")
        if not sep or ":" not in target or not name.strip():
            raise EngineUnavailable(f"{PLUGINS_VARIABLE}: cannot read {item!r} (expected name=module:factory)")
        specs[name.strip()] = target.strip()
    return specs


def load_factory(target: str) -> Callable[..., Any]:
    """Import "module:attribute" and return the attribute (a class or a function building an engine)."""
    module_name, _, attribute = target.partition(":")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as e:
        raise EngineUnavailable(f"engine plugin {target!r} cannot be loaded: {e}") from e
