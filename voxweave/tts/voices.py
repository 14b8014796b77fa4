"""Voice ids: `engine:voice`, or a blend `engine:a*0.6+b*0.4`. Parsed here and nowhere else."""

from __future__ import annotations

import re
from dataclasses import dataclass

from voxweave.errors import VoiceError

_COMPONENT = re.compile(r"^\s*([A-Za-z0-9_.\-/]+)\s*(?:\*\s*([0-9]*\.?[0-9]+))?\s*$")


@dataclass(frozen=True)
class VoiceSpec:
    """A parsed voice id. `components` are (voice name, weight) with weights summing to 1."""

    engine: str
    components: tuple[tuple[str, float], ...]

    @property
    def is_blend(self) -> bool:
        return len(self.components) > 1

    @property
    def name(self) -> str:
        """The part after `engine:`, normalised (weights shown only for blends)."""
        if not self.is_blend:
            return self.components[0][0]
        return "+".join(f"{v}*{w:g}" for v, w in self.components)

    def __str__(self) -> str:
        return f"{self.engine}:{self.name}"


def parse_voice(voice_id: str, default_engine: str | None = None) -> VoiceSpec:
    """Parse `engine:voice` or `engine:a*0.6+b*0.4`. Weights default to equal shares and are normalised."""
    text = voice_id.strip()
    if ":" in text:
        engine, _, rest = text.partition(":")
        engine = engine.strip()
    elif default_engine:
        engine, rest = default_engine, text
    else:
        raise VoiceError(f"voice {voice_id!r} must be written engine:voice, for example kokoro:jm_kumo")
    if not engine or not rest.strip():
        raise VoiceError(f"voice {voice_id!r} must be written engine:voice, for example kokoro:jm_kumo")
    parts: list[tuple[str, float | None]] = []
    for piece in rest.split("+"):
        match = _COMPONENT.match(piece)
        if not match:
            raise VoiceError(f"voice {voice_id!r}: cannot read {piece.strip()!r} (expected name or name*weight)")
        parts.append((match.group(1), float(match.group(2)) if match.group(2) else None))
    given = [w for _, w in parts if w is not None]
    if given and len(given) != len(parts):
        raise VoiceError(f"voice {voice_id!r}: give a weight to every voice of a blend, or to none")
    weights = given if given else [1.0] * len(parts)
    total = sum(weights)
    if total <= 0:
        raise VoiceError(f"voice {voice_id!r}: blend weights must add up to more than zero")
    merged: dict[str, float] = {}
    for (name, _), weight in zip(parts, weights):
        merged[name] = merged.get(name, 0.0) + weight / total
    return VoiceSpec(engine=engine, components=tuple(merged.items()))


def parse_engine_voice(voice_id: str, engine: str) -> VoiceSpec:
    """`parse_voice` for one engine: a bare name is taken as `engine:name`; another engine's voice is refused."""
    spec = parse_voice(voice_id, default_engine=engine)
    if spec.engine != engine:
        raise VoiceError(f"voice {voice_id!r} belongs to engine {spec.engine!r}, not {engine!r}")
    return spec
