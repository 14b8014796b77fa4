"""Every available engine on the same text: load time and real-time factor (RTF, seconds of work per
second of audio; below 1 is faster than real time). Kokoro on CUDA adds an RTF on a long text, the
latency to its first audio for one sentence, and the peak GPU memory.

Run: python bench/bench_engines.py [--engines kokoro-onnx,espeak,piper,kokoro,coqui] [--tiny] [--long 8]
`--tiny` builds random tiny Kokoro and Coqui checkpoints (as the tests do) when no real weights are
configured: their figures exercise the code path only and say nothing about the real models.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from voxweave.config import Settings  # noqa: E402
from voxweave.tts import device as devices  # noqa: E402
from voxweave.tts.registry import EngineRegistry  # noqa: E402

PARAGRAPH = (
    "The lighthouse keeper climbed the stairs at dusk, as he had done for thirty years. "
    "On the 3rd of March, 1921, the storm came early; the glass rattled, and the lamp flickered twice. "
    "He trimmed the wick, wound the clockwork, and wrote in the log: wind north-east, sea rising. "
    "Far below, a small boat was fighting its way toward the harbour, and he watched it until it was safe."
)
SENTENCE = "Please call me tomorrow morning at the office."
#: The engines this issue adds, for a registry that does not list them yet.
EXTRA_ENGINES = {
    "kokoro": "voxweave.tts.kokoro_torch:KokoroTorchEngine",
    "coqui": "voxweave.tts.coqui:CoquiEngine",
    "piper": "voxweave.tts.piper:PiperEngine",
}
RANDOM_WEIGHTS_NOTE = "random tiny weights: code path only, RTF meaningless"
MIB = 1024 * 1024


@dataclass
class Row:
    engine: str
    voice: str
    device: str
    load_s: float
    audio_s: float
    work_s: float
    note: str = ""

    @property
    def rtf(self) -> float:
        return self.work_s / self.audio_s if self.audio_s else float("nan")


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def measure(name: str, engine, voice: str, text: str, note: str) -> Row:
    """Load (timed), then speak `text` sentence by sentence, as the pipeline would."""
    started = time.perf_counter()
    engine.synthesize("Warm up.", voice)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    audio_s = sum(engine.synthesize(s, voice).duration for s in sentences(text))
    work_s = time.perf_counter() - started
    device = getattr(engine, "device", "cpu")
    return Row(name, voice, str(device), load_s, audio_s, work_s, note)


def kokoro_gpu_figures(engine, voice: str, long_text: str) -> list[str]:
    """RTF on a long text, latency to the first audio of a sentence, peak GPU memory."""
    devices.reset_peak_memory(engine.device)
    started = time.perf_counter()
    audio = sum(engine.synthesize(s, voice).duration for s in sentences(long_text))
    long_rtf = (time.perf_counter() - started) / audio
    started = time.perf_counter()
    next(iter(engine.stream(SENTENCE, voice)))
    first_audio_ms = (time.perf_counter() - started) * 1000
    memory = devices.gpu_memory(engine.device)
    lines = [
        f"kokoro on {devices.describe_device(engine.device)}:",
        f"  long text ({audio:.0f} s of audio): RTF {long_rtf:.4f} ({1 / long_rtf:.0f}x real time)",
        f"  first audio of one sentence: {first_audio_ms:.0f} ms",
    ]
    if memory is not None:
        lines.append(f"  peak GPU memory allocated: {memory.peak_allocated_bytes / MIB:.0f} MiB "
                     f"(reserved {memory.reserved_bytes / MIB:.0f} MiB of {memory.total_bytes / MIB:.0f} MiB)")
    return lines


def tiny_factories(folder: Path, names: set[str]) -> dict[str, Callable]:
    """Engines among `names` ("kokoro", "coqui") on freshly built random checkpoints (the tests' builders)."""
    from tests.engine_fixtures import build_tiny_coqui, build_tiny_kokoro
    from voxweave.tts.coqui import CoquiEngine
    from voxweave.tts.kokoro_torch import KokoroTorchEngine

    factories: dict[str, Callable] = {}
    if "kokoro" in names:
        kokoro_dir = build_tiny_kokoro(folder / "kokoro")
        factories["kokoro"] = lambda settings: KokoroTorchEngine(settings, model_dir=kokoro_dir, allow_downloads=False)
    if "coqui" in names:
        coqui = build_tiny_coqui(folder / "coqui")
        factories["coqui"] = lambda settings: CoquiEngine(
            settings, model_path=coqui.model_path, config_path=coqui.config_path, allow_downloads=False
        )
    return factories


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", help="comma list (default: every available engine)")
    parser.add_argument("--tiny", action="store_true", help="random tiny Kokoro/Coqui checkpoints when none is set")
    parser.add_argument("--long", type=int, default=8, help="paragraphs in Kokoro's long CUDA text")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    settings = Settings()
    registry = EngineRegistry(settings)
    for name, target in EXTRA_ENGINES.items():
        if name not in registry.names():
            registry.register(name, target)
    tiny: set[str] = set()
    with tempfile.TemporaryDirectory() as folder:
        if args.tiny:
            unavailable = {name for name, availability in registry.describe() if not availability}
            for name, factory in tiny_factories(Path(folder), unavailable & {"kokoro", "coqui"}).items():
                registry.register(name, factory)
                tiny.add(name)
        wanted = args.engines.split(",") if args.engines else registry.names()
        rows: list[Row] = []
        extra: list[str] = []
        for name, availability in registry.describe():
            if name not in wanted:
                continue
            if not availability:
                print(f"{name:12} unavailable: {availability.reason}")
                continue
            engine = registry.get(name)
            voice = engine.default_voice()
            note = RANDOM_WEIGHTS_NOTE if name in tiny else ""
            rows.append(measure(name, engine, voice, PARAGRAPH, note))
            if name == "kokoro" and str(getattr(engine, "device", "")).startswith(devices.CUDA):
                extra += kokoro_gpu_figures(engine, voice, " ".join([PARAGRAPH] * args.long))

    print(f"\n{'engine':12} {'voice':20} {'device':8} {'load s':>7} {'audio s':>8} {'work s':>7} {'RTF':>7}  note")
    for row in rows:
        print(f"{row.engine:12} {row.voice:20} {row.device:8} {row.load_s:7.2f} {row.audio_s:8.2f} "
              f"{row.work_s:7.2f} {row.rtf:7.3f}  {row.note}")
    for line in extra:
        print(line)


if __name__ == "__main__":
    main()
