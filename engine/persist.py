"""Save files: the whole playground in one JSON document, written atomically, loaded exactly.

Format (``"format": "statefulset-playground-save"``, ``"version": 1``)::

    {"format": …, "version": 1,
     "config": ClusterConfig fields (timings as a mapping),
     "clock": {"now": seconds, "epoch": RFC 3339},
     "store": {"resourceVersion": N, "objects": [every object, kind by kind]},
     "rngs": {purpose: [version, state…, gauss]},
     "data": {"volumes": …, "containers": …, "emptyDirs": …},
     "components": see engine.persist_state,
     "extensions": {name: whatever a registered section saved}}

:func:`save` writes to a temporary file in the target's directory, fsyncs it and renames it
over the target, so a crash at any point leaves either the old save or the new one, never a
mix. :func:`load` validates the whole document before building anything and raises
:class:`SaveFileError` (``save.json: line 3: not a playground save file (…)``) rather than
return a half-loaded cluster. A loaded cluster continues: every object is replayed as ADDED,
the kubelet adopts running containers from their reported status (see
``engine.pod_runtime.adopt_status``) and re-derives pending stages from the stored
timestamps; pods that were still being created start their remaining stages again.

Extension point: another feature (exercise progress, say) calls :func:`register_section` with a
name and two functions; its data rides in ``extensions`` and comes back on load. A save file
with a section this build does not know loads fine and ignores it.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine import persist_state
from engine.clock import Clock, VirtualClock
from engine.config import ClusterConfig, Timings
from engine.persist_check import SaveFileError, validate

if TYPE_CHECKING:
    from engine.cluster import Cluster

__all__ = [
    "FORMAT",
    "VERSION",
    "SaveFileError",
    "default_path",
    "load",
    "register_section",
    "save",
    "snapshot",
]

FORMAT = "statefulset-playground-save"
VERSION = 1


@dataclass(frozen=True)
class Section:
    """An extra part of the save file owned by another feature."""

    dump: Callable[[Cluster], Any]
    """Returns JSON-serialisable data for the section."""
    restore: Callable[[Cluster, Any], None]
    """Puts the data back into a freshly loaded cluster."""


SECTIONS: dict[str, Section] = {}


def register_section(
    name: str, dump: Callable[[Cluster], Any], restore: Callable[[Cluster, Any], None]
) -> None:
    """Carry ``dump(cluster)``'s data in every save and hand it to ``restore`` on load."""
    SECTIONS[name] = Section(dump, restore)


def default_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where ``--resume`` looks and a bare ``--save`` writes: ``$XDG_STATE_HOME/stsplay/
    save.json``, falling back to ``~/.local/state/stsplay/save.json``."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_STATE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local/state")
    return Path(base) / "stsplay" / "save.json"


# -- saving --------------------------------------------------------------------------------------
def snapshot(cluster: Cluster) -> dict[str, Any]:
    """The cluster as a JSON-ready document (deep copies; the cluster is not touched)."""
    config = asdict(cluster.config)
    config["timings"] = asdict(cluster.timings)
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "config": config,
        "clock": {"now": cluster.clock.now(), "epoch": cluster.clock.epoch.isoformat()},
        "store": {
            "resourceVersion": cluster.store.resource_version,
            "objects": cluster.store.all_objects(),
        },
        "rngs": persist_state.dump_rngs(cluster),
        "data": {
            "volumes": cluster.volume_data,
            "containers": cluster.container_data,
            "emptyDirs": cluster.empty_dir_data,
        },
        "components": persist_state.dump_components(cluster),
        "extensions": {name: s.dump(cluster) for name, s in sorted(SECTIONS.items())},
    }
    detached: dict[str, Any] = json.loads(json.dumps(doc))  # no shared live objects
    return detached


def save(cluster: Cluster, path: str | os.PathLike[str]) -> None:
    """Write the playground to ``path`` atomically (temp file, fsync, rename).

    Raises:
        OSError: the directory is not writable or the disk is full; the previous save (if
            any) is left as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(snapshot(cluster), indent=1, ensure_ascii=False) + "\n"
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            _write(handle, text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(directory)


def _write(handle: Any, text: str) -> None:
    """Write ``text`` in chunks (one seam for tests that simulate a crash mid-write)."""
    for start in range(0, len(text), 1 << 16):
        handle.write(text[start : start + (1 << 16)])


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (best effort where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# -- loading -------------------------------------------------------------------------------------
def load(path: str | os.PathLike[str], *, clock: Clock | None = None) -> Cluster:
    """A new cluster continuing exactly where the save at ``path`` stopped.

    ``clock`` (default: a new VirtualClock) is moved to the saved time; pass a RealClock for
    the interactive app.

    Raises:
        SaveFileError: the file is unreadable, not a save file, corrupt or of a newer version;
            nothing was loaded.
    """
    name = Path(path).name
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise SaveFileError(f"{name}: cannot read: {exc.strerror or exc}") from exc
    doc = parse(raw, name)
    try:
        return restore(doc, clock=clock, source=name)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise SaveFileError(f"{name}: not a playground save file (cannot restore: {exc})") from exc


def parse(raw: bytes, name: str = "save.json") -> dict[str, Any]:
    """Decode and validate a save file's bytes (raises :class:`SaveFileError`)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SaveFileError(f"{name}: line {line}: not a playground save file (not UTF-8)") from exc
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SaveFileError(
            f"{name}: line {exc.lineno}: not a playground save file ({exc.msg})"
        ) from None
    except RecursionError:
        raise SaveFileError(
            f"{name}: line 1: not a playground save file (nested too deeply)"
        ) from None
    validate(doc, text, name, FORMAT, VERSION)
    return doc  # type: ignore[no-any-return]


def restore(doc: dict[str, Any], *, clock: Clock | None = None, source: str = "save") -> Cluster:
    """Build a cluster from a validated document (see :func:`parse`)."""
    from engine.cluster import Cluster

    config = _config(doc["config"])
    clock = clock or VirtualClock(epoch=datetime.fromisoformat(doc["clock"]["epoch"]))
    clock.epoch = datetime.fromisoformat(doc["clock"]["epoch"])
    persist_state.set_clock(clock, float(doc["clock"]["now"]))
    cluster = Cluster(config, clock=clock, bare=True)
    persist_state.restore_rngs(cluster, doc["rngs"])
    cluster.volume_data = doc["data"]["volumes"]
    cluster.container_data = doc["data"]["containers"]
    cluster.empty_dir_data = doc["data"]["emptyDirs"]
    persist_state.restore_objects(
        cluster, doc["store"]["objects"], int(doc["store"]["resourceVersion"])
    )
    persist_state.claim_service_ips(cluster)
    persist_state.restore_components(cluster, doc["components"])
    for name, data in (doc.get("extensions") or {}).items():
        if name in SECTIONS:
            SECTIONS[name].restore(cluster, data)
    cluster.drain()
    return cluster


def _config(data: dict[str, Any]) -> ClusterConfig:
    known = {f.name for f in fields(ClusterConfig)}
    values = {k: v for k, v in data.items() if k in known and k != "timings"}
    timing_names = {f.name for f in fields(Timings)}
    timings = {k: v for k, v in (data.get("timings") or {}).items() if k in timing_names}
    return ClusterConfig(**values, timings=Timings.from_dict(timings))
