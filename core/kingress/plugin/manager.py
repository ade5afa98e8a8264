"""Building the plugin manager and the backend registry (no globals, no import-time work).

``build_plugin_manager`` makes a fresh ``pluggy.PluginManager`` every call:
hookspecs added, blocked plugins blocked, ``kingress`` entry points loaded once
and ``check_pending()`` run so a misspelt hook fails loudly. ``load_backends``
asks each plugin for its backends and records which distribution registered
each one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import pluggy

from kingress.backends import Backend, BackendRegistry, DuplicateBackend
from kingress.plugin import NAME, spec

#: Comma-separated plugin (entry-point) names to block, e.g. ``istio,contour``.
BLOCK_ENV = "KINGRESS_BLOCK_PLUGINS"


class PluginError(RuntimeError):
    """A plugin could not be loaded or registered; the message names it."""


def blocked_from_env() -> frozenset[str]:
    """Plugin names listed in ``KINGRESS_BLOCK_PLUGINS``."""
    return frozenset(n.strip() for n in os.environ.get(BLOCK_ENV, "").split(",") if n.strip())


def build_plugin_manager(
    *,
    load_entrypoints: bool = True,
    blocked: Iterable[str] | None = None,
    plugins: Iterable[object] = (),
) -> pluggy.PluginManager:
    """A fresh plugin manager with kingress's hookspecs and the installed plugins."""
    manager = pluggy.PluginManager(NAME)
    manager.add_hookspecs(spec)
    for name in blocked_from_env() if blocked is None else blocked:
        manager.set_blocked(name)
    for plugin in plugins:
        manager.register(plugin)
    if load_entrypoints:
        try:
            manager.load_setuptools_entrypoints(NAME)
        except Exception as error:
            raise PluginError(f"loading kingress plugins failed: {error}") from error
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as error:
        raise PluginError(str(error)) from error
    return manager


def _distributions(manager: pluggy.PluginManager) -> dict[int, tuple[str, str]]:
    found: dict[int, tuple[str, str]] = {}
    for plugin, dist in manager.list_plugin_distinfo():
        found[id(plugin)] = (dist.project_name, dist.version)
    return found


def load_backends(manager: pluggy.PluginManager) -> BackendRegistry:
    """Call every plugin's ``register_backends`` and collect the backends."""
    registry = BackendRegistry()
    dists = _distributions(manager)
    for impl in manager.hook.register_backends.get_hookimpls():
        distribution, version = dists.get(
            id(impl.plugin), (manager.get_name(impl.plugin) or "<unnamed>", "")
        )

        def register(backend: Backend, *, _dist: str = distribution, _ver: str = version) -> None:
            registry.add(backend, distribution=_dist, version=_ver)

        kwargs: dict[str, Any] = {"register": register}
        try:
            impl.function(**{name: kwargs[name] for name in impl.argnames})
        except DuplicateBackend as error:
            raise PluginError(str(error)) from error
        except Exception as error:
            raise PluginError(
                f"plugin {distribution} failed to register its backends: "
                f"{type(error).__name__}: {error}"
            ) from error
    return registry


def build_registry(*, blocked: Iterable[str] | None = None) -> BackendRegistry:
    """The backends of every installed, unblocked plugin."""
    return load_backends(build_plugin_manager(blocked=blocked))
