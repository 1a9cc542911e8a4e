"""Endpoints and EndpointSlice controllers (placeholder: filled in by its owner)."""

from __future__ import annotations

from engine.controllers.base import Controller


class EndpointsController(Controller):
    """Endpoints controller."""

    name = "endpoint-controller"

    def sync(self, key: str) -> None:
        """Reconcile ``key``."""


class EndpointSliceController(Controller):
    """EndpointSlice controller."""

    name = "endpointslice-controller"

    def sync(self, key: str) -> None:
        """Reconcile ``key``."""
