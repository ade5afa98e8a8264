"""A kubeconfig pointing at the embedded API server (plain HTTP, no credentials)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CONTEXT = "kingress"


def kubeconfig(server_url: str, namespace: str = "default") -> dict[str, Any]:
    """The kubeconfig document: one cluster, one user without credentials, one context."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT, "cluster": {"server": server_url}}],
        "users": [{"name": CONTEXT, "user": {}}],
        "contexts": [
            {
                "name": CONTEXT,
                "context": {"cluster": CONTEXT, "user": CONTEXT, "namespace": namespace},
            }
        ],
        "current-context": CONTEXT,
        "preferences": {},
    }


def write_kubeconfig(path: Path, server_url: str) -> Path:
    """Write the kubeconfig (owner-only permissions) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(kubeconfig(server_url), sort_keys=False), encoding="utf-8")
    path.chmod(0o600)
    return path
