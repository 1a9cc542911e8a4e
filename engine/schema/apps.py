"""Field schemas of apps/v1 (k8s.io/api ``apps/v1/types.go``) and the kind → schema table."""

from __future__ import annotations

from engine.schema.core import CORE_SCHEMAS, LABEL_SELECTOR, POD_TEMPLATE, PVC, Schema, top
from engine.schema.types import BOOL, INTSTR, STR, Int32

_STS = Int32("StatefulSetSpec")
STATEFULSET_SPEC: Schema = {
    "replicas": _STS, "selector": LABEL_SELECTOR, "template": POD_TEMPLATE,
    "volumeClaimTemplates": [PVC], "serviceName": STR, "podManagementPolicy": STR,
    "updateStrategy": {
        "type": STR,
        "rollingUpdate": {
            "partition": Int32("RollingUpdateStatefulSetStrategy"), "maxUnavailable": INTSTR,
        },
    },
    "revisionHistoryLimit": _STS, "minReadySeconds": _STS,
    "persistentVolumeClaimRetentionPolicy": {"whenDeleted": STR, "whenScaled": STR},
    "ordinals": {"start": Int32("StatefulSetOrdinals")},
}  # fmt: skip

_DEPLOY = Int32("DeploymentSpec")
DEPLOYMENT_SPEC: Schema = {
    "replicas": _DEPLOY, "selector": LABEL_SELECTOR, "template": POD_TEMPLATE,
    "strategy": {
        "type": STR, "rollingUpdate": {"maxUnavailable": INTSTR, "maxSurge": INTSTR},
    },
    "minReadySeconds": _DEPLOY, "revisionHistoryLimit": _DEPLOY, "paused": BOOL,
    "progressDeadlineSeconds": _DEPLOY,
}  # fmt: skip

_RS = Int32("ReplicaSetSpec")
REPLICASET_SPEC: Schema = {
    "replicas": _RS, "minReadySeconds": _RS, "selector": LABEL_SELECTOR,
    "template": POD_TEMPLATE,
}  # fmt: skip

#: kind → schema of the whole object, for the kinds manifests may contain.
SCHEMAS: dict[str, Schema] = {
    **CORE_SCHEMAS,
    "StatefulSet": top(STATEFULSET_SPEC),
    "Deployment": top(DEPLOYMENT_SPEC),
    "ReplicaSet": top(REPLICASET_SPEC),
}
