"""The still picture behind a video: a solid colour, a vertical gradient, or a picture, maybe a caption.

Rendered once per video with Pillow, at exactly the output size; burned text uses the font shipped in
voxweave/data, never a system font.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, ImageColor, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps

from voxweave.errors import MediaError

#: The font shipped in voxweave/data (DejaVu Sans); burned text never depends on system fonts.
FONTS_DIR = Path(__file__).resolve().parents[1] / "data"
FONT_FILE = FONTS_DIR / "DejaVuSans.ttf"
FONT_NAME = "DejaVu Sans"

Fit = Literal["contain", "cover"]


@dataclass(frozen=True)
class Background:
    """A solid colour, a vertical gradient (`color` at the top to `gradient_to`), or a picture.

    `image` is a path or the file's bytes (a book cover, an upload); `fit="contain"` shows all of it
    over a blurred copy of itself, `fit="cover"` fills the frame and crops. `caption`, if any, is
    drawn in the middle of a background without a picture (the title of the book).
    """

    color: str = "#101820"
    gradient_to: str | None = None
    image: Path | bytes | None = None
    fit: Fit = "contain"
    caption: str | None = None


def render_background(background: Background, size: tuple[int, int], path: Path) -> Path:
    """Write the still background as a PNG of exactly `size`."""
    background_image(background, size).save(path, format="PNG", compress_level=1)
    return path


def background_image(background: Background, size: tuple[int, int]) -> Image.Image:
    """The still background as an RGB picture of exactly `size`."""
    base = parse_color(background.color)
    if background.image is not None:
        picture = _fit(_open_image(background.image, base), size, background.fit)
    elif background.gradient_to:
        picture = _gradient(base, parse_color(background.gradient_to), size)
    else:
        picture = Image.new("RGB", size, base)
    if background.caption and background.image is None:
        _draw_caption(picture, background.caption)
    return picture


def parse_color(color: str) -> tuple[int, int, int]:
    """(r, g, b) of a colour name or #rrggbb; ValueError says what is wrong."""
    try:
        return ImageColor.getrgb(color)[:3]
    except (ValueError, AttributeError) as e:
        raise ValueError(f"not a colour: {color!r} (use a name or #rrggbb)") from e


def is_picture(source: Path | bytes) -> bool:
    """Whether `source` is a picture this can read (checked without decoding all of it)."""
    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else Path(source)) as picture:
            picture.verify()
    except (OSError, ValueError, Image.DecompressionBombError):
        return False
    return True


def _open_image(source: Path | bytes, backdrop: tuple[int, int, int]) -> Image.Image:
    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else Path(source)) as raw:
            picture = ImageOps.exif_transpose(raw)
            picture.load()
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        raise MediaError(f"cannot read the background image: {e}") from e
    if picture.mode in ("RGBA", "LA", "P"):
        flat = Image.new("RGB", picture.size, backdrop)
        flat.paste(picture.convert("RGBA"), mask=picture.convert("RGBA").getchannel("A"))
        return flat
    return picture.convert("RGB")


def _fit(picture: Image.Image, size: tuple[int, int], fit: Fit) -> Image.Image:
    if fit == "cover":
        return ImageOps.fit(picture, size, Image.Resampling.LANCZOS)
    width, height = size
    small = ImageOps.fit(picture, (max(1, width // 16), max(1, height // 16)), Image.Resampling.BILINEAR)
    backdrop = ImageEnhance.Brightness(small.filter(ImageFilter.GaussianBlur(2))).enhance(0.45)
    canvas = backdrop.resize(size, Image.Resampling.BICUBIC)
    shown = ImageOps.contain(picture, size, Image.Resampling.LANCZOS)
    canvas.paste(shown, ((width - shown.width) // 2, (height - shown.height) // 2))
    return canvas


def _gradient(top: tuple[int, int, int], bottom: tuple[int, int, int], size: tuple[int, int]) -> Image.Image:
    width, height = size
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    rows = (1 - t) * np.array(top, np.float32) + t * np.array(bottom, np.float32)
    return Image.fromarray(np.repeat(rows, width, axis=1).round().astype(np.uint8), "RGB")


def _draw_caption(picture: Image.Image, caption: str) -> None:
    width, height = picture.size
    font = ImageFont.truetype(str(FONT_FILE), max(12, height // 14))
    draw = ImageDraw.Draw(picture)
    text = caption.strip()
    while text and draw.textlength(text, font=font) > width * 0.9:
        text = text[:-2].rstrip() + "…"
    draw.text((width / 2, height * 0.4), text, font=font, fill="white", anchor="mm",
              stroke_width=max(1, height // 360), stroke_fill="black")
