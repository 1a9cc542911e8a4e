"""Field schemas of the core/v1 and storage.k8s.io/v1 types (k8s.io/api ``core/v1/types.go``).

Every field of the structs people write is listed, so a misspelt field anywhere in a pod
template is caught. Deep, rarely written subtrees (affinity, securityContext, lifecycle
handlers, CSI sources…) are typed only as objects (:data:`OBJ`).
"""

from __future__ import annotations

from typing import Any

from engine.schema.types import BOOL, INT, INTSTR, JSON, OBJ, QTY, STR, MapOf

Schema = dict[str, Any]

OWNER_REFERENCE: Schema = {
    "apiVersion": STR, "kind": STR, "name": STR, "uid": STR,
    "controller": BOOL, "blockOwnerDeletion": BOOL,
}  # fmt: skip

OBJECT_META: Schema = {
    "name": STR, "generateName": STR, "namespace": STR, "selfLink": STR, "uid": STR,
    "resourceVersion": STR, "generation": INT, "creationTimestamp": JSON,
    "deletionTimestamp": STR, "deletionGracePeriodSeconds": INT,
    "labels": MapOf(STR), "annotations": MapOf(STR), "ownerReferences": [OWNER_REFERENCE],
    "finalizers": [STR], "managedFields": [OBJ],
}  # fmt: skip

LABEL_SELECTOR: Schema = {
    "matchLabels": MapOf(STR),
    "matchExpressions": [{"key": STR, "operator": STR, "values": [STR]}],
}

KEY_REF: Schema = {"name": STR, "key": STR, "optional": BOOL}
ENV_VAR: Schema = {
    "name": STR,
    "value": STR,
    "valueFrom": {
        "fieldRef": {"apiVersion": STR, "fieldPath": STR},
        "resourceFieldRef": {"containerName": STR, "resource": STR, "divisor": QTY},
        "configMapKeyRef": KEY_REF,
        "secretKeyRef": KEY_REF,
        "fileKeyRef": OBJ,
    },
}
ENV_FROM: Schema = {
    "prefix": STR,
    "configMapRef": {"name": STR, "optional": BOOL},
    "secretRef": {"name": STR, "optional": BOOL},
}
CONTAINER_PORT: Schema = {
    "name": STR, "hostPort": INT, "containerPort": INT, "protocol": STR, "hostIP": STR,
}  # fmt: skip
RESOURCES: Schema = {"limits": MapOf(QTY), "requests": MapOf(QTY), "claims": [OBJ]}
VOLUME_MOUNT: Schema = {
    "name": STR, "readOnly": BOOL, "recursiveReadOnly": STR, "mountPath": STR, "subPath": STR,
    "mountPropagation": STR, "subPathExpr": STR,
}  # fmt: skip
PROBE: Schema = {
    "exec": {"command": [STR]},
    "httpGet": {
        "path": STR, "port": INTSTR, "host": STR, "scheme": STR,
        "httpHeaders": [{"name": STR, "value": STR}],
    },
    "tcpSocket": {"port": INTSTR, "host": STR},
    "grpc": {"port": INT, "service": STR},
    "initialDelaySeconds": INT, "timeoutSeconds": INT, "periodSeconds": INT,
    "successThreshold": INT, "failureThreshold": INT, "terminationGracePeriodSeconds": INT,
}  # fmt: skip
CONTAINER: Schema = {
    "name": STR, "image": STR, "command": [STR], "args": [STR], "workingDir": STR,
    "ports": [CONTAINER_PORT], "envFrom": [ENV_FROM], "env": [ENV_VAR],
    "resources": RESOURCES, "resizePolicy": [OBJ], "restartPolicy": STR,
    "restartPolicyRules": [OBJ], "volumeMounts": [VOLUME_MOUNT], "volumeDevices": [OBJ],
    "livenessProbe": PROBE, "readinessProbe": PROBE, "startupProbe": PROBE, "lifecycle": OBJ,
    "terminationMessagePath": STR, "terminationMessagePolicy": STR, "imagePullPolicy": STR,
    "securityContext": OBJ, "stdin": BOOL, "stdinOnce": BOOL, "tty": BOOL,
}  # fmt: skip

#: The volume sources a Pod volume may name (exactly one per volume).
VOLUME_SOURCES: Schema = {
    "emptyDir": {"medium": STR, "sizeLimit": QTY},
    "hostPath": {"path": STR, "type": STR},
    "persistentVolumeClaim": {"claimName": STR, "readOnly": BOOL},
    "configMap": OBJ, "secret": OBJ, "projected": OBJ, "downwardAPI": OBJ,
    "nfs": {"server": STR, "path": STR, "readOnly": BOOL},
    "csi": OBJ, "ephemeral": OBJ, "image": OBJ, "iscsi": OBJ, "fc": OBJ, "rbd": OBJ,
    "cephfs": OBJ, "cinder": OBJ, "flexVolume": OBJ, "flocker": OBJ, "glusterfs": OBJ,
    "gitRepo": OBJ, "awsElasticBlockStore": OBJ, "gcePersistentDisk": OBJ, "azureDisk": OBJ,
    "azureFile": OBJ, "vsphereVolume": OBJ, "quobyte": OBJ, "photonPersistentDisk": OBJ,
    "portworxVolume": OBJ, "scaleIO": OBJ, "storageos": OBJ,
}  # fmt: skip
VOLUME: Schema = {"name": STR, **VOLUME_SOURCES}

