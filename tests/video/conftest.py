"""Fixtures for the cloud video clients: providers pointed at the fake cloud (tests/conftest.py) with
short timeouts and a sleep that records the waits instead of sleeping."""

from __future__ import annotations

import pytest

from voxweave.video.http import RetryPolicy, Timeouts
from voxweave.video.wan import WanProvider
from voxweave.video.zai import ZaiProvider

#: Generous enough that a loaded machine never times out by accident.
TEST_TIMEOUTS = Timeouts(connect=2.0, read=2.0)
#: For the tests of slow answers: the fake is told to wait longer than this.
IMPATIENT = Timeouts(connect=2.0, read=0.3)


class Waits(list):
    """A sleep function that records each wait the retry policy computed, and does not sleep."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
def zai(fake, waits, monkeypatch) -> ZaiProvider:
    monkeypatch.delenv("ZAI_API_KEY", raising=False)
    monkeypatch.delenv("ZAI_BASE_URL", raising=False)
    provider = ZaiProvider(
        api_key=fake.api_key, base_url=fake.base_url_zai, timeouts=TEST_TIMEOUTS, retry=RetryPolicy(), sleep=waits
    )
    yield provider
    provider.close()


@pytest.fixture
def wan(fake, waits) -> WanProvider:
    provider = WanProvider(api_key=fake.api_key, base_url=fake.base_url_wan, timeouts=TEST_TIMEOUTS, sleep=waits)
    yield provider
    provider.close()


@pytest.fixture
def poll_interval() -> float:
    """Poll interval used in tests (the product default stays 1 s)."""
    return 0.02


@pytest.fixture
def impatient_zai(fake, waits) -> ZaiProvider:
    """A Z.AI provider with a 0.3 s read timeout, for answers the fake delays by 1 s."""
    provider = ZaiProvider(api_key=fake.api_key, base_url=fake.base_url_zai, timeouts=IMPATIENT, sleep=waits)
    yield provider
    provider.close()
