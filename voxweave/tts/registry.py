"""Which speech engines exist, building each one once, and turning a voice id into (engine, voice).

Engines are named by "module:factory" strings, imported only when first asked for, so a missing or
broken engine costs nothing until used and never breaks the others.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable, Mapping

from voxweave.config import Settings
from voxweave.errors import EngineUnavailable, VoiceError
from voxweave.tts.base import Availability, Engine, Voice
from voxweave.tts.plugins import load_factory, plugin_specs
from voxweave.tts.voices import VoiceSpec, parse_voice

log = logging.getLogger(__name__)

#: Builds an engine from the settings (an Engine class is one).
EngineFactory = Callable[[Settings], Engine]

#: Built-in engines, in the order they are listed. Adding one is one line; its module is imported on first use.
BUILTIN_ENGINES: dict[str, str] = {
    "kokoro-onnx": "voxweave.tts.kokoro_onnx:KokoroOnnxEngine",
    "espeak": "voxweave.tts.espeak:EspeakEngine",
    "kokoro": "voxweave.tts.kokoro_torch:KokoroTorchEngine",
    "coqui": "voxweave.tts.coqui:CoquiEngine",
    "piper": "voxweave.tts.piper:PiperEngine",
}


class EngineRegistry:
    """Knows engine names and their factories; builds each engine once, lazily and thread-safely.

    Resolves voice ids (`engine:voice`, blends) and reports every engine's availability with a reason.
    """

    def __init__(self, settings: Settings | None = None,
                 factories: Mapping[str, EngineFactory | str] | None = None) -> None:
        """`factories` replaces the built-in engines plus VOXWEAVE_ENGINE_PLUGINS (tests pass fakes here)."""
        self._settings = settings or Settings()
        self._factories: dict[str, EngineFactory | str] = dict(factories if factories is not None else _default_factories())
        self._engines: dict[str, Engine] = {}
        self._failures: dict[str, tuple[str, Exception]] = {}  # name -> (reason, the error behind it)
        self._lock = threading.Lock()

    @property
    def settings(self) -> Settings:
        return self._settings

    def register(self, name: str, factory: EngineFactory | str) -> None:
        """Add (or replace) an engine: a factory taking Settings, or a "module:attribute" string."""
        with self._lock:
            self._factories[name] = factory
            self._engines.pop(name, None)
            self._failures.pop(name, None)

    def names(self) -> list[str]:
        return list(self._factories)

    def get(self, name: str) -> Engine:
        """The engine called `name`, built on first use; EngineUnavailable says why it cannot work."""
        engine = self._build(name)
        availability = engine.available()
        if not availability:
            raise EngineUnavailable(f"engine {name!r} is not available: {availability.reason}")
        return engine

    def describe(self) -> list[tuple[str, Availability]]:
        """Every engine with its availability; an engine that cannot even be built shows why."""
        rows = []
        for name in self.names():
            try:
                availability = self._build(name).available()
            except EngineUnavailable as e:
                availability = Availability(False, str(e))
            except Exception as e:  # an engine's own check must not hide the others
                log.warning("engine %s: availability check failed", name, exc_info=True)
                availability = Availability(False, f"availability check failed: {e}")
            rows.append((name, availability))
        return rows

    def resolve(self, voice_id: str) -> tuple[Engine, VoiceSpec]:
        """Parse `voice_id` (the engine defaults to that of settings.default_voice) and fetch its engine."""
        default_engine = parse_voice(self._settings.default_voice).engine
        spec = parse_voice(voice_id, default_engine=default_engine)
        return self.get(spec.engine), spec

    def all_voices(self) -> list[Voice]:
        """The voices of every available engine; one whose listing fails is logged and skipped."""
        voices: list[Voice] = []
        for name, availability in self.describe():
            if not availability:
                continue
            try:
                voices.extend(self._build(name).voices())
            except Exception:
                log.warning("engine %s: listing voices failed", name, exc_info=True)
        return voices

    def _build(self, name: str) -> Engine:
        with self._lock:
            if name in self._engines:
                return self._engines[name]
            if name in self._failures:
                reason, error = self._failures[name]
                raise EngineUnavailable(reason) from error
            if name not in self._factories:
                raise VoiceError(f"unknown engine {name!r}: choose from {', '.join(self._factories)}")
            factory = self._factories[name]
            try:
                if isinstance(factory, str):
                    factory = load_factory(factory)
                engine = _call_factory(factory, self._settings)
            except Exception as e:
                reason = f"engine {name!r} cannot be built: {e}"
                self._failures[name] = (reason, e)
                log.warning("%s", reason, exc_info=not isinstance(e, EngineUnavailable))
                raise EngineUnavailable(reason) from e
            self._engines[name] = engine
            return engine


def _call_factory(factory: Callable[..., Engine], settings: Settings) -> Engine:
    """Call a factory with the settings, or with nothing when it takes no arguments (simple plugins)."""
    try:
        inspect.signature(factory).bind(settings)
    except TypeError:
        return factory()
    except ValueError:  # no signature to inspect (some builtins): assume it takes the settings
        pass
    return factory(settings)


def _default_factories() -> dict[str, EngineFactory | str]:
    """The built-in engines, then those named in VOXWEAVE_ENGINE_PLUGINS (a malformed value is logged)."""
    factories: dict[str, EngineFactory | str] = dict(BUILTIN_ENGINES)
    try:
        factories.update(plugin_specs())
    except EngineUnavailable as e:
        log.warning("%s", e)
    return factories
