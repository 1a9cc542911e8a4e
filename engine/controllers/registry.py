"""The controllers a cluster runs, in the order the runner visits their queues."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.controllers.base import Controller
from engine.controllers.deployment import DeploymentController
from engine.controllers.endpoints import EndpointsController, EndpointSliceController
from engine.controllers.gc import GarbageCollector
from engine.controllers.kubelet import Kubelet
from engine.controllers.nodes import NodeLifecycleController
from engine.controllers.replicaset import ReplicaSetController
from engine.controllers.scheduler import Scheduler
from engine.controllers.statefulset.controller import StatefulSetController
from engine.controllers.volumes import PVCProtectionController, VolumeController

if TYPE_CHECKING:
    from engine.cluster import Cluster

CONTROLLERS: list[Callable[[Cluster], Controller]] = [
    StatefulSetController,
    DeploymentController,
    ReplicaSetController,
    VolumeController,
    PVCProtectionController,
    Scheduler,
    Kubelet,
    NodeLifecycleController,
    EndpointsController,
    EndpointSliceController,
    GarbageCollector,
]
