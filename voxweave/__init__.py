"""VoxWeave: documents in, narrated audiobooks with subtitles and videos out."""

__version__ = "0.1.0"
