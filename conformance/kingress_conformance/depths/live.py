"""Evaluating checks with real traffic: what the local and cluster depths share.

``LiveChecks`` sends real requests to the gateway through ``endpoint`` and
compares what the test servers echo with each check. Changes of the served
state (``ClassChange``, ``Update``) go through ``World``, which the depth
implements (the local gateway's ``apply``, or the cluster's API).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from kingress import HASH_HEADER, ClusterIngress
from kingress_conformance.case import Case
from kingress_conformance.checks import (
    Check,
    ClassChange,
    Distribution,
    GrpcPing,
    NoRetry,
    NotFound,
    NoTimeout,
    ProbeHash,
    Redirects,
    Routes,
    Seen,
    Unchanged,
    Update,
    WebsocketEcho,
    seen,
)
from kingress_conformance.observe import mismatch
from kingress_conformance.requests import Request
from kingress_conformance.traffic import (
    Endpoint,
    consistently,
    grpc_ping,
    send,
    websocket_echo,
)

#: Where a request goes: the endpoint of its gateway (public/private, plain/TLS).
Resolve = Callable[[Request], Endpoint]


class World(Protocol):
    """The served state a depth can change while a check runs."""

    def hash_of(self, ingress: str) -> str:
        """The probe hash of the ingress as currently served."""
        ...

    def replace(self, ingress: ClusterIngress) -> None:
        """Serve this version of the ingress; return once its hash is served."""
        ...

    def remove(self, ingress: str) -> None:
        """Stop serving the ingress (as a class change away from the backend does)."""
        ...

    def restore(self) -> None:
        """Serve the case's own ingresses again."""
        ...

    def unchanged(self, check: Unchanged) -> str | None:
        """Whether an ingress of another class was left alone (depth-specific)."""
        ...


