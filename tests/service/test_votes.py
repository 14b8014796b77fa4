"""Blind A/B choices: what is recorded, what is refused, and the leaderboard they make."""

from __future__ import annotations

import pytest

from voxweave.service.votes import Standing, VoteStore

A, B, C = "kokoro-onnx:af_heart", "kokoro-onnx:jm_kumo", "piper:en_US-amy"


@pytest.fixture
def votes(tmp_path) -> VoteStore:
    return VoteStore(tmp_path / "data" / "votes.db")


def table(standings: list[Standing]) -> list[tuple[str, int, int]]:
    return [(s.voice, s.wins, s.comparisons) for s in standings]


def test_the_leaderboard_orders_voices_by_win_rate_then_wins(votes):
    votes.record("ana", A, B, A, "passage one")  # A 1/1, B 0/1
    votes.record("ana", A, C, C, "passage two")  # A 1/2, C 1/1
    votes.record("ben", B, C, B, "passage three")  # B 1/2, C 1/2
    votes.record("ben", C, A, C, "passage four")  # C 2/3, A 1/3
    board = votes.leaderboard()
    assert table(board) == [(C, 2, 3), (B, 1, 2), (A, 1, 3)]
    assert [round(s.win_rate, 3) for s in board] == [0.667, 0.5, 0.333]
    assert votes.count() == 4


def test_equal_rates_go_to_the_voice_with_more_wins(votes):
    votes.record("ana", A, B, A, "p")  # A 1/1
    votes.record("ana", C, B, C, "p")
    votes.record("ana", C, B, C, "p")  # C 2/2
    assert [s.voice for s in votes.leaderboard()] == [C, A, B]


def test_one_users_leaderboard_counts_only_their_choices(votes):
    votes.record("ana", A, B, A, "p")
    votes.record("ben", A, B, B, "p")
    votes.record("ben", A, B, B, "p")
    assert table(votes.leaderboard("ana")) == [(A, 1, 1), (B, 0, 1)]
    assert table(votes.leaderboard("ben")) == [(B, 2, 2), (A, 0, 2)]
    assert table(votes.leaderboard()) == [(B, 2, 3), (A, 1, 3)]
    assert (votes.count("ana"), votes.count("ben"), votes.count("nobody")) == (1, 2, 0)
    assert votes.leaderboard("nobody") == []


def test_a_comparison_needs_two_voices_and_a_winner_among_them(votes):
    with pytest.raises(ValueError, match="two different voices"):
        votes.record("ana", A, A, A, "p")
    with pytest.raises(ValueError, match="winner"):
        votes.record("ana", A, B, C, "p")
    assert votes.count() == 0 and votes.leaderboard() == []


def test_votes_outlive_the_store_that_took_them(tmp_path):
    path = tmp_path / "votes.db"
    VoteStore(path).record("ana", A, B, B, "a passage " * 100)
    reopened = VoteStore(path)
    assert table(reopened.leaderboard()) == [(B, 1, 1), (A, 0, 1)]
    reopened.record("ana", A, B, A, "again")
    assert VoteStore(path).count("ana") == 2


def test_a_standing_without_comparisons_has_no_win_rate():
    assert Standing("x", 0, 0).win_rate == 0.0
