"""The audio track: streaming WAV writer, resampling, encoding every format, reading files back with ffmpeg."""

from __future__ import annotations

import os
import tracemalloc
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from voxweave import audio
from voxweave.audio import (
    AUDIO_FORMATS,
    TRACK_SAMPLE_RATE,
    ChapterMark,
    TrackWriter,
    encode_audio,
    load_audio,
    media_duration,
    read_chapters,
    read_metadata,
    resample,
)
from voxweave.errors import MediaError, OutputError
from voxweave.ffmpeg import run_ffmpeg

TRACK_SECONDS = 2.0
DURATION_TOLERANCE_S = 0.05


def tone(seconds: float, sample_rate: int, frequency: float = 440.0, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(round(seconds * sample_rate)) / sample_rate
    return (amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def peak_frequency(samples: np.ndarray, sample_rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * sample_rate / len(samples))


def leftovers(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if ".partial" in name)


@pytest.fixture(scope="module")
def track(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2.0 s narration-like track: 1.5 s of tone, then 0.5 s of silence."""
    path = tmp_path_factory.mktemp("track") / "track.wav"
    with TrackWriter(path) as writer:
        writer.write(tone(1.5, TRACK_SAMPLE_RATE), TRACK_SAMPLE_RATE)
        writer.write_silence(0.5)
    return path


@pytest.fixture(scope="module")
def cover_png(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("cover") / "cover.png"
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=navy:s=32x32", "-frames:v", "1", str(path)], timeout=30)
    return path.read_bytes()


# --------------------------------------------------------------------------- TrackWriter


def test_position_is_exact_and_spans_are_contiguous(tmp_path: Path) -> None:
    path = tmp_path / "book.wav"
    pieces = [tone(0.333, TRACK_SAMPLE_RATE), tone(1.0, TRACK_SAMPLE_RATE), np.zeros(7, np.float32)]
    spans = []
    with TrackWriter(path) as writer:
        for piece in pieces:
            spans.append(writer.write(piece, TRACK_SAMPLE_RATE))
            spans.append(writer.write_silence(0.25))
        frames = writer.frames
    expected = sum(len(p) for p in pieces) + 3 * round(0.25 * TRACK_SAMPLE_RATE)
    assert frames == expected
    assert writer.position == expected / TRACK_SAMPLE_RATE
    assert spans[0][0] == 0.0
    assert all(a[1] == b[0] for a, b in pairwise(spans))
    assert spans[-1][1] == writer.position
    info = sf.info(str(path))
    assert (info.frames, info.samplerate, info.channels, info.subtype) == (expected, TRACK_SAMPLE_RATE, 1, "PCM_16")


def test_memory_does_not_grow_with_the_track(tmp_path: Path) -> None:
    chunk = tone(0.5, 22_050)  # resampled on every write
    with TrackWriter(tmp_path / "book.wav") as writer:
        tracemalloc.start()
        for _ in range(100):  # a minute of audio, about 2.9 MB on disk
            writer.write(chunk, 22_050)
            writer.write_silence(0.1)
        held, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert writer.position == pytest.approx(100 * 0.6)
    assert held < 200_000, "the writer keeps audio in memory"
    assert peak < 8_000_000, "one write should need a few MB at most"


def test_samples_round_trip_through_the_file(tmp_path: Path) -> None:
    path = tmp_path / "book.wav"
    samples = tone(0.5, TRACK_SAMPLE_RATE)
    with TrackWriter(path) as writer:
        writer.write(samples, TRACK_SAMPLE_RATE)
        writer.write(np.stack([samples, samples], axis=1), TRACK_SAMPLE_RATE)  # stereo is mixed down
        writer.write(np.array([2.0, -2.0, np.nan], np.float32), TRACK_SAMPLE_RATE)  # clipped, NaN is silence
    stored, rate = sf.read(str(path), dtype="float32")
    assert rate == TRACK_SAMPLE_RATE
    np.testing.assert_allclose(stored[: len(samples)], samples, atol=1e-4)
    np.testing.assert_allclose(stored[len(samples) : 2 * len(samples)], samples, atol=1e-4)
    np.testing.assert_allclose(stored[-3:], [1.0, -1.0, 0.0], atol=1e-4)


def test_other_rates_are_resampled_to_the_track_rate(tmp_path: Path) -> None:
    path = tmp_path / "book.wav"
    with TrackWriter(path, sample_rate=TRACK_SAMPLE_RATE) as writer:
        start, end = writer.write(tone(1.0, 22_050), 22_050)
    assert (start, end) == (0.0, 1.0)
    stored, _ = sf.read(str(path), dtype="float32")
    assert len(stored) == TRACK_SAMPLE_RATE
    assert peak_frequency(stored, TRACK_SAMPLE_RATE) == pytest.approx(440.0, abs=2.0)
    assert np.sqrt(np.mean(stored[1000:-1000] ** 2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)


@pytest.mark.parametrize(("source", "target"), [(22_050, 24_000), (48_000, 24_000), (16_000, 24_000), (24_000, 44_100)])
def test_resample_length_frequency_and_level(source: int, target: int) -> None:
    samples = tone(0.77, source, frequency=1000.0)
    out = resample(samples, source, target)
    assert len(out) == round(len(samples) * target / source)
    assert out.dtype == np.float32
    assert peak_frequency(out, target) == pytest.approx(1000.0, abs=3.0)
    assert np.sqrt(np.mean(out[200:-200] ** 2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)


def test_resampling_down_removes_what_the_new_rate_cannot_hold() -> None:
    above_new_nyquist = tone(1.0, 48_000, frequency=15_000.0)
    out = resample(above_new_nyquist, 48_000, 24_000)
    assert np.sqrt(np.mean(out[500:-500] ** 2)) < 1e-3  # no alias at 9 kHz


def test_file_appears_only_when_closed(tmp_path: Path) -> None:
    path = tmp_path / "book.wav"
    with TrackWriter(path) as writer:
        writer.write(tone(0.1, TRACK_SAMPLE_RATE), TRACK_SAMPLE_RATE)
        assert not path.exists()
    assert path.exists()
    assert leftovers(tmp_path) == []


def test_an_error_removes_the_partial_file(tmp_path: Path) -> None:
    path = tmp_path / "book.wav"
    with pytest.raises(RuntimeError, match="engine crashed"):
        with TrackWriter(path) as writer:
            writer.write(tone(0.1, TRACK_SAMPLE_RATE), TRACK_SAMPLE_RATE)
            raise RuntimeError("engine crashed")
    assert not path.exists()
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full to simulate a full disk")
def test_a_full_disk_is_an_output_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audio, "open", lambda _path, mode: open("/dev/full", mode), raising=False)
    path = tmp_path / "book.wav"
    with pytest.raises(OutputError, match="disk full") as caught:
        with TrackWriter(path) as writer:
            writer.write(tone(0.1, TRACK_SAMPLE_RATE), TRACK_SAMPLE_RATE)
    assert isinstance(caught.value.__cause__, OSError)
    assert not path.exists()
    assert leftovers(tmp_path) == []


def test_writing_outside_the_with_block_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="not open"):
        TrackWriter(tmp_path / "book.wav").write(tone(0.1, TRACK_SAMPLE_RATE), TRACK_SAMPLE_RATE)


def test_a_track_past_the_wav_size_limit_becomes_rf64(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audio, "_WAV_LIMIT_BYTES", 1000)  # stands for 4 GiB
    path = tmp_path / "long.wav"
    samples = tone(0.5, TRACK_SAMPLE_RATE)
    with TrackWriter(path) as writer:
        writer.write(samples, TRACK_SAMPLE_RATE)
    assert path.read_bytes()[:4] == b"RF64"
    assert sf.info(str(path)).frames == len(samples)
    np.testing.assert_allclose(load_audio(path, TRACK_SAMPLE_RATE), samples, atol=1e-4)


# --------------------------------------------------------------------------- encoding and reading back


@pytest.mark.parametrize("fmt", AUDIO_FORMATS)
def test_every_format_keeps_the_duration(track: Path, tmp_path: Path, fmt: str) -> None:
    out = encode_audio(track, tmp_path / f"book.{fmt}", fmt, metadata={"title": "Duration test"})
    assert out == tmp_path / f"book.{fmt}"
    assert media_duration(out) == pytest.approx(TRACK_SECONDS, abs=DURATION_TOLERANCE_S)
    assert media_duration(out, exact=True) == pytest.approx(TRACK_SECONDS, abs=DURATION_TOLERANCE_S)
    assert leftovers(tmp_path) == []


def test_m4b_keeps_chapters_tags_and_cover(track: Path, tmp_path: Path, cover_png: bytes) -> None:
    chapters = [ChapterMark("Opening; the = start", 0.0, 0.8), ChapterMark("Chapître deux \\ fin", 0.8, 2.0)]
    metadata = {"title": "A Small Book", "author": "Ada Writer", "album": "A Small Book", "genre": "Audiobook"}
    out = encode_audio(track, tmp_path / "book.m4b", "m4b", chapters=chapters, metadata=metadata, cover=cover_png)
    found = read_chapters(out)
    assert [c.title for c in found] == [c.title for c in chapters]
    for got, wanted in zip(found, chapters, strict=True):
        assert got.start == pytest.approx(wanted.start, abs=0.001)
        assert got.end == pytest.approx(wanted.end, abs=0.001)
    tags = read_metadata(out)
    assert tags["title"] == "A Small Book"
    assert tags["artist"] == "Ada Writer"
    assert has_attached_picture(out)


def has_attached_picture(path: Path) -> bool:
    return "(attached pic)" in run_ffmpeg(["-i", str(path), "-f", "ffmetadata", "-"], timeout=30).stderr


@pytest.mark.parametrize("fmt", ["mp3", "flac"])
def test_mp3_and_flac_keep_a_jpeg_cover(track: Path, tmp_path: Path, cover_png: bytes, fmt: str) -> None:
    jpeg = tmp_path / "cover.jpg"
    png = tmp_path / "cover.png"
    png.write_bytes(cover_png)
    run_ffmpeg(["-i", str(png), str(jpeg)], timeout=30)
    out = encode_audio(track, tmp_path / f"book.{fmt}", fmt, cover=jpeg.read_bytes(), metadata={"title": "Covered"})
    assert has_attached_picture(out)
    assert read_metadata(out)["title"] == "Covered"


def test_opus_ignores_a_cover_it_cannot_hold(track: Path, tmp_path: Path, cover_png: bytes) -> None:
    out = encode_audio(track, tmp_path / "book.opus", "opus", cover=cover_png)
    assert not has_attached_picture(out)


def test_mp3_keeps_chapters(track: Path, tmp_path: Path) -> None:
    chapters = [ChapterMark("One", 0.0, 1.0), ChapterMark("Two", 1.0, 2.0)]
    out = encode_audio(track, tmp_path / "book.mp3", "mp3", chapters=chapters, metadata={"title": "T"})
    assert [(c.title, round(c.start, 3), round(c.end, 3)) for c in read_chapters(out)] == [
        ("One", 0.0, 1.0),
        ("Two", 1.0, 2.0),
    ]


def test_lossless_output_decodes_to_the_same_samples(track: Path, tmp_path: Path) -> None:
    out = encode_audio(track, tmp_path / "book.flac", "flac")
    original, _ = sf.read(str(track), dtype="float32")
    np.testing.assert_allclose(load_audio(out, TRACK_SAMPLE_RATE), original, atol=1e-4)
    assert len(load_audio(out, 16_000)) == pytest.approx(TRACK_SECONDS * 16_000, abs=2)


def test_a_file_without_chapters_has_none(track: Path) -> None:
    assert read_chapters(track) == []


def test_unknown_format_lists_the_good_ones(track: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="wav, mp3, flac, opus, m4b"):
        encode_audio(track, tmp_path / "book.aiff", "aiff")


def test_a_cover_must_be_an_image(track: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="JPEG or PNG"):
        encode_audio(track, tmp_path / "book.m4b", "m4b", cover=b"not an image")


def test_chapters_out_of_order_are_refused(track: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="in order"):
        encode_audio(track, tmp_path / "b.m4b", "m4b", chapters=[ChapterMark("B", 1, 2), ChapterMark("A", 0, 1)])


def test_a_broken_input_is_a_media_error_and_leaves_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF this is not audio")
    with pytest.raises(MediaError):
        encode_audio(broken, tmp_path / "book.mp3", "mp3")
    assert not (tmp_path / "book.mp3").exists()
    assert leftovers(tmp_path) == []


def test_a_missing_file_is_a_media_error(tmp_path: Path) -> None:
    for probe in (media_duration, read_chapters, load_audio):
        with pytest.raises(MediaError, match="does not exist"):
            probe(tmp_path / "missing.wav")


def test_chapter_marks_reject_impossible_spans() -> None:
    with pytest.raises(ValueError):
        ChapterMark("Backwards", 2.0, 1.0)
