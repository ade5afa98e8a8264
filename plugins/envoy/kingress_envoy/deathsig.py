"""Start a command that the kernel kills when the thread that started it ends.

Run as ``python -I -S deathsig.py PARENT_PID COMMAND [ARG...]``: it asks Linux
to SIGKILL it when its parent thread ends (``PR_SET_PDEATHSIG``), checks that
its parent is still ``PARENT_PID`` (the parent may have ended before the
request was made), then replaces itself with the command; the request
survives ``exec``. (A parent thread that ends while the launcher is still
starting, with its process alive, is not noticed: the gateway starts Envoy
from a thread that lives as long as the gateway.)

``spawn`` starts a command through it. The gateway starts Envoy this way
rather than with a pre-exec hook, because a hook makes ``subprocess`` fork the
whole process instead of using ``vfork``, and a process serving gRPC restarts
gRPC's threads in a forked child: those threads abort the child when the
inherited descriptors are closed before ``exec`` (about one spawn in five
while the xDS server has streams open).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

_PR_SET_PDEATHSIG = 1
#: The exit status when the parent ended before the request was in place.
ORPHANED = 3


def spawn(argv: Sequence[str], **popen: Any) -> subprocess.Popen[bytes]:
    """``subprocess.Popen(argv, **popen)``, killed with the calling thread on Linux."""
    if sys.platform.startswith("linux"):
        argv = [sys.executable, "-I", "-S", __file__, str(os.getpid()), *argv]
    return subprocess.Popen(argv, **popen)


def main(argv: Sequence[str]) -> int:
    """Make the request, check the parent, become the command; the status if it cannot."""
    parent, command = int(argv[1]), list(argv[2:])
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        print(f"deathsig: parent {parent} ended before {command[0]} started", file=sys.stderr)
        return ORPHANED
    os.execv(command[0], command)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
