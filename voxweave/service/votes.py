"""Blind A/B choices between voices, and the leaderboard they add up to (SQLite beside the jobs)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from voxweave.sqlite_file import SqliteFile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS votes (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    voice_a TEXT NOT NULL,
    voice_b TEXT NOT NULL,
    winner TEXT NOT NULL,
    passage TEXT NOT NULL,
    created REAL NOT NULL,
    CHECK (winner = voice_a OR winner = voice_b)
)
"""


@dataclass(frozen=True)
class Standing:
    voice: str
    wins: int
    comparisons: int

    @property
    def win_rate(self) -> float:
        return self.wins / self.comparisons if self.comparisons else 0.0


class VoteStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._file = SqliteFile(self.path, _SCHEMA)

    def record(self, username: str, voice_a: str, voice_b: str, winner: str, passage: str) -> None:
        if voice_a == voice_b:
            raise ValueError("a comparison needs two different voices")
        if winner not in (voice_a, voice_b):
            raise ValueError(f"the winner must be {voice_a} or {voice_b}")
        with self._file.connect() as db:
            db.execute("INSERT INTO votes (username, voice_a, voice_b, winner, passage, created) VALUES (?, ?, ?, ?, ?, ?)",
                       (username, voice_a, voice_b, winner, passage[:500], time.time()))

    def leaderboard(self, username: str | None = None) -> list[Standing]:
        """Every voice compared, best win rate first (then most wins); one user's choices or everyone's."""
        where, args = ("WHERE username = ?", [username]) if username else ("", [])
        with self._file.connect() as db:
            rows = db.execute(f"""
                SELECT voice, SUM(won), COUNT(*) FROM (
                    SELECT voice_a AS voice, winner = voice_a AS won FROM votes {where}
                    UNION ALL
                    SELECT voice_b AS voice, winner = voice_b AS won FROM votes {where}
                ) GROUP BY voice""", args * 2).fetchall()
        standings = [Standing(voice, int(wins), int(count)) for voice, wins, count in rows]
        return sorted(standings, key=lambda s: (-s.win_rate, -s.wins, s.voice))

    def count(self, username: str | None = None) -> int:
        with self._file.connect() as db:
            if username:
                return db.execute("SELECT COUNT(*) FROM votes WHERE username = ?", (username,)).fetchone()[0]
            return db.execute("SELECT COUNT(*) FROM votes").fetchone()[0]
