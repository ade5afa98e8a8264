"""The offline depth: translate as the core does, then judge the output by a model.

For one backend and one case:

1. every ingress of the case gets the backend's class and goes through the
   controller's ``prepare`` (defaults, validation, probe paths); the context
   holds the case's test Services;
2. the controller's ``translate`` (the backend, then the core's output rules)
   runs twice, and once more on an ingress rebuilt from its wire form: the
   three outputs must be equal (``deterministic``); a ``TranslationError`` or
   broken output is a failure, since the backend claims every feature the
   case needs;
3. every object is validated against its CRD schema (``schema``; skipped, with
   the reason, when no schema is available);
4. every check is evaluated against the decision of the model that recognizes
   the objects (skipped, with the reason, when no model does).

Distributions are exact here: the model gives the weights themselves, so each
share must equal its percent within half a point (the ±10 points of the real
depths are sampling error, which a model does not have).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from kingress import Backend, ClusterIngress, TranslateContext, Translation
from kingress.api.fielderrors import ValidationError
from kingress.schemas import SchemaUnavailable, schema_errors
from kingress_conformance.case import Case, ExternalTarget, TestService
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
    describe,
    seen,
)
from kingress_conformance.models import Decision, Model, ModelEnv, ModelError, model_for
from kingress_conformance.models.decision import NO_LISTENER, Forward, Object, UpstreamProtocol
from kingress_conformance.observe import Observation, mismatch
from kingress_conformance.outcome import (
    CaseResult,
    CheckResult,
    failed,
    passed,
    skipped,
    step_passed,
)
from kingress_conformance.pipeline import (
    BackendFailure,
    Prepared,
    prepare,
    services_context,
    translate,
    with_class,
)
from kingress_conformance.requests import Gateway, Request

#: Offline, a share must equal its percent within rounding.
EXACT = 0.5
#: The gRPC method the ping client calls (as a request, for the model).
GRPC_PATH = "/ping.PingService/PingStream"


class OfflineFailure(Exception):
    """A step before the checks failed; the case fails with this message."""

    def __init__(self, check: str, message: str) -> None:
        super().__init__(message)
        self.check = check


def backend_class(backend: Backend) -> str:
    """The class the suite puts on the case's ingresses: the backend's first, sorted."""
    return sorted(backend.ingress_classes)[0]


def offline_address(service: TestService) -> tuple[str, int] | None:
    """A stable made-up endpoint per test Service (the real depths use real ones).

    Distinct per name (a hash spread over 10.0.0.0/8), so a model that knows
    upstreams only by address, as Envoy does, can tell the Services apart.
    """
    if service.external is not None:
        return None
    digest = hashlib.sha256(service.name.encode()).digest()
    return (f"10.{digest[0]}.{digest[1]}.{digest[2]}", 8080)


@dataclass(slots=True)
class Translated:
    """The case's ingresses, prepared and translated."""

    prepared: dict[str, Prepared] = field(default_factory=dict)
    translations: dict[str, Translation] = field(default_factory=dict)

    def objects(self, without: str = "") -> list[Object]:
        """Every object of every ingress (but ``without``), in case order."""
        return [o for name, t in self.translations.items() if name != without for o in t.objects]


def translate_checked(
    backend: Backend, ingress: ClusterIngress, context: TranslateContext
) -> tuple[Prepared, Translation]:
    """Prepare and translate as the controller does; twice more to prove it deterministic."""
    name = ingress.metadata.name
    try:
        ready = prepare(ingress)
    except ValidationError as error:
        raise OfflineFailure("validate", f"ingress {name}: {error}") from error
    try:
        first = translate(backend, ready, context)
        second = translate(backend, ready, context)
        rebuilt = prepare(ClusterIngress.from_dict(ready.ingress.to_dict()))
        third = translate(backend, rebuilt, context)
    except BackendFailure as failure:
        raise OfflineFailure(
            "translate", f"ingress {name}: {failure.reason}: {failure}"
        ) from failure
    if not first == second == third:
        raise OfflineFailure("deterministic", f"ingress {name}: two translations differ")
    return ready, first


