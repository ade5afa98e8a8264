"""A stamped world served by ``kingress apiserver``'s server in a process of its own.

``cold-start``'s ``Manager`` restarts against an API server that keeps
running, as a restarted controller does on a cluster, where kube-apiserver is
another process. Run in the controller's own process, the server's encoding
and HTTP would share its interpreter lock and be counted as its CPU, which no
deployment does. So this process builds the same world (``stamp``), serves it
on a free loopback port, writes a kubeconfig into the directory it is given,
prints ``ready`` and how many objects of each kind it serves (JSON, on the
same line: the parent counts the keys its controllers will reconcile without
listing every kind over HTTP first), and serves until its standard input
closes: the parent's exit (however it ends) stops it.

``python -m benchmarks.served_world N BACKEND DIRECTORY``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from benchmarks.world import counting_registry, stamp
from kingress.runtime import gctune
from kingress.runtime.testing import running_apiserver


def main(argv: list[str]) -> None:
    """Build the world, serve it, say ``ready`` with its counts and serve until stdin closes."""
    n, backend, directory = int(argv[0]), argv[1], Path(argv[2])
    gctune.tune()
    world = stamp(n, backend)
    registry, _ = counting_registry()
    with running_apiserver(directory, world.store, backends=registry):
        print("ready", json.dumps(world.count_by_kind()), flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main(sys.argv[1:])
