"""Field schemas of apps/v1 (k8s.io/api ``apps/v1/types.go``) and the kind → schema table."""

from __future__ import annotations

from engine.schema.core import CORE_SCHEMAS, LABEL_SELECTOR, POD_TEMPLATE, PVC, Schema, top
from engine.schema.types import BOOL, INT, INTSTR, STR

STATEFULSET_SPEC: Schema = {
    "replicas": INT, "selector": LABEL_SELECTOR, "template": POD_TEMPLATE,
    "volumeClaimTemplates": [PVC], "serviceName": STR, "podManagementPolicy": STR,
    "updateStrategy": {
        "type": STR, "rollingUpdate": {"partition": INT, "maxUnavailable": INTSTR},
    },
    "revisionHistoryLimit": INT, "minReadySeconds": INT,
    "persistentVolumeClaimRetentionPolicy": {"whenDeleted": STR, "whenScaled": STR},
    "ordinals": {"start": INT},
}  # fmt: skip

DEPLOYMENT_SPEC: Schema = {
    "replicas": INT, "selector": LABEL_SELECTOR, "template": POD_TEMPLATE,
    "strategy": {
        "type": STR, "rollingUpdate": {"maxUnavailable": INTSTR, "maxSurge": INTSTR},
    },
    "minReadySeconds": INT, "revisionHistoryLimit": INT, "paused": BOOL,
    "progressDeadlineSeconds": INT,
}  # fmt: skip

REPLICASET_SPEC: Schema = {
    "replicas": INT, "minReadySeconds": INT, "selector": LABEL_SELECTOR,
    "template": POD_TEMPLATE,
}  # fmt: skip

#: kind → schema of the whole object, for the kinds manifests may contain.
SCHEMAS: dict[str, Schema] = {
    **CORE_SCHEMAS,
    "StatefulSet": top(STATEFULSET_SPEC),
    "Deployment": top(DEPLOYMENT_SPEC),
    "ReplicaSet": top(REPLICASET_SPEC),
}