def schema_results(objects: Sequence[Object]) -> list[CheckResult]:
    """One result per distinct outcome: errors fail, a missing schema skips with its reason."""
    problems: list[str] = []
    missing: set[str] = set()
    for obj in objects:
        try:
            errors = schema_errors(obj)
        except SchemaUnavailable as error:
            missing.add(str(error))
            continue
        name = f"{obj.get('kind')} {(obj.get('metadata') or {}).get('name')}"
        problems += [f"{name}: {e}" for e in errors]
    results = [skipped("schema", reason) for reason in sorted(missing)]
    if problems:
        results.append(failed("schema", "; ".join(problems[:5])))
    elif objects and not missing:
        results.append(step_passed("schema"))
    return results


class OfflineRun:
    """One case against one backend, offline."""

    def __init__(self, backend: Backend, case: Case, config: dict[str, str] | None = None) -> None:
        self.backend = backend
        self.case = case
        self.config = config or {}
        self.ingress_class = backend_class(backend)
        self.state = Translated()
        self.context = TranslateContext()
        self.model: Model | None = None

    def result(self) -> CaseResult:
        """Run every step and check; the case's result."""
        try:
            results = self._translate()
        except OfflineFailure as failure:
            return CaseResult.of_checks(
                self.case.key, self.backend.name, (failed(failure.check, str(failure)),)
            )
        objects = self.state.objects()
        results += schema_results(objects)
        self.model = model_for(objects)
        for check in self.case.checks:
            results.append(self._check(check))
        return CaseResult.of_checks(self.case.key, self.backend.name, tuple(results))

    def _translate(self) -> list[CheckResult]:
        ingresses = [with_class(i, self.ingress_class) for i in self.case.ingresses]
        private = ""
        if ingresses and any(s.external for s in self.case.services):
            probe_context = services_context(self.case, offline_address, lambda s: "", self.config)
            _, translation = translate_checked(self.backend, ingresses[0], probe_context)
            private = _lb_host(translation)
        self.context = services_context(self.case, offline_address, lambda s: private, self.config)
        for ingress in ingresses:
            ready, translation = translate_checked(self.backend, ingress, self.context)
            self.state.prepared[ingress.metadata.name] = ready
            self.state.translations[ingress.metadata.name] = translation
        return [step_passed("deterministic")] if ingresses else []

    # -- evaluation ---------------------------------------------------------------------------

    def _check(self, check: Check) -> CheckResult:
        name = describe(check)
        if isinstance(check, Unchanged):
            return self._unchanged(check, name)
        if self.model is None and self.state.objects():
            kinds = sorted({f"{o.get('apiVersion')}/{o.get('kind')}" for o in self.state.objects()})
            return skipped(name, f"no routing model recognizes {', '.join(kinds) or 'no objects'}")
        try:
            problem = self._evaluate(check)
        except ModelError as error:
            model = self.model.name if self.model else "routing"
            return skipped(name, f"the {model} model cannot judge this: {error}")
        except OfflineFailure as failure:
            return failed(name, str(failure))
        return passed(name) if problem is None else failed(name, problem)

    def _decide(self, request: Request, objects: Sequence[Object] | None = None) -> Decision:
        chosen = self.state.objects() if objects is None else objects
        if not chosen:
            return Decision(status=NO_LISTENER, note="the backend made no objects")
        assert self.model is not None
        env = ModelEnv(services=self.context.services, cluster_domain=self.context.cluster_domain)
        decision = self.model.decide(chosen, request, env)
        return self._through_private(decision, request, chosen, env)

    def _through_private(
        self, decision: Decision, request: Request, objects: Sequence[Object], env: ModelEnv
    ) -> Decision:
        """Follow forwards to an ExternalName Service of the private gateway (one more hop)."""
        assert self.model is not None
        forwards: list[Forward] = []
        for forward in decision.forwards:
            service = next((s for s in self.case.services if s.name == forward.service), None)
            if service is None or service.external != ExternalTarget.PRIVATE_GATEWAY:
                forwards.append(forward)
                continue
            hop = Request(
                host=forward.host,
                path=request.path,
                headers=forward.headers,
                gateway=Gateway.PRIVATE,
            )
            inner = self.model.decide(objects, hop, env)
            if inner.status != 200:
                return inner
            total = sum(f.weight for f in inner.positive) or 1
            forwards += [_scaled(f, forward.weight, total) for f in inner.positive]
        return Decision(
            status=decision.status,
            forwards=tuple(forwards),
            location=decision.location,
            retry=decision.retry,
            timeout=decision.timeout,
            idle_timeout=decision.idle_timeout,
            websocket=decision.websocket,
            note=decision.note,
        )

    def _evaluate(self, check: Check) -> str | None:
        if isinstance(check, Routes):
            return routes_problem(self._decide(check.request), check.to)
        if isinstance(check, NotFound):
            decision = self._decide(check.request)
            ok = decision.status in (404, NO_LISTENER)
            return (
                None if ok else f"answered {decision.status} ({_reached(decision)}), expected 404"
            )
        if isinstance(check, Redirects):
            decision = self._decide(check.request)
            if decision.status != check.status:
                return f"answered {decision.status}, expected a {check.status} redirect"
            want = f"https://{check.request.host}"
            return (
                None
                if decision.location.startswith(want)
                else f"redirects to {decision.location!r}"
            )
        if isinstance(check, Distribution):
            return distribution_problem(self._decide(check.request), check)
        if isinstance(check, NoRetry):
            decision = self._decide(check.request)
            problem = routes_problem(decision, (seen(check.backend),))
            if problem is None and decision.retry.retries(503):
                problem = f"the route retries a 503 ({decision.retry.attempts} attempts)"
            return problem
        if isinstance(check, NoTimeout):
            return timeout_problem(self._decide(check.request), check)
        if isinstance(check, WebsocketEcho):
            decision = self._decide(
                check.request.with_headers({"Connection": "Upgrade", "Upgrade": "websocket"})
            )
            problem = reaches_problem(decision, check.backends)
            if problem is None and not decision.websocket:
                problem = "the route does not pass websocket upgrades"
            return problem
        if isinstance(check, GrpcPing):
            grpc = Request(
                host=check.request.host,
                path=GRPC_PATH,
                headers=(("content-type", "application/grpc"),),
                gateway=check.request.gateway,
            )
            decision = self._decide(grpc)
            problem = reaches_problem(decision, check.backends)
            plain = [f.service for f in decision.positive if f.protocol != UpstreamProtocol.H2C]
            if problem is None and plain:
                problem = f"HTTP/1 (not h2c) to {', '.join(plain)}"
            return problem
        if isinstance(check, ProbeHash):
            expected = check.explicit or self.state.prepared[check.ingress].hash
            return routes_problem(
                self._decide(check.request), (seen(check.backend, {"K-Network-Hash": expected}),)
            )
        if isinstance(check, ClassChange):
            return self._class_change(check)
        if isinstance(check, Update):
            return self._update(check)
        raise AssertionError(f"unknown check {check!r}")

    def _unchanged(self, check: Unchanged, name: str) -> CheckResult:
        foreign = next(f for f in self.case.foreign if f.ingress.metadata.name == check.ingress)
        problem = claim_problem(self.backend, foreign.ingress_class)
        return passed(name) if problem is None else failed(name, problem)

    def _class_change(self, check: ClassChange) -> str | None:
        problem = routes_problem(self._decide(check.request), (seen(check.backend),))
        if problem is not None:
            return f"before the change: {problem}"
        if check.to_class in self.backend.ingress_classes:
            return f"the backend claims {check.to_class!r} too"
        after = self._decide(check.request, self.state.objects(without=check.ingress))
        return (
            None
            if after.status in (404, NO_LISTENER)
            else f"after the change: answered {after.status}"
        )

    def _update(self, check: Update) -> str | None:
        for index, version in enumerate(check.versions):
            ingress = with_class(version.ingress, self.ingress_class)
            ready, translation = translate_checked(self.backend, ingress, self.context)
            self.state.prepared[ingress.metadata.name] = ready
            self.state.translations[ingress.metadata.name] = translation
            problem = routes_problem(self._decide(check.request), (version.expect,))
            if problem is not None:
                return f"version {index + 1}: {problem}"
        return None


