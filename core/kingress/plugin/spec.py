"""Hook specifications for kingress plugins.

A plugin is a module (or object) with ``@kingress.hookimpl`` functions, found
through the ``kingress`` entry-point group. Every hook here is documented in
``docs/plugins.md`` too; ``tests/test_docs.py`` fails if the two drift apart.

Evolution: hooks only ever gain arguments (pluggy lets an implementation take
any subset of them), so plugins written today keep working. A hook to be
removed is first deprecated with ``warn_on_impl``.
"""

from __future__ import annotations

import pluggy

from kingress.backends import RegisterBackend
from kingress.plugin import NAME

hookspec = pluggy.HookspecMarker(NAME)


@hookspec
def register_backends(register: RegisterBackend) -> None:
    """Register the ingress backends this plugin provides.

    Called once per plugin when the plugin manager's backend registry is built
    (at start-up of every command), never again. Implementations call
    ``register(backend)`` once per backend and return nothing; they must not do
    I/O. A backend claiming a name or an ingress class that another plugin
    already claims is an error naming both distributions.

    :param register: Adds one backend (an object satisfying
        :class:`kingress.Backend`) to the registry.
    """
