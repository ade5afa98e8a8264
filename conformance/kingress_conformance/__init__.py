"""kingress_conformance: the ingress conformance suite, as a library, a command and a pytest plugin.

Cases (``kingress_conformance.cases``) are data: test servers, ClusterIngresses
and checks from a small typed vocabulary (``kingress_conformance.checks``).
The same cases run at three depths (``offline``, ``local``, ``cluster``) and
end ``passed``, ``failed``, ``skipped`` or ``not-supported``; ``run`` returns a
``Report`` shaped like Gateway API's conformance reports. See
docs/conformance.md.
"""

from __future__ import annotations

from kingress_conformance.case import Case
from kingress_conformance.catalog import all_cases, select
from kingress_conformance.depths import Depth
from kingress_conformance.outcome import CaseResult, Outcome
from kingress_conformance.report import Report
from kingress_conformance.suite import Options, run

__all__ = [
    "Case",
    "CaseResult",
    "Depth",
    "Options",
    "Outcome",
    "Report",
    "all_cases",
    "run",
    "select",
]
