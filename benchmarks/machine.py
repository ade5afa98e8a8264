"""A description of the machine a benchmark ran on, recorded with its figures.

Numbers mean little without the machine: CPU model, cores, memory, Python and
kingress versions, the git commit, and the load average (this machine may be
shared; a busy neighbour shows up there).
"""

from __future__ import annotations

import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_bytes() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _git_commit() -> str:
    try:
        result = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty", "--abbrev=12"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return result.stdout.strip()


def _kingress_version() -> str:
    try:
        return version("kingress")
    except PackageNotFoundError:
        return "unknown"


def describe() -> dict[str, Any]:
    """The machine and software the benchmark runs on, as JSON-able values."""
    return {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count() or 0,
        "memory_bytes": _memory_bytes(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "kingress_version": _kingress_version(),
        "git_commit": _git_commit(),
        "load_average": list(os.getloadavg()),
    }
