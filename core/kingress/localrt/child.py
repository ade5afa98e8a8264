"""What a local runtime process runs: the ``helloworld`` sample, tied to kingress's life.

``python -m kingress.localrt.child <parent pid>`` serves the sample and exits
as soon as its parent is no longer ``<parent pid>`` — kingress died without
stopping it (killed outright, so no ``atexit`` ran) and the process was handed
to another parent. Kubernetes stops a node's pods with the kubelet; this is
the local equivalent.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from kingress.samples import helloworld

#: How often the parent is checked.
PARENT_CHECK_SECONDS = 0.2


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    print(f"local runtime: parent {parent} is gone, exiting", file=sys.stderr, flush=True)
    os._exit(0)


def main(argv: list[str]) -> None:
    """Watch the parent named by ``argv[0]`` in the background, and serve the sample."""
    watcher = threading.Thread(
        target=_exit_when_orphaned, args=(int(argv[0]),), name="parent-watch", daemon=True
    )
    watcher.start()
    helloworld.main()


if __name__ == "__main__":
    main(sys.argv[1:])
