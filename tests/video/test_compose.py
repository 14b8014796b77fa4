"""Local composition with the real ffmpeg: lengths, burned and soft subtitles, clips, formats, progress.

Narrations are 2-4 s tones made here, pictures are small: the whole file runs in well under a minute.
Nothing uses ffprobe: lengths are measured by decoding, frames by extracting PNGs.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pysubs2
import pytest
import soundfile
from PIL import Image

from voxweave.errors import MediaError
from voxweave.ffmpeg import ffmpeg_binary
from voxweave.video import captions, compose
from voxweave.video.compose import (
    Background,
    ClipSpan,
    CompositionSpec,
    compose_video,
    escape_filter_value,
    iter_compose,
    render_background,
    still_frame_times,
)
from voxweave.video.progress import decoded_duration, iter_ffmpeg_progress

pytestmark = pytest.mark.slow

RATE = 24_000
SMALL = (320, 180)
MEDIUM = (640, 360)
#: Cues of the subtitle file used below: (start, end, text).
CUES = ((0.5, 1.5, "The keeper climbed the stairs."), (2.0, 2.6, "The lamp flickered twice."))


# --- helpers ---------------------------------------------------------------------------------------


def make_tone(path: Path, seconds: float, rate: int = RATE) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    soundfile.write(path, (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), rate)
    return path


def make_srt(path: Path, cues=CUES) -> Path:
    def stamp(x: float) -> str:
        ms = round(x * 1000)
        return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    blocks = [f"{i}\n{stamp(a)} --> {stamp(b)}\n{text}\n" for i, (a, b, text) in enumerate(cues, 1)]
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


def ffmpeg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ffmpeg_binary(), "-hide_banner", "-nostdin", "-y", *args],
                          capture_output=True, text=True, timeout=60, check=False)


def audio_seconds(video: Path, tmp_path: Path) -> float:
    """Length of the audio track, by decoding it to WAV and counting samples."""
    wav = tmp_path / f"{video.stem}-audio.wav"
    assert ffmpeg("-i", str(video), "-map", "0:a:0", str(wav)).returncode == 0
    info = soundfile.info(str(wav))
    return info.frames / info.samplerate


def video_seconds(video: Path) -> float:
    """Where the video track ends: the last decoded frame's time plus its duration."""
    err = ffmpeg("-i", str(video), "-map", "0:v:0", "-fps_mode", "passthrough", "-vf", "showinfo",
                 "-f", "null", "-").stderr
    frames = re.findall(r"pts_time:([\d.]+)\s+duration:\s*\d+\s+duration_time:([\d.]+)", err)
    assert frames, err[-2000:]
    start, length = frames[-1]
    return float(start) + float(length)


def frame_at(video: Path, seconds: float, tmp_path: Path) -> np.ndarray:
    """The picture shown at `seconds` (grey levels): the fps filter repeats sparse frames onto a grid."""
    png = tmp_path / f"{video.stem}-{seconds:.2f}.png"
    done = ffmpeg("-i", str(video), "-ss", f"{seconds:.3f}", "-vf", "fps=50", "-frames:v", "1", str(png))
    assert done.returncode == 0, done.stderr[-2000:]
    return np.asarray(Image.open(png).convert("L"))