def claim_problem(backend: Backend, ingress_class: str | None) -> str | None:
    """Why an ingress of ``ingress_class`` would not be left alone: the backend claims it."""
    if ingress_class is not None and ingress_class in backend.ingress_classes:
        return f"the backend claims class {ingress_class!r}"
    return None


def _lb_host(translation: Translation) -> str:
    entries = translation.private_load_balancer.ingress
    if not entries:
        return ""
    entry = entries[0]
    return entry.domain_internal or entry.domain or entry.ip or ""


def _scaled(forward: Forward, weight: int, total: int) -> Forward:
    return Forward(
        namespace=forward.namespace,
        service=forward.service,
        port=forward.port,
        weight=forward.weight * weight * 100 // total,
        headers=forward.headers,
        host=forward.host,
        protocol=forward.protocol,
    )


def _reached(decision: Decision) -> str:
    names = sorted({f.service for f in decision.positive})
    return "reaching " + ", ".join(names) if names else decision.note or "no upstream"


def routes_problem(decision: Decision, to: Sequence[Seen]) -> str | None:
    """Why ``decision`` does not send the request to exactly ``to``, as they expect."""
    if decision.status != 200:
        return f"answered {decision.status} ({decision.note or 'no route'})"
    problem = reaches_problem(decision, tuple(s.backend for s in to))
    if problem is not None:
        return problem
    for expected in to:
        forward = next(f for f in decision.positive if f.service == expected.backend)
        found = mismatch(expected, Observation.of_forward(forward))
        if found is not None:
            return found
    return None


