"""Running the suite: select cases, gate them on features, run them at a depth, report.

``run`` is what the CLI and the pytest plugin both call (the plugin one case at
a time through ``run_case``). A case is ``skipped`` when ``--skip`` names it,
``not-supported`` when it needs a feature the backend does not claim (the
backend's ``features``, or ``--features`` given explicitly, like Gateway API's
``--supported-features``), and otherwise run at the depth. Whatever a backend
raises while a case runs is that case's failure, never the suite's crash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from kingress import Backend, Feature, __version__
from kingress.backends import Registered
from kingress.install.kind import CONFORMANCE_IMAGE
from kingress_conformance.case import NAMESPACE, Case
from kingress_conformance.depths import Depth
from kingress_conformance.depths.offline import OfflineRun, backend_class
from kingress_conformance.outcome import CaseResult, Outcome
from kingress_conformance.report import Implementation, Report, ResultEntry


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """How to run: depth, selection and where the outside world is."""

    depth: Depth = Depth.OFFLINE
    skip: tuple[str, ...] = ()
    #: Features to treat as claimed instead of the backend's own declaration.
    features: frozenset[Feature] | None = None
    #: The backend's configuration (its config map data).
    config: dict[str, str] = field(default_factory=dict)
    kubeconfig: Path | None = None
    #: Host (or IP) to reach the gateway's NodePorts through (kind).
    ingress_endpoint: str | None = None
    #: Cluster depth: the namespace of the test objects (created, emptied after each case).
    namespace: str = NAMESPACE
    #: Cluster depth: the test servers' image (``conformance/Dockerfile``).
    image: str = CONFORMANCE_IMAGE
    #: Where the local depth keeps its files (a temporary folder when unset).
    workdir: Path | None = None
    #: Seconds an applied ingress may take to answer its probe (Knative allows 10 minutes
    #: on a cluster; a local gateway takes well under one).
    ready_timeout: float = 30.0
    #: Gateway API's ``MaxTimeToConsistency``: how long a check may take to hold.
    max_time_to_consistency: float = 30.0

    def claimed(self, backend: Backend) -> frozenset[Feature]:
        """The features the run treats as supported."""
        return backend.features if self.features is None else self.features


def gate(case: Case, backend: Backend, options: Options) -> CaseResult | None:
    """The result of a case that is not run (skipped or not supported), else ``None``."""
    if case.key in options.skip:
        return CaseResult(
            key=case.key, backend=backend.name, outcome=Outcome.SKIPPED, reason="skipped by --skip"
        )
    missing = sorted(case.features - options.claimed(backend))
    if missing:
        return CaseResult(
            key=case.key,
            backend=backend.name,
            outcome=Outcome.NOT_SUPPORTED,
            reason="needs features the backend does not claim: " + ", ".join(missing),
        )
    return None


class Session(Protocol):
    """A depth's state for one backend: what it started, and how it runs a case."""

    def run(self, case: Case) -> CaseResult:
        """One case (already gated)."""
        ...

    def close(self) -> None:
        """Stop whatever the session started."""
        ...


class OfflineSession:
    """The offline depth keeps no state between cases."""

    def __init__(self, backend: Backend, options: Options) -> None:
        self.backend = backend
        self.options = options

    def run(self, case: Case) -> CaseResult:
        """Translate and judge by the model."""
        return OfflineRun(self.backend, case, self.options.config).result()

    def close(self) -> None:
        """Nothing to stop."""


def open_session(backend: Backend, options: Options) -> Session:
    """The session of the options' depth (real depths imported only when used)."""
    if options.depth == Depth.LOCAL:
        # Imported here: the real depths pull in servers, clients, TLS and gRPC.
        from kingress_conformance.depths.local import LocalSession  # noqa: PLC0415

        return LocalSession.open(backend, options)
    if options.depth == Depth.CLUSTER:
        from kingress_conformance.depths.cluster import ClusterSession  # noqa: PLC0415

        return ClusterSession.open(backend, options)
    return OfflineSession(backend, options)


class DepthRunner:
    """Runs cases for one backend; the depth's session is opened at the first case run."""

    def __init__(self, backend: Backend, options: Options) -> None:
        self.backend = backend
        self.options = options
        self._session: Session | None = None

    def run(self, case: Case) -> CaseResult:
        """One case (already gated); whatever the backend raises is the case's failure."""
        try:
            if self._session is None:
                self._session = open_session(self.backend, self.options)
            return self._session.run(case)
        except Exception as error:
            return CaseResult(
                key=case.key,
                backend=self.backend.name,
                outcome=Outcome.FAILED,
                reason=f"raised {type(error).__name__}: {error}",
            )

    def close(self) -> None:
        """Close the session, if one was opened."""
        if self._session is not None:
            self._session.close()
            self._session = None


def run_case(case: Case, runner: DepthRunner) -> CaseResult:
    """Gate then run one case."""
    return gate(case, runner.backend, runner.options) or runner.run(case)


#: One case's result for one backend, as ``report_of`` collects them.
Ran = tuple[Registered, Case, CaseResult]


def run(
    backends: Sequence[Registered],
    cases: Iterable[Case],
    options: Options,
    progress: Callable[[CaseResult], None] = lambda result: None,
) -> Report:
    """Every case against every backend; ``progress`` sees each result as it comes."""
    chosen = tuple(cases)
    ran: list[Ran] = []
    for entry in backends:
        runner = DepthRunner(entry.backend, options)
        try:
            for case in chosen:
                result = run_case(case, runner)
                progress(result)
                ran.append((entry, case, result))
        finally:
            runner.close()
    return report_of(ran, options)


def report_of(ran: Sequence[Ran], options: Options) -> Report:
    """The report of results, one implementation per backend in the order first seen."""
    by_backend: dict[str, list[Ran]] = {}
    for item in ran:
        by_backend.setdefault(item[0].backend.name, []).append(item)
    implementations = []
    for items in by_backend.values():
        entry = items[0][0]
        implementations.append(
            Implementation(
                backend=entry.backend.name,
                distribution=entry.distribution,
                version=entry.version,
                ingress_class=backend_class(entry.backend),
                features_claimed=tuple(sorted(f.value for f in options.claimed(entry.backend))),
                results=tuple(
                    ResultEntry(key=c.key, tier=c.tier.value, outcome=r.outcome, reason=r.reason)
                    for _, c, r in items
                ),
            )
        )
    return Report(
        date=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        depth=options.depth.value,
        suite_version=__version__,
        implementations=tuple(implementations),
    )
