"""The ``stsplay`` command."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    """The top-level argument parser."""
    parser = argparse.ArgumentParser(
        prog="stsplay",
        description="A terminal playground for Kubernetes StatefulSets, headless Services, "
        "volumes and cluster DNS.",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = build_parser().parse_args(argv)
    from engine import Cluster

    cluster = Cluster(seed=args.seed)
    cluster.settle()
    print(f"cluster ready: {cluster.store.count('Node')} nodes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
