"""The plugin host: one name (``kingress``) for the pluggy project, markers and entry points."""

from __future__ import annotations

import pluggy

#: The pluggy project name, the hook marker name and the entry-point group.
NAME = "kingress"

#: Marks a plugin's hook implementations: ``@hookimpl def register_backends(register): ...``.
hookimpl = pluggy.HookimplMarker(NAME)
