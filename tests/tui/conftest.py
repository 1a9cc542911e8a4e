"""Fixtures for the Pilot tests: apps over a store-level world or the real engine."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from engine.cluster import Cluster
from tests.tui.fixtures import store_cluster
from tui.app import PlaygroundApp
from tui.screens.main import MainScreen

Sync = Callable[[Pilot[None]], Awaitable[None]]


async def sync_view(pilot: Pilot[None]) -> None:
    """Let the bridge deliver every pending store change and the screen render it."""
    app = pilot.app
    for _ in range(100):
        await pilot.pause()
        screen = app.screen_stack[1] if len(app.screen_stack) > 1 else app.screen
        if isinstance(screen, MainScreen) and screen.bridge.idle:
            break
    await pilot.pause()


@pytest.fixture
def sync() -> Sync:
    """:func:`sync_view` as a fixture."""
    return sync_view


@pytest.fixture
def world() -> Cluster:
    """The seed's world written into the store (no controllers needed), 75 s old."""
    cluster = store_cluster(3)
    cluster.advance(75)
    return cluster


@pytest.fixture
def app(world: Cluster) -> PlaygroundApp:
    """The app over :func:`world`."""
    return PlaygroundApp(world, dns_address="127.0.0.1:5353")
