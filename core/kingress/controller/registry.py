"""Every reconciler ``kingress controller`` runs, from one place.

A controller module registers itself by adding its factory to ``FACTORIES``
(a factory takes the ``Options`` and returns a ``Reconciler``), the way CLI
sub-commands register in ``kingress.cli.main.COMMANDS``. The runtime calls
``all_reconcilers`` and runs whatever is there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kingress.controller.reconciler import Reconciler
from kingress.runtime.prober import GatewayProber


@dataclass(frozen=True, slots=True)
class Options:
    """What a reconciler factory may need from the process that runs it."""

    #: Probes gateway pods for backends whose data plane kingress does not run.
    prober: GatewayProber | None = None


Factory = Callable[[Options], Reconciler]

#: The reconciler factories, in the order their reconcilers are started.
FACTORIES: tuple[Factory, ...] = ()


def all_reconcilers(options: Options) -> list[Reconciler]:
    """One reconciler per registered factory."""
    return [factory(options) for factory in FACTORIES]