def reaches_problem(decision: Decision, backends: Sequence[str]) -> str | None:
    """Why the positive-weight upstreams are not exactly ``backends``."""
    if decision.status != 200:
        return f"answered {decision.status} ({decision.note or 'no route'})"
    got = {f.service for f in decision.positive}
    if got != set(backends):
        return f"traffic goes to {sorted(got)}, expected {sorted(backends)}"
    return None


def distribution_problem(decision: Decision, check: Distribution) -> str | None:
    """Why the decision's shares are not the check's weights (exactly, offline)."""
    if decision.status != 200:
        return f"answered {decision.status} ({decision.note or 'no route'})"
    shares = decision.shares()
    problems = []
    for backend in sorted(set(shares) | set(check.weights)):
        want, got = check.weights.get(backend, 0), shares.get(backend, 0.0)
        if (want == 0) != (got == 0) or abs(want - got) > EXACT:
            problems.append(f"{backend}: {got:.1f}% instead of {want}%")
    return "; ".join(problems) or None


def timeout_problem(decision: Decision, check: NoTimeout) -> str | None:
    """Why a slow response would be cut by the route's timeouts."""
    problem = routes_problem(decision, (seen(check.backend),))
    if problem is not None:
        return problem
    whole = (check.before_ms + check.after_ms) / 1000
    idle = max(check.before_ms, check.after_ms) / 1000
    if decision.timeout is not None and decision.timeout < whole:
        return f"route timeout {decision.timeout:g}s cuts a {whole:g}s response"
    if decision.idle_timeout is not None and decision.idle_timeout < idle:
        return f"idle timeout {decision.idle_timeout:g}s cuts a {idle:g}s pause"
    return None
