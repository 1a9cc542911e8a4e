"""Reading ``-f FILE|DIR|-`` arguments the way kubectl's resource builder does."""

from __future__ import annotations

from pathlib import Path

from engine.kubectl.parse import error

_EXTENSIONS = (".yaml", ".yml", ".json")


def read_sources(paths: list[str], stdin: str | None) -> list[tuple[str, str]]:
    """(source name, text) for every file named: ``-`` is standard input, a directory
    contributes its ``.yaml``/``.yml``/``.json`` files in name order."""
    sources: list[tuple[str, str]] = []
    for path in paths:
        if path == "-":
            if stdin is None:
                raise error(
                    "no standard input here: in a script, give the manifest as a here-document "
                    "(kubectl apply -f - <<EOF … EOF)"
                )
            sources.append(("STDIN", stdin))
            continue
        target = Path(path)
        if target.is_dir():
            files = sorted(f for f in target.iterdir() if f.suffix in _EXTENSIONS and f.is_file())
            sources.extend((str(f), _read(f)) for f in files)
        elif target.exists():
            sources.append((path, _read(target)))
        else:
            raise error(f'the path "{path}" does not exist')
    return sources


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f'the path "{path}" cannot be read: {exc}') from exc
