"""Tiny real checkpoints for the engine tests, built in temporary folders (never committed).

Random weights speak nonsense, but every file goes through the engine's real loading code: a
reduced Kokoro (the decoder's sizes are fixed, so about 275 MB) and a small multi-speaker Coqui VITS.
The builders are plain functions (bench/bench_engines.py uses them too); the fixtures build once per
session and skip, with the extra to install, when the engine's packages are missing.
"""

from __future__ import annotations

import importlib.resources
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

KOKORO_EXTRA = "pip install 'voxweave[kokoro]'"
COQUI_EXTRA = "pip install 'voxweave[coqui]'"
PIPER_EXTRA = "pip install 'voxweave[piper]'"

#: Voices of the tiny Kokoro: American female and male, British female (names follow Kokoro's
#: convention, so their first letter picks the language).
TINY_KOKORO_VOICES = ("af_tiny", "am_tiny", "bf_tiny")
#: Kokoro's full-size config with a one-layer, narrow ALBERT and prosody predictor. max_dur 3 keeps
#: random durations at 1-2 frames per phoneme (25-50 ms), so a sentence lasts about a second.
TINY_KOKORO_CHANGES = {
    "plbert": {
        "hidden_size": 64, "num_attention_heads": 2, "intermediate_size": 128,
        "max_position_embeddings": 512, "num_hidden_layers": 1, "dropout": 0.0,
    },
    "n_layer": 1,
    "max_dur": 3,
    "dropout": 0.0,
}
KOKORO_STYLE_SHAPE = (510, 1, 256)
KOKORO_REPO = "hexgrad/Kokoro-82M"
#: Random style vectors this size give audio of a sane level through random weights.
STYLE_SCALE = 0.1

#: Random tiny models need no parallelism, and on a shared small machine several OpenMP threads
#: per test process spin against each other (measured: 2 s per sentence on one thread, 14 s on two).
TEST_TORCH_THREADS = 1

TINY_COQUI_SPEAKERS = ("alice", "bob")
TINY_COQUI_SAMPLE_RATE = 16_000
TINY_COQUI_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
TINY_COQUI_PUNCTUATION = "!'(),-.:;? "


@dataclass(frozen=True)
class CoquiFiles:
    model_path: Path
    config_path: Path
    speakers: tuple[str, ...]
    sample_rate: int


def build_tiny_kokoro(folder: Path, seed: int = 0) -> Path:
    """Write config.json, kokoro-v1_0.pth (official layout: one state dict per submodule) and
    voices/*.pt into `folder`, with random weights; return the folder."""
    import torch
    from kokoro import KModel

    folder = Path(folder)
    (folder / "voices").mkdir(parents=True, exist_ok=True)
    # Kokoro's own config (kokoro-onnx ships it, vocabulary included), reduced where sizes are free.
    config = json.loads((importlib.resources.files("kokoro_onnx") / "config.json").read_text(encoding="utf-8"))
    config.update(TINY_KOKORO_CHANGES)
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    torch.manual_seed(seed)
    empty = folder / "empty.pth"
    torch.save({}, empty)  # KModel initialises randomly and loads nothing from an empty checkpoint
    model = KModel(repo_id=KOKORO_REPO, config=str(folder / "config.json"), model=str(empty))
    empty.unlink()
    torch.save({name: module.state_dict() for name, module in model.named_children()}, folder / "kokoro-v1_0.pth")
    for name in TINY_KOKORO_VOICES:
        torch.save(torch.randn(KOKORO_STYLE_SHAPE) * STYLE_SCALE, folder / "voices" / f"{name}.pt")
    return folder


def build_tiny_coqui(folder: Path, seed: int = 0) -> CoquiFiles:
    """A two-speaker VITS on characters (no phonemes, no discriminator), saved as model.pth +
    config.json + speakers.json the way Coqui's trainer does."""
    import torch
    from TTS.tts.configs.shared_configs import CharactersConfig
    from TTS.tts.configs.vits_config import VitsArgs, VitsConfig
    from TTS.tts.models.vits import Vits

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    speakers_file = folder / "speakers.json"
    speakers_file.write_text(json.dumps({name: i for i, name in enumerate(TINY_COQUI_SPEAKERS)}), encoding="utf-8")
    args = VitsArgs(
        hidden_channels=16, hidden_channels_ffn_text_encoder=32, num_heads_text_encoder=2,
        num_layers_text_encoder=1, num_layers_flow=1, num_layers_posterior_encoder=1,
        resblock_kernel_sizes_decoder=[3], resblock_dilation_sizes_decoder=[[1, 3, 5]],
        upsample_rates_decoder=[8, 8, 4], upsample_initial_channel_decoder=16,
        upsample_kernel_sizes_decoder=[16, 16, 8], use_speaker_embedding=True,
        speaker_embedding_channels=8, speakers_file=str(speakers_file), init_discriminator=False,
    )
    characters = CharactersConfig(
        characters_class="TTS.tts.models.vits.VitsCharacters", pad="<PAD>", eos="<EOS>", bos="<BOS>",
        blank="<BLNK>", characters=TINY_COQUI_CHARACTERS, punctuations=TINY_COQUI_PUNCTUATION, phonemes=None,
    )
    config = VitsConfig(
        model_args=args, use_phonemes=False, text_cleaner="english_cleaners", characters=characters,
        phoneme_language="en",
    )
    config.audio.sample_rate = TINY_COQUI_SAMPLE_RATE
    torch.manual_seed(seed)
    model = Vits(config)
    torch.save({"model": model.state_dict(), "config": config.to_dict()}, folder / "model.pth")
    config.save_json(str(folder / "config.json"))
    return CoquiFiles(folder / "model.pth", folder / "config.json", TINY_COQUI_SPEAKERS, TINY_COQUI_SAMPLE_RATE)


def frugal_torch() -> None:
    """Run torch on TEST_TORCH_THREADS threads in this test process."""
    import torch

    torch.set_num_threads(TEST_TORCH_THREADS)


@pytest.fixture(scope="session")
def kokoro_installed() -> None:
    for module in ("torch", "kokoro", "misaki"):
        pytest.importorskip(module, reason=f"the kokoro extra is not installed ({KOKORO_EXTRA})")


@pytest.fixture(scope="session")
def coqui_installed() -> None:
    for module in ("torch", "torchaudio", "TTS"):
        pytest.importorskip(module, reason=f"the coqui extra is not installed ({COQUI_EXTRA})")


@pytest.fixture(scope="session")
def tiny_kokoro_dir(kokoro_installed, tmp_path_factory) -> Iterator[Path]:
    """Removed at the end of the session: pytest keeps old temporary folders, and this one is 275 MB."""
    frugal_torch()
    folder = build_tiny_kokoro(tmp_path_factory.mktemp("tiny-kokoro"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def tiny_coqui(coqui_installed, tmp_path_factory) -> CoquiFiles:
    frugal_torch()
    return build_tiny_coqui(tmp_path_factory.mktemp("tiny-coqui"))