class LiveChecks:
    """One case's checks with real requests."""

    def __init__(self, case: Case, resolve: Resolve, world: World, max_time: float) -> None:
        self.case = case
        self.resolve = resolve
        self.world = world
        self.max_time = max_time

    def _consistently(self, attempt: Callable[[], str | None]) -> str | None:
        return consistently(attempt, max_time=self.max_time)

    def problem(self, check: Check) -> str | None:
        """Why the check does not hold, or ``None``."""
        if isinstance(check, Routes):
            return self._routes(check.request, check.to, check.max_requests)
        if isinstance(check, NotFound):
            return self._consistently(lambda: self._not_found(check.request))
        if isinstance(check, Redirects):
            return self._consistently(lambda: self._redirect(check))
        if isinstance(check, Distribution):
            return self._distribution(check)
        if isinstance(check, NoRetry):
            return self._no_retry(check)
        if isinstance(check, NoTimeout):
            return self._no_timeout(check)
        if isinstance(check, WebsocketEcho):
            return self._echoes(
                check.request,
                check.backends,
                check.round_trips,
                check.max_connections,
                websocket_echo,
            )
        if isinstance(check, GrpcPing):
            return self._echoes(
                check.request, check.backends, check.round_trips, check.max_streams, grpc_ping
            )
        if isinstance(check, ProbeHash):
            expected = check.explicit or self.world.hash_of(check.ingress)
            return self._consistently(lambda: self._probe(check.request, expected))
        if isinstance(check, Unchanged):
            return self.world.unchanged(check)
        if isinstance(check, ClassChange):
            return self._class_change(check)
        if isinstance(check, Update):
            return self._update(check)
        raise AssertionError(f"unknown check {check!r}")

    def _one(self, request: Request, expected: Seen) -> str | None:
        try:
            response = send(self.resolve(request), request)
        except OSError as error:
            return f"request failed: {error}"
        observed = response.observation()
        if response.status != 200 or observed is None:
            return f"answered {response.status}"
        return mismatch(expected, observed)

    def _routes(self, request: Request, to: tuple[Seen, ...], max_requests: int) -> str | None:
        if len(to) == 1:
            return self._consistently(lambda: self._one(request, to[0]))
        expected = {s.backend: s for s in to}
        missing = set(expected)
        for _ in range(max_requests):
            try:
                response = send(self.resolve(request), request)
            except OSError as error:
                return f"request failed: {error}"
            observed = response.observation()
            if response.status != 200 or observed is None:
                return f"answered {response.status}"
            if observed.backend not in expected:
                return f"reached {observed.backend!r}, expected one of {sorted(expected)}"
            problem = mismatch(expected[observed.backend], observed)
            if problem is not None:
                return problem
            missing.discard(observed.backend)
            if not missing:
                return None
        return f"never reached {sorted(missing)} in {max_requests} requests"

    def _not_found(self, request: Request) -> str | None:
        try:
            response = send(self.resolve(request), request)
        except OSError:
            return None  # nothing listens: as good as a 404
        return None if response.status == 404 else f"answered {response.status}"

    def _redirect(self, check: Redirects) -> str | None:
        try:
            response = send(self.resolve(check.request), check.request)
        except OSError as error:
            return f"request failed: {error}"
        location = response.headers.get("location", "")
        if response.status != check.status or not location.startswith(
            f"https://{check.request.host}"
        ):
            return f"answered {response.status} (location {location!r})"
        return None

    def _probe(self, request: Request, expected: str) -> str | None:
        try:
            response = send(self.resolve(request), request)
        except OSError as error:
            return f"request failed: {error}"
        got = response.headers.get(HASH_HEADER.lower())
        return (
            None
            if response.status == 200 and got == expected
            else f"{response.status}, hash {got!r}"
        )

    def _distribution(self, check: Distribution) -> str | None:
        endpoint = self.resolve(check.request)

        def sample(index: int) -> str:
            # Entropy against sticky or hashed balancing, as Gateway API's test adds.
            request = check.request.with_headers({"X-Jitter": str(index)})
            try:
                observed = send(endpoint, request).observation()
            except OSError:
                return "<failed>"
            return observed.backend if observed else "<no echo>"

        with ThreadPoolExecutor(check.concurrency) as pool:
            counts = Counter(pool.map(sample, range(check.samples)))
        problems = []
        for backend in sorted(set(counts) | set(check.weights)):
            want, got = check.weights.get(backend, 0), 100.0 * counts[backend] / check.samples
            if want == 0 and counts[backend]:
                problems.append(f"{backend}: {counts[backend]} requests at 0%")
            elif want and not counts[backend]:
                problems.append(f"{backend}: no request at {want}%")
            elif abs(got - want) > check.tolerance:
                problems.append(f"{backend}: {got:.1f}% instead of {want}±{check.tolerance:g}%")
        return "; ".join(problems) or None

    def _no_retry(self, check: NoRetry) -> str | None:
        endpoint = self.resolve(check.request)
        first = send(endpoint, check.request)
        if first.status != 503:
            return f"first request answered {first.status}, expected the backend's 503 (retried?)"
        return self._one(check.request, seen(check.backend))

    def _no_timeout(self, check: NoTimeout) -> str | None:
        endpoint = self.resolve(check.request)
        budget = (check.before_ms + check.after_ms) / 1000 + 15
        paths = (
            f"{check.request.path}?initialTimeout={check.before_ms}&timeout=0",
            f"{check.request.path}?initialTimeout=0&timeout={check.after_ms}",
        )

        def slow(path: str) -> str | None:
            try:
                response = send(endpoint, check.request, path=path, timeout=budget)
            except OSError as error:
                return f"{path}: {error}"
            return (
                None if response.status == 200 and response.body else f"{path}: {response.status}"
            )

        with ThreadPoolExecutor(len(paths)) as pool:
            problems = [p for p in pool.map(slow, paths) if p]
        return "; ".join(problems) or None

    def _echoes(
        self,
        request: Request,
        backends: tuple[str, ...],
        round_trips: int,
        attempts: int,
        exchange: Callable[[Endpoint, Request, int], list[str]],
    ) -> str | None:
        suffixes = {self.case.service(b).suffix: b for b in backends}
        missing = set(backends)
        for _ in range(attempts if len(backends) > 1 else 1):
            try:
                replies = exchange(self.resolve(request), request, round_trips)
            except (OSError, RuntimeError, Exception) as error:  # grpc.RpcError is an Exception
                return f"exchange failed: {type(error).__name__}: {error}"
            if len(replies) != round_trips:
                return f"{len(replies)} replies to {round_trips} messages"
            found = {s for s in suffixes if s and all(r.endswith(s) for r in replies)}
            if len(found) != 1:
                return f"replies {replies[:2]} end in none (or several) of {sorted(suffixes)}"
            missing.discard(suffixes[found.pop()])
            if not missing:
                return None
        return f"never reached {sorted(missing)} in {attempts} connections"

    def _class_change(self, check: ClassChange) -> str | None:
        before = self._consistently(lambda: self._one(check.request, seen(check.backend)))
        if before is not None:
            return f"before the change: {before}"
        self.world.remove(check.ingress)
        try:
            after = self._consistently(lambda: self._not_found(check.request))
        finally:
            self.world.restore()
        return None if after is None else f"after the change: {after}"

    def _update(self, check: Update) -> str | None:
        failures: list[str] = []
        stop = threading.Event()

        def prober() -> None:
            while not stop.is_set():
                try:
                    response = send(self.resolve(check.request), check.request)
                    if response.status != 200:
                        failures.append(f"background request answered {response.status}")
                except OSError as error:
                    failures.append(f"background request failed: {error}")

        thread = threading.Thread(target=prober, daemon=True)
        thread.start()
        try:
            for index, version in enumerate(check.versions):
                self.world.replace(version.ingress)
                problem = self._one(check.request, version.expect)
                if problem is not None:
                    return f"version {index + 1}, first request after ready: {problem}"
        finally:
            stop.set()
            thread.join(timeout=15)
            self.world.restore()
        return (
            f"{len(failures)} failed requests during the rollout: {failures[0]}"
            if failures
            else None
        )