TOLERATION: Schema = {
    "key": STR, "operator": STR, "value": STR, "effect": STR, "tolerationSeconds": INT,
}  # fmt: skip
POD_SPEC: Schema = {
    "volumes": [VOLUME], "initContainers": [CONTAINER], "containers": [CONTAINER],
    "ephemeralContainers": [OBJ], "restartPolicy": STR, "terminationGracePeriodSeconds": INT,
    "activeDeadlineSeconds": INT, "dnsPolicy": STR, "nodeSelector": MapOf(STR),
    "serviceAccountName": STR, "serviceAccount": STR, "automountServiceAccountToken": BOOL,
    "nodeName": STR, "hostNetwork": BOOL, "hostPID": BOOL, "hostIPC": BOOL,
    "shareProcessNamespace": BOOL, "securityContext": OBJ,
    "imagePullSecrets": [{"name": STR}], "hostname": STR, "subdomain": STR,
    "affinity": OBJ, "schedulerName": STR, "tolerations": [TOLERATION],
    "hostAliases": [{"ip": STR, "hostnames": [STR]}], "priorityClassName": STR,
    "priority": INT,
    "dnsConfig": {
        "nameservers": [STR], "searches": [STR], "options": [{"name": STR, "value": STR}],
    },
    "readinessGates": [{"conditionType": STR}], "runtimeClassName": STR,
    "enableServiceLinks": BOOL, "preemptionPolicy": STR, "overhead": MapOf(QTY),
    "topologySpreadConstraints": [OBJ], "setHostnameAsFQDN": BOOL, "os": {"name": STR},
    "hostUsers": BOOL, "schedulingGates": [{"name": STR}], "resourceClaims": [OBJ],
    "resources": RESOURCES, "hostnameOverride": STR,
}  # fmt: skip
POD_TEMPLATE: Schema = {"metadata": OBJECT_META, "spec": POD_SPEC}


def top(spec: Any = None, **extra: Any) -> Schema:
    """A top-level object: apiVersion, kind, metadata, optional spec and status."""
    schema: Schema = {"apiVersion": STR, "kind": STR, "metadata": OBJECT_META, "status": OBJ}
    if spec is not None:
        schema["spec"] = spec
    schema.update(extra)
    return schema


SERVICE_SPEC: Schema = {
    "ports": [{
        "name": STR, "protocol": STR, "appProtocol": STR, "port": INT, "targetPort": INTSTR,
        "nodePort": INT,
    }],
    "selector": MapOf(STR), "clusterIP": STR, "clusterIPs": [STR], "type": STR,
    "externalIPs": [STR], "sessionAffinity": STR, "loadBalancerIP": STR,
    "loadBalancerSourceRanges": [STR], "externalName": STR, "externalTrafficPolicy": STR,
    "healthCheckNodePort": INT, "publishNotReadyAddresses": BOOL,
    "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": INT}},
    "ipFamilies": [STR], "ipFamilyPolicy": STR, "allocateLoadBalancerNodePorts": BOOL,
    "loadBalancerClass": STR, "internalTrafficPolicy": STR, "trafficDistribution": STR,
}  # fmt: skip

PVC_SPEC: Schema = {
    "accessModes": [STR], "selector": LABEL_SELECTOR,
    "resources": {"limits": MapOf(QTY), "requests": MapOf(QTY)},
    "volumeName": STR, "storageClassName": STR, "volumeMode": STR, "dataSource": OBJ,
    "dataSourceRef": OBJ, "volumeAttributesClassName": STR,
}  # fmt: skip
PVC: Schema = top(PVC_SPEC)

PV_SOURCES: Schema = {
    "hostPath": {"path": STR, "type": STR},
    "local": {"path": STR, "fsType": STR},
    "nfs": {"server": STR, "path": STR, "readOnly": BOOL},
    **{k: OBJ for k in (
        "csi", "iscsi", "fc", "rbd", "cephfs", "cinder", "flexVolume", "flocker", "glusterfs",
        "awsElasticBlockStore", "gcePersistentDisk", "azureDisk", "azureFile", "vsphereVolume",
        "quobyte", "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos",
    )},
}  # fmt: skip
PV_SPEC: Schema = {
    "capacity": MapOf(QTY), "accessModes": [STR], "claimRef": OBJ,
    "persistentVolumeReclaimPolicy": STR, "storageClassName": STR, "mountOptions": [STR],
    "volumeMode": STR, "nodeAffinity": OBJ, "volumeAttributesClassName": STR, **PV_SOURCES,
}  # fmt: skip

STORAGE_CLASS: Schema = {
    "apiVersion": STR, "kind": STR, "metadata": OBJECT_META, "provisioner": STR,
    "parameters": MapOf(STR), "reclaimPolicy": STR, "mountOptions": [STR],
    "allowVolumeExpansion": BOOL, "volumeBindingMode": STR, "allowedTopologies": [OBJ],
}  # fmt: skip

NODE_SPEC: Schema = {
    "podCIDR": STR, "podCIDRs": [STR], "providerID": STR, "unschedulable": BOOL,
    "taints": [{"key": STR, "value": STR, "effect": STR, "timeAdded": STR}],
    "configSource": OBJ, "externalID": STR,
}  # fmt: skip

CORE_SCHEMAS: dict[str, Schema] = {
    "Namespace": top({"finalizers": [STR]}),
    "Node": top(NODE_SPEC),
    "Pod": top(POD_SPEC),
    "Service": top(SERVICE_SPEC),
    "PersistentVolumeClaim": PVC,
    "PersistentVolume": top(PV_SPEC),
    "StorageClass": STORAGE_CLASS,
}