def bright_in_lower_third(picture: np.ndarray) -> int:
    return int((picture[picture.shape[0] * 2 // 3:] > 200).sum())


def streams(video: Path) -> str:
    return "\n".join(line for line in ffmpeg("-i", str(video)).stderr.splitlines() if "Stream #" in line)


def make_clip(path: Path, color: str, seconds: float, size=(160, 90)) -> Path:
    """A solid-colour clip with a sound track of its own (which the composer must drop)."""
    done = ffmpeg("-f", "lavfi", "-i", f"color=c={color}:s={size[0]}x{size[1]}:r=30:d={seconds}",
                  "-f", "lavfi", "-i", f"sine=f=880:d={seconds}", "-c:v", "libx264", "-preset", "ultrafast",
                  "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path))
    assert done.returncode == 0, done.stderr[-2000:]
    return path


@pytest.fixture
def narration(tmp_path: Path) -> Path:
    return make_tone(tmp_path / "narration.wav", 3.0)


@pytest.fixture
def srt(tmp_path: Path) -> Path:
    return make_srt(tmp_path / "narration.srt")


# --- burned subtitles ------------------------------------------------------------------------------


def test_burned_subtitles_are_visible_exactly_while_a_cue_is_on(narration, srt, tmp_path):
    out = tmp_path / "burned.mp4"
    result = compose_video(CompositionSpec(narration, srt, resolution=MEDIUM), out)

    assert result.subtitles_burned and result.notes == ()
    assert result.sidecar == tmp_path / "burned.srt" and result.sidecar.read_text() == srt.read_text()
    lit = {t: bright_in_lower_third(frame_at(out, t, tmp_path)) for t in (0.3, 0.55, 1.0, 1.45, 1.6, 1.9, 2.3, 2.8)}
    assert all(lit[t] > 150 for t in (0.55, 1.0, 1.45, 2.3)), lit
    assert all(lit[t] == 0 for t in (0.3, 1.6, 1.9, 2.8)), lit


def test_paths_with_filter_syntax_characters_are_escaped(narration, srt, tmp_path):
    folder = tmp_path / "we'ird: [dir], a;b \\ c"
    out = folder / "it's.mp4"
    result = compose_video(CompositionSpec(narration, srt, resolution=SMALL), out)

    assert result.subtitles_burned and out.is_file()
    assert bright_in_lower_third(frame_at(out, 1.0, tmp_path)) > 10
    assert [p.name for p in folder.iterdir()] != [] and not any(p.name.startswith(".") for p in folder.iterdir())


def test_escape_filter_value_quotes_both_levels():
    assert escape_filter_value("/a/b.ass") == "\\'/a/b.ass\\'"
    assert escape_filter_value("x'y,[z];") == "\\'x\\'\\\\\\'\\'y\\,\\[z\\]\\;\\'"


def test_a_failing_burn_still_makes_the_video_with_a_sidecar_and_a_note(narration, srt, tmp_path, monkeypatch):
    monkeypatch.setattr(captions, "escape_filter_value", lambda value: value + ":no_such_option=1")
    out = tmp_path / "fallback.mp4"
    result = compose_video(CompositionSpec(narration, srt, resolution=SMALL), out)

    assert not result.subtitles_burned
    assert result.sidecar is not None and result.sidecar.read_text() == srt.read_text()
    assert any("Burning the subtitles failed" in note for note in result.notes), result.notes
    assert abs(audio_seconds(out, tmp_path) - 3.0) < 0.1
    assert bright_in_lower_third(frame_at(out, 1.0, tmp_path)) == 0
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no partial file, no work folder


def test_unreadable_subtitles_give_a_video_without_them_and_a_note(narration, tmp_path):
    junk = tmp_path / "junk.srt"
    junk.write_bytes(b"\xff\xfe\x00garbage\x00" * 20)
    result = compose_video(CompositionSpec(narration, junk, resolution=SMALL), tmp_path / "junk-out.mp4")

    assert not result.subtitles_burned and result.notes
    assert result.sidecar == tmp_path / "junk-out.srt"
    assert abs(audio_seconds(result.path, tmp_path) - 3.0) < 0.1


# --- lengths, soft subtitles, formats --------------------------------------------------------------


def test_video_and_audio_last_as_long_as_the_narration(tmp_path, srt):
    narration = make_tone(tmp_path / "odd.wav", 2.77, rate=22_050)
    out = tmp_path / "length.mp4"
    compose_video(CompositionSpec(narration, srt, resolution=SMALL), out)

    assert abs(audio_seconds(out, tmp_path) - 2.77) < 0.1
    assert abs(video_seconds(out) - 2.77) < 0.1


@pytest.mark.parametrize("suffix", [".m4a", ".mp3", ".ogg"])
def test_compressed_narrations_keep_their_length(tmp_path, suffix):
    wav = make_tone(tmp_path / "n.wav", 2.5)
    narration = tmp_path / f"n{suffix}"
    assert ffmpeg("-i", str(wav), str(narration)).returncode == 0
    out = tmp_path / f"from{suffix[1:]}.mp4"
    compose_video(CompositionSpec(narration, resolution=SMALL), out)

    assert "Audio: aac" in streams(out)  # an m4a's AAC is copied, the others encoded
    assert abs(audio_seconds(out, tmp_path) - 2.5) < 0.1 and abs(video_seconds(out) - 2.5) < 0.1


def test_soft_subtitles_are_a_track_in_mp4(narration, srt, tmp_path):
    out = tmp_path / "soft.mp4"
    result = compose_video(CompositionSpec(narration, srt, burn_subtitles=False, resolution=SMALL), out)

    assert not result.subtitles_burned and result.sidecar == tmp_path / "soft.srt"
    assert re.search(r"Subtitle: mov_text", streams(out)), streams(out)
    assert bright_in_lower_third(frame_at(out, 1.0, tmp_path)) == 0


@pytest.mark.parametrize(("suffix", "video", "audio", "subtitle"), [
    (".webm", "vp9", "opus", "webvtt"),
    (".mov", "h264", "aac", "mov_text"),
])
def test_webm_and_mov_outputs(narration, srt, tmp_path, suffix, video, audio, subtitle):
    out = tmp_path / f"soft{suffix}"
    compose_video(CompositionSpec(narration, srt, burn_subtitles=False, resolution=SMALL), out)

    listing = streams(out)
    assert f"Video: {video}" in listing and f"Audio: {audio}" in listing and f"Subtitle: {subtitle}" in listing
    assert abs(audio_seconds(out, tmp_path) - 3.0) < 0.1
    assert abs(video_seconds(out) - 3.0) < 0.1


def test_burned_webm_shows_the_cue(narration, srt, tmp_path):
    out = tmp_path / "burned.webm"
    result = compose_video(CompositionSpec(narration, srt, resolution=SMALL), out)

    assert result.subtitles_burned
    assert bright_in_lower_third(frame_at(out, 1.0, tmp_path)) > 10
    assert bright_in_lower_third(frame_at(out, 1.8, tmp_path)) == 0


# --- clips -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fill", ["loop", "hold"])
def test_clips_are_looped_or_held_and_trimmed_to_their_scenes(tmp_path, fill):
    narration = make_tone(tmp_path / "n.wav", 3.5)
    red = make_clip(tmp_path / "red.mp4", "red", 1.0)  # shorter than its 2 s scene: looped or held
    blue = make_clip(tmp_path / "blue.mp4", "blue", 3.0)  # longer than its 1.5 s scene: trimmed
    spec = CompositionSpec(narration, clips=(ClipSpan(red, 0.0, 2.0), ClipSpan(blue, 2.0, 3.5)),
                           clip_fill=fill, resolution=SMALL)
    out = tmp_path / f"clips-{fill}.mp4"
    compose_video(spec, out)

    assert abs(video_seconds(out) - 3.5) < 0.1 and abs(audio_seconds(out, tmp_path) - 3.5) < 0.1
    listing = streams(out)
    assert listing.count("Audio:") == 1 and "Subtitle" not in listing
    for t, colour in ((0.5, "red"), (1.5, "red"), (1.9, "red"), (2.1, "blue"), (3.4, "blue")):
        png = tmp_path / f"c{t}.png"
        assert ffmpeg("-i", str(out), "-ss", str(t), "-frames:v", "1", str(png)).returncode == 0
        r, g, b = np.asarray(Image.open(png).convert("RGB")).reshape(-1, 3).mean(axis=0)
        assert (r > 150 and b < 80) if colour == "red" else (b > 150 and r < 80), (t, r, g, b)


# --- backgrounds and waveform ----------------------------------------------------------------------


def test_backgrounds_fill_the_frame(tmp_path):
    gradient = render_background(Background("#000000", gradient_to="#ffffff"), SMALL, tmp_path / "g.png")
    picture = np.asarray(Image.open(gradient))
    assert picture.shape == (180, 320, 3) and picture[0].max() < 5 and picture[-1].min() > 250

    cover = tmp_path / "cover.png"
    Image.new("RGB", (100, 300), "red").save(cover)  # a portrait cover on a landscape video
    contained_png = render_background(Background(image=cover.read_bytes()), SMALL, tmp_path / "c.png")
    contained = np.asarray(Image.open(contained_png))
    assert contained.shape == (180, 320, 3)
    assert tuple(contained[90, 160]) == (255, 0, 0) and contained[90, 5, 0] < 200  # whole cover, dimmed sides
    covered = np.asarray(Image.open(render_background(Background(image=cover, fit="cover"), SMALL, tmp_path / "f.png")))
    assert (covered[..., 0] > 250).all()


def test_an_unreadable_image_is_a_media_error(tmp_path):
    with pytest.raises(MediaError, match="background image"):
        render_background(Background(image=b"not an image"), SMALL, tmp_path / "x.png")


def test_waveform_moves_with_the_narration(tmp_path, narration):
    out = tmp_path / "wave.mp4"
    compose_video(CompositionSpec(narration, waveform=True, resolution=SMALL), out)

    band = frame_at(out, 1.0, tmp_path)[108:144]
    assert (band > 150).sum() > 50
    assert abs(video_seconds(out) - 3.0) < 0.1 and abs(audio_seconds(out, tmp_path) - 3.0) < 0.1


def test_a_4k_still_video(tmp_path, srt):
    out = tmp_path / "uhd.mp4"
    compose_video(CompositionSpec(make_tone(tmp_path / "one.wav", 1.0), srt, resolution="4k"), out)
    assert "3840x2160" in streams(out) and "bt709" in streams(out)


def test_presets_and_formats_are_checked():
    assert CompositionSpec(Path("n.wav"), resolution="1080p").size == (1920, 1080)
    assert CompositionSpec(Path("n.wav"), resolution="4K").size == (3840, 2160)
    assert CompositionSpec(Path("n.wav"), resolution="320x180").size == (320, 180)
    with pytest.raises(ValueError, match="resolution"):
        CompositionSpec(Path("n.wav"), resolution="8k").size
    with pytest.raises(ValueError, match="even"):
        CompositionSpec(Path("n.wav"), resolution="321x180").size
    with pytest.raises(ValueError, match="format"):
        compose.output_format(CompositionSpec(Path("n.wav")), Path("x.avi"))


def test_still_frames_land_on_changes_and_are_never_far_apart():
    times = still_frame_times([0.5, 1.5, 2.0, 2.6], 3.0)
    assert times[0] == 0.0 and times[-1] == 2.999
    assert {0.501, 1.501, 2.001, 2.601} <= set(times)
    assert all(0 < b - a <= 1.0 for a, b in zip(times, times[1:]))


# --- progress --------------------------------------------------------------------------------------


def test_progress_is_monotonic_and_ends_at_one(narration, srt, tmp_path):
    events = list(iter_compose(CompositionSpec(narration, srt, resolution=SMALL), tmp_path / "p.mp4"))

    fractions = [e.fraction for e in events]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and all(0 <= f <= 1 for f in fractions)
    assert events[-1].stage == "done" and events[-1].result is not None
    assert all(e.result is None for e in events[:-1])


def test_closing_a_composition_early_leaves_nothing_behind(tmp_path):
    narration = make_tone(tmp_path / "long.wav", 60.0)
    out = tmp_path / "video" / "long.mp4"
    events = iter_compose(CompositionSpec(narration, resolution=MEDIUM, still_fps=25), out)
    stages = [next(events).stage, next(events).stage]
    events.close()

    assert stages == ["prepare", "encode"]
    assert list((tmp_path / "video").iterdir()) == []  # no video, no partial file, no work folder


def test_animated_ass_subtitles_are_detected(tmp_path):
    karaoke = pysubs2.SSAFile()
    karaoke.events.append(pysubs2.SSAEvent(start=500, end=1500, text="{\\k40}The {\\k60}keeper"))
    ass = tmp_path / "karaoke.ass"
    karaoke.save(str(ass))
    notes: list[str] = []
    prepared = compose.prepare_subtitles(CompositionSpec(Path("n.wav"), ass), tmp_path, SMALL, notes)
    assert prepared is not None and prepared.animated and prepared.changes == (0.5, 1.5) and notes == []
    srt_spec = CompositionSpec(Path("n.wav"), make_srt(tmp_path / "p.srt"))
    plain = compose.prepare_subtitles(srt_spec, tmp_path, SMALL, notes)
    assert plain is not None and not plain.animated and plain.changes == (0.5, 1.5, 2.0, 2.6)


def _long_render(out: Path) -> list[str]:
    return ["-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=600", "-c:v", "libx264", "-preset", "medium", str(out)]


def test_closing_the_progress_early_stops_ffmpeg_and_removes_the_output(tmp_path):
    out = tmp_path / "long.mp4"
    events = iter_ffmpeg_progress(_long_render(out), 600.0, output=out)
    first = next(events)
    events.close()

    assert 0.0 <= first.fraction < 0.5 and not out.exists()


def test_a_timeout_kills_ffmpeg(tmp_path):
    out = tmp_path / "slow.mp4"
    with pytest.raises(MediaError, match="did not finish within"):
        list(iter_ffmpeg_progress(_long_render(out), 600.0, timeout=1.0, output=out))
    assert not out.exists()


def test_an_ffmpeg_failure_quotes_its_stderr(tmp_path):
    with pytest.raises(MediaError, match="missing.wav"):
        list(iter_ffmpeg_progress(["-i", str(tmp_path / "missing.wav"), "-f", "null", "-"], 1.0))


def test_decoded_duration_measures_without_ffprobe(tmp_path):
    assert abs(decoded_duration(make_tone(tmp_path / "d.wav", 1.25)) - 1.25) < 0.01
