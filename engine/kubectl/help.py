"""``kubectl --help`` / ``kubectl CMD --help`` for the subset the playground implements.

Summaries and usage lines are kubectl's own; the flag list names what the playground accepts.
Known kubectl commands that the playground does not implement get a clear error instead of
"unknown command".
"""

from __future__ import annotations

from engine.kubectl.parse import Flag

#: command -> (summary, usage)
HELP: dict[str, tuple[str, str]] = {
    "get": (
        "Display one or many resources.",
        "kubectl get [(-o|--output=)json|yaml|name|jsonpath|custom-columns|wide] "
        "(TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]",
    ),
    "describe": (
        "Show details of a specific resource or group of resources.",
        "kubectl describe (TYPE [NAME_PREFIX | -l label] | TYPE/NAME) [options]",
    ),
    "apply": (
        "Apply a configuration to a resource by file name or stdin.",
        "kubectl apply -f FILENAME [options]",
    ),
    "delete": (
        "Delete resources by file names, stdin, resources and names, or by resources and label "
        "selector.",
        "kubectl delete ([-f FILENAME] | TYPE [(NAME | -l label | --all)]) [options]",
    ),
    "scale": (
        "Set a new size for a deployment, replica set, or stateful set.",
        "kubectl scale [--current-replicas=count] --replicas=COUNT (TYPE NAME | TYPE/NAME) "
        "[options]",
    ),
    "patch": (
        "Update fields of a resource using strategic merge patch, a JSON merge patch, or a JSON "
        "patch.",
        "kubectl patch (TYPE NAME | TYPE/NAME) -p PATCH [--type strategic|merge|json] [options]",
    ),
    "set": (
        "Update existing container image(s) of resources.",
        "kubectl set image (TYPE NAME | TYPE/NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... "
        "[options]",
    ),
    "label": (
        "Update the labels on a resource.",
        "kubectl label [--overwrite] (TYPE NAME | TYPE/NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [options]",
    ),
    "annotate": (
        "Update the annotations on one or more resources.",
        "kubectl annotate [--overwrite] (TYPE NAME | TYPE/NAME) KEY_1=VAL_1 ... KEY_N=VAL_N "
        "[options]",
    ),
    "rollout": (
        "Manage the rollout of one or many resources: history, pause, restart, resume, status, "
        "undo.",
        "kubectl rollout SUBCOMMAND (TYPE NAME | TYPE/NAME) [options]",
    ),
    "wait": (
        "Experimental: Wait for a specific condition on one or many resources.",
        "kubectl wait (TYPE/NAME | TYPE [(-l label | --all)]) [--for=delete|--for "
        "condition=available|--for=jsonpath='{}'[=value]] [options]",
    ),
    "cordon": ("Mark node as unschedulable.", "kubectl cordon NODE [options]"),
    "uncordon": ("Mark node as schedulable.", "kubectl uncordon NODE [options]"),
    "drain": ("Drain node in preparation for maintenance.", "kubectl drain NODE [options]"),
    "exec": (
        "Execute a command in a container.",
        "kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...] [options]",
    ),
    "create": (
        "Create a resource from a file or from stdin; or a namespace or deployment by name.",
        "kubectl create (-f FILENAME | namespace NAME | deployment NAME --image=image "
        "[--replicas=N] [--port=port]) [options]",
    ),
    "run": (
        "Create and run a particular image in a pod.",
        'kubectl run NAME --image=image [--env="key=value"] [--port=port] '
        "[--restart=Never] [--rm -i [-t]] [--command] -- [COMMAND] [args...] [options]",
    ),
    "events": (
        "Display events: the most important information about events, newest last.",
        "kubectl events [--for TYPE/NAME] [--types=Normal,Warning] [options]",
    ),
    "logs": (
        "Print the logs for a container in a pod.",
        "kubectl logs [-p] (POD | TYPE/NAME) [-c CONTAINER] [options]",
    ),
    "version": (
        "Print the client and server version information.",
        "kubectl version [flags] [options]",
    ),
    "cluster-info": ("Display cluster information.", "kubectl cluster-info [flags] [options]"),
    "top": ("Display resource (CPU/memory) usage.", "kubectl top [flags] [options]"),
    "api-resources": (
        "Print the supported API resources on the server.",
        "kubectl api-resources [flags] [options]",
    ),
}

#: kubectl commands that exist but are not simulated here
UNSUPPORTED = [
    "attach",
    "auth",
    "autoscale",
    "certificate",
    "completion",
    "config",
    "cp",
    "debug",
    "diff",
    "edit",
    "explain",
    "expose",
    "kustomize",
    "plugin",
    "port-forward",
    "proxy",
    "replace",
    "taint",
]

_GROUPS = (
    ("Basic Commands", ("create", "run", "get", "set", "delete")),
    ("Deploy Commands", ("rollout", "scale")),
    ("Cluster Management Commands", ("cluster-info", "top", "cordon", "uncordon", "drain")),
    ("Troubleshooting and Debugging Commands", ("describe", "logs", "exec", "events")),
    ("Advanced Commands", ("apply", "patch", "wait")),
    ("Settings Commands", ("label", "annotate")),
    ("Other Commands", ("api-resources", "version")),
)


def overview() -> str:
    """``kubectl --help``: the implemented commands, grouped as kubectl groups them."""
    lines = ["kubectl controls the Kubernetes cluster manager (the playground's subset).", ""]
    for title, names in _GROUPS:
        lines.append(f"{title}:")
        lines.extend(f"  {n:<15} {HELP[n][0].rstrip('.')}" for n in names)
        lines.append("")
    lines += [
        "Playground commands (no kubectl prefix):",
        "  nslookup NAME   busybox nslookup from a pod in the current namespace",
        "  dig ARGS        bind's dig from a pod in the current namespace",
        "  host NAME       bind's host from a pod in the current namespace",
        "  sleep DURATION  let simulated time pass (5s, 2m, 1.5)",
        "  fault …         fault readiness POD fail|pass | fault crash POD | "
        "fault node NODE down|up",
        "",
        'Use "kubectl <command> --help" for more information about a given command.',
    ]
    return "\n".join(lines) + "\n"


def command_help(name: str, flags: tuple[Flag, ...]) -> str:
    """``kubectl CMD --help``."""
    summary, usage = HELP[name]
    flag_text = ", ".join((f"-{f.short}, --{f.name}" if f.short else f"--{f.name}") for f in flags)
    return (
        f"{summary}\n\nUsage:\n  {usage}\n\n"
        f"Flags the playground understands:\n  {flag_text}, -n, --namespace\n"
    )


def unsupported(name: str) -> str:
    """The error for a real kubectl command the playground does not simulate."""
    return (
        f'error: "kubectl {name}" is not available in the playground '
        '(see "kubectl --help" for what is)\n'
    )
