"""The ClusterIngress reconciler, Knative TableTest style: a world in, the writes and status out.

Backends here are small real classes whose ``translate`` and ``check_ready``
are the functions a row gives; the cluster is the real in-memory store wrapped
in a ``RecordingCluster`` that logs every write.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pytest

import kingress
from kingress.api.annotations import INGRESS_CLASS, INGRESS_LABEL
from kingress.backends import BackendRegistry, Object
from kingress.cluster.errors import ApiError, Conflict, Invalid
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, ObjectRef
from kingress.cluster.recording import RecordingCluster, Verb
from kingress.controller.clock import FakeClock, stamp
from kingress.controller.ingress import (
    APPLIED_KINDS,
    CLUSTER_INGRESS,
    GRANTED_HOSTS,
    IngressReconciler,
    IngressSettings,
)
from kingress.controller.reconciler import Context, Result
from kingress.controller.settle import settle
from kingress.frozen import FrozenDict
from kingress.testing import ingress, path, rule, split

Produce = Callable[[kingress.ClusterIngress, kingress.TranslateContext], Any]
Verdict = Callable[[Sequence[Object]], kingress.Readiness]

CLOCK = FakeClock()
REF = ObjectRef(CLUSTER_INGRESS, "default", "hello")
INGRESS = str(REF)
CONFIG_MAP = Kind("", "ConfigMap")
PUBLIC = kingress.LoadBalancerStatus(
    ingress=(kingress.LoadBalancerIngressStatus(domain_internal="public.gw.svc.cluster.local"),)
)
PRIVATE = kingress.LoadBalancerStatus(
    ingress=(kingress.LoadBalancerIngressStatus(domain_internal="private.gw.svc.cluster.local"),)
)


def describe_context(context: kingress.TranslateContext) -> str:
    """The whole context as JSON, so a test can see what the core passed."""
    return json.dumps(
        {
            "config": dict(context.config),
            "domain": context.cluster_domain,
            "services": {
                f"{ns}/{name}": asdict(svc) for (ns, name), svc in context.services.items()
            },
        },
        sort_keys=True,
    )


def routes(kind: str = "ConfigMap") -> Produce:
    """One ``kind`` object per rule, recording its hosts and the context; no host rewrites."""

    def produce(ing: kingress.ClusterIngress, context: kingress.TranslateContext) -> Any:
        for r, each in enumerate(ing.spec.rules):
            for p, route in enumerate(each.http.paths if each.http else ()):
                if route.rewrite_host:
                    raise kingress.NotSupported(
                        f"spec.rules[{r}].http.paths[{p}].rewriteHost: not supported"
                    )
        objects = tuple(
            {
                "apiVersion": "v1",
                "kind": kind,
                "metadata": {"name": f"{ing.metadata.name}-r{i}", "namespace": "default"},
                "data": {"hosts": ",".join(each.hosts), "context": describe_context(context)},
            }
            for i, each in enumerate(ing.spec.rules)
        )
        return kingress.Translation(
            objects=objects, public_load_balancer=PUBLIC, private_load_balancer=PRIVATE
        )

    return produce


def raising(error: Exception) -> Produce:
    """A translate that raises ``error``."""

    def produce(ing: kingress.ClusterIngress, context: kingress.TranslateContext) -> Any:
        raise error

    return produce


def returning(value: object) -> Produce:
    """A translate that returns ``value``, whatever it is."""

    def produce(ing: kingress.ClusterIngress, context: kingress.TranslateContext) -> Any:
        return value

    return produce


def serving(applied: Sequence[Object]) -> kingress.Readiness:
    return kingress.Readiness.serving()


def accepted(applied: Sequence[Object]) -> kingress.Readiness:
    """Like a gateway writing ``status.accepted`` on each object it has taken."""
    states = [obj.get("status", {}).get("accepted") for obj in applied]
    if False in states:
        return kingress.Readiness.failed("GatewayRejected", "the gateway refused the routes")
    return kingress.Readiness.serving() if all(states) else kingress.Readiness.waiting()


def klass(name: str) -> str:
    return f"{name}.ingress.networking.knative.dev"


def crashing(applied: Sequence[Object]) -> kingress.Readiness:
    raise KeyError("status")


@dataclass
class Gateway:
    """A small real backend: ``translate`` and ``check_ready`` are the functions given."""

    name: str
    produce: Produce = field(default_factory=routes)
    verdict: Verdict = serving
    features: frozenset[kingress.Feature] = frozenset()
    ingress_classes: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.ingress_classes = frozenset({klass(self.name)})

    def translate(
        self, ingress: kingress.ClusterIngress, context: kingress.TranslateContext
    ) -> kingress.Translation:
        result: kingress.Translation = self.produce(ingress, context)
        return result

    def check_ready(
        self, ingress: kingress.ClusterIngress, applied: Sequence[Object]
    ) -> kingress.Readiness:
        return self.verdict(applied)


def hello(
    ingress_class: str | None = klass("routes"),
    *,
    hosts: Sequence[str] = ("hello.example.com",),
    rules: Sequence[kingress.IngressRule] | None = None,
) -> Object:
    """The ClusterIngress ``default/hello`` as stored: by default one rule per host."""
    if rules is None:
        rules = [rule([host], paths=[path(splits=[split("hello-00001")])]) for host in hosts]
    obj = ingress("hello", rules=rules, ingress_class=ingress_class).to_dict()
    obj["metadata"].pop("uid")
    return obj


def configmap(name: str, **extra: Any) -> Object:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, **extra}}


def world(*objects: Object) -> tuple[MemoryCluster, RecordingCluster]:
    store = MemoryCluster(clock=CLOCK.now)
    for obj in objects:
        store.create(obj)
    return store, RecordingCluster(store)


def reconcile(cluster: RecordingCluster, *backends: Gateway) -> Result:
    registry = BackendRegistry()
    for backend in backends:
        registry.add(backend, distribution="tests")
    return IngressReconciler(registry).reconcile(Context(cluster, CLOCK), REF)


def actions(cluster: RecordingCluster) -> list[tuple[Verb, str]]:
    return [(action.verb, str(action.ref)) for action in cluster.actions]


def conditions(store: MemoryCluster) -> dict[str, tuple[str, str | None, str | None]]:
    status = store.get(REF.kind, REF.namespace, REF.name).get("status", {})
    return {
        c["type"]: (c["status"], c.get("reason"), c.get("message"))
        for c in status.get("conditions", ())
    }


STATUS = (Verb.UPDATE_STATUS, INGRESS)


def created(kind: str, name: str) -> tuple[Verb, str]:
    return (Verb.CREATE, f"{kind} default/{name}")


@pytest.mark.parametrize(
    "annotations",
    [
        pytest.param(None, id="no-annotations"),
        pytest.param({}, id="empty-annotations"),
        pytest.param({INGRESS_CLASS: "incorrect"}, id="incorrect"),
        pytest.param({INGRESS_CLASS: ""}, id="empty-class"),
        pytest.param({INGRESS_CLASS: klass("other")}, id="unclaimed"),
    ],
)
def test_an_unclaimed_class_leaves_the_ingress_exactly_as_it_is(
    annotations: dict[str, str] | None,
) -> None:
    obj = hello(ingress_class=None)
    if annotations is None:
        obj["metadata"].pop("annotations", None)
    else:
        obj["metadata"]["annotations"] = annotations
    store, cluster = world(obj)
    before = store.get(REF.kind, REF.namespace, REF.name)
    reconcile(cluster, Gateway("routes"))
    assert cluster.actions == []
    assert store.get(REF.kind, REF.namespace, REF.name) == before


@dataclass(frozen=True)
class Row:
    """One reconcile of ``default/hello`` on a fresh world."""

    id: str
    backend: Gateway
    ingress: Object = field(default_factory=hello)
    world: tuple[Object, ...] = ()
    want_actions: tuple[tuple[Verb, str], ...] = (created("ConfigMap", "hello-r0"), STATUS)
    #: type -> (status, reason); message checked separately.
    want: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    want_message: str | None = None
    want_requeue: bool = False


READY = {"Ready": ("True", None), "NetworkConfigured": ("True", None)}
ROWS = [
    Row("happy", Gateway("routes"), want={**READY, "LoadBalancerReady": ("True", None)}),
    Row(
        "short-alias-class",
        Gateway("routes"),
        ingress=hello(ingress_class="routes"),
        want={**READY, "LoadBalancerReady": ("True", None)},
    ),
    Row(
        "invalid-spec",
        Gateway("routes"),
        ingress=hello(
            rules=[rule(["h.example.com"], paths=[path(splits=[split("a", 60), split("b", 30)])])]
        ),
        want_actions=(STATUS,),
        want={"Ready": ("False", "ValidationFailed"), "LoadBalancerReady": ("Unknown", None)},
        want_message=(
            "traffic split percentage must total to 100, but was 90: "
            "spec.rules[0].http.paths[0].splits"
        ),
    ),
    Row(
        "backend-raises",
        Gateway("routes", raising(RuntimeError("boom"))),
        want_actions=(STATUS,),
        want={"NetworkConfigured": ("False", "TranslationFailed")},
        want_message="backend routes raised RuntimeError: boom",
    ),
    Row(
        "not-supported",
        Gateway("routes"),
        ingress=hello(
            rules=[rule(["h.example.com"], paths=[path(splits=[split("a")], rewrite_host="x.y")])]
        ),
        want_actions=(STATUS,),
        want={"Ready": ("False", "NotSupported")},
        want_message="spec.rules[0].http.paths[0].rewriteHost: not supported",
    ),
    Row(
        "backend-reason",
        Gateway("routes", raising(kingress.TranslationError("host taken", "DomainConflict"))),
        want_actions=(STATUS,),
        want={"Ready": ("False", "DomainConflict")},
        want_message="host taken",
    ),
    Row(
        "readiness-waiting",
        Gateway("routes", verdict=accepted),
        want={
            "NetworkConfigured": ("True", None),
            "LoadBalancerReady": ("Unknown", "Uninitialized"),
            "Ready": ("Unknown", "Uninitialized"),
        },
        want_message="Waiting for load balancer to be ready",
        want_requeue=True,
    ),
    Row(
        "readiness-failed",
        Gateway("routes", verdict=lambda applied: accepted([{"status": {"accepted": False}}])),
        want={
            "LoadBalancerReady": ("False", "GatewayRejected"),
            "Ready": ("False", "GatewayRejected"),
        },
        want_message="the gateway refused the routes",
    ),
    Row(
        "readiness-check-crashes",
        Gateway("routes", verdict=crashing),
        want={"Ready": ("False", "ReadinessCheckFailed")},
        want_message="backend routes check_ready raised KeyError: 'status'",
    ),
    Row(
        "not-owned",
        Gateway("routes"),
        world=(configmap("hello-r0", namespace="default"),),
        want_actions=(STATUS,),
        want={"Ready": ("False", "NotOwned")},
        want_message='There is an existing ConfigMap "hello-r0" that we do not own.',
    ),
]


@pytest.mark.parametrize("row", [pytest.param(row, id=row.id) for row in ROWS])
def test_reconcile(row: Row) -> None:
    store, cluster = world(row.ingress, *row.world)
    result = reconcile(cluster, row.backend)
    assert actions(cluster) == list(row.want_actions)
    got = conditions(store)
    for type_, (status, reason) in row.want.items():
        assert got[type_][:2] == (status, reason), type_
    assert set(got) == {"Ready", "NetworkConfigured", "LoadBalancerReady"}
    if row.want_message is not None:
        assert got["Ready"][2] == row.want_message
    assert (result.requeue_after is not None) == row.want_requeue


def test_happy_path_applies_owned_labelled_objects_and_publishes_the_load_balancers() -> None:
    store, cluster = world(hello(hosts=["a.example.com", "b.example.com"]))
    reconcile(cluster, Gateway("routes"))
    ingress_obj = store.get(REF.kind, REF.namespace, REF.name)
    for name in ("hello-r0", "hello-r1"):
        child = store.get(CONFIG_MAP, "default", name)
        assert child["metadata"]["labels"] == {INGRESS_LABEL: "hello"}
        [owner] = child["metadata"]["ownerReferences"]
        assert owner["uid"] == ingress_obj["metadata"]["uid"]
        assert (owner["kind"], owner["name"], owner["controller"]) == (
            "ClusterIngress",
            "hello",
            True,
        )
    status = ingress_obj["status"]
    assert status["observedGeneration"] == 1
    assert status["publicLoadBalancer"] == PUBLIC.to_dict()
    assert status["privateLoadBalancer"] == PRIVATE.to_dict()
    assert status["annotations"] == {
        APPLIED_KINDS: "ConfigMap",
        GRANTED_HOSTS: "a.example.com,b.example.com",
    }
    assert {c["lastTransitionTime"] for c in status["conditions"]} == {stamp(CLOCK)}


def test_a_second_reconcile_writes_nothing() -> None:
    _, cluster = world(hello())
    reconcile(cluster, Gateway("routes"))
    cluster.actions.clear()
    reconcile(cluster, Gateway("routes"))
    assert cluster.actions == []


def test_an_ingress_being_deleted_or_gone_is_left_alone() -> None:
    store, cluster = world(hello())
    reconcile(cluster, Gateway("routes"))
    obj = copy.deepcopy(store.get(REF.kind, REF.namespace, REF.name))
    obj["metadata"]["finalizers"] = ["someone.else/cleanup"]
    store.update(obj)
    store.delete(REF.kind, REF.namespace, REF.name)
    cluster.actions.clear()
    reconcile(cluster, Gateway("routes"))
    assert cluster.actions == []
    obj = copy.deepcopy(store.get(REF.kind, REF.namespace, REF.name))
    obj["metadata"]["finalizers"] = []
    store.update(obj)
    assert store.list(CONFIG_MAP) == []  # collected through the owner reference
    reconcile(cluster, Gateway("routes"))
    assert cluster.actions == []


def good(name: str = "x", **metadata: Any) -> Object:
    return configmap(name, **{"namespace": "default", **metadata})


@pytest.mark.parametrize(
    ("output", "problem"),
    [
        pytest.param(
            [good()], "translate returned a list, not a Translation", id="not-translation"
        ),
        pytest.param(
            kingress.Translation(objects=(good("ok"), good(namespace="other"))),
            "objects[1] (ConfigMap x): metadata.namespace is 'other', "
            "must be the ingress's namespace 'default'",
            id="other-namespace",
        ),
        pytest.param(
            kingress.Translation(
                objects=(good(ownerReferences=[{"kind": "Route", "name": "r", "uid": "u"}]),)
            ),
            "objects[0] (ConfigMap x): carries a foreign owner reference (Route r)",
            id="foreign-owner",
        ),
    ],
)
def test_invalid_output_fails_the_ingress_and_applies_nothing(output: object, problem: str) -> None:
    store, cluster = world(hello())
    reconcile(cluster, Gateway("routes", returning(output)))
    assert actions(cluster) == [STATUS]
    assert conditions(store)["NetworkConfigured"] == (
        "False",
        "TranslationFailed",
        f"backend routes returned invalid output: {problem}",
    )


def test_spec_change_updates_objects_and_deletes_stale_ones() -> None:
    store, cluster = world(hello(hosts=["a.example.com", "b.example.com"]))
    reconcile(cluster, Gateway("routes"))
    obj = copy.deepcopy(store.get(REF.kind, REF.namespace, REF.name))
    store.update({**obj, "spec": hello(hosts=["c.example.com"])["spec"]})
    cluster.actions.clear()
    reconcile(cluster, Gateway("routes"))
    assert actions(cluster) == [
        (Verb.UPDATE, "ConfigMap default/hello-r0"),
        (Verb.DELETE, "ConfigMap default/hello-r1"),
        STATUS,
    ]
    assert store.get(CONFIG_MAP, "default", "hello-r0")["data"]["hosts"] == "c.example.com"
    assert store.get(REF.kind, REF.namespace, REF.name)["status"]["observedGeneration"] == 2


def test_class_change_deletes_every_object_of_the_previous_backend() -> None:
    backends = (Gateway("routes"), Gateway("secrets", routes("Secret")))
    store, cluster = world(hello(hosts=["a.example.com", "b.example.com"]))
    reconcile(cluster, *backends)
    obj = copy.deepcopy(store.get(REF.kind, REF.namespace, REF.name))
    obj["metadata"]["annotations"][INGRESS_CLASS] = "secrets"
    store.update(obj)
    cluster.actions.clear()
    reconcile(cluster, *backends)
    assert actions(cluster) == [
        created("Secret", "hello-r0"),
        created("Secret", "hello-r1"),
        (Verb.DELETE, "ConfigMap default/hello-r0"),
        (Verb.DELETE, "ConfigMap default/hello-r1"),
        STATUS,
    ]
    status = store.get(REF.kind, REF.namespace, REF.name)["status"]
    assert status["annotations"] == {
        APPLIED_KINDS: "Secret",
        GRANTED_HOSTS: "a.example.com,b.example.com",
    }


def test_a_failed_translation_keeps_the_objects_that_serve_the_last_good_spec() -> None:
    store, cluster = world(hello())
    reconcile(cluster, Gateway("routes"))
    obj = copy.deepcopy(store.get(REF.kind, REF.namespace, REF.name))
    obj["spec"]["rules"][0]["http"]["paths"][0]["rewriteHost"] = "elsewhere.example.com"
    store.update(obj)
    cluster.actions.clear()
    reconcile(cluster, Gateway("routes"))
    assert actions(cluster) == [STATUS]
    assert store.get(CONFIG_MAP, "default", "hello-r0")["data"]["hosts"] == "hello.example.com"
    status = store.get(REF.kind, REF.namespace, REF.name)["status"]
    assert status["annotations"] == {APPLIED_KINDS: "ConfigMap", GRANTED_HOSTS: "hello.example.com"}


@pytest.mark.parametrize(
    ("error", "ready"),
    [
        # A refusal is the ingress's failure: Ready=False.
        pytest.param(Invalid("Secret is not allowed here"), "False", id="refused"),
        # A 409 is routine: the ingress must go Unknown (as Knative's
        # MarkIngressNotReady), never Ready=False, which would turn its Route
        # and Service Ready=False.
        pytest.param(Conflict("the object has been modified"), "Unknown", id="may-pass"),
    ],
)
def test_a_failed_write_is_recorded_reported_and_retried(error: ApiError, ready: str) -> None:
    store, cluster = world(hello())
    cluster.failures[(Verb.CREATE, "Secret")] = error
    backend = Gateway("routes", compose(routes("ConfigMap"), routes("Secret")))
    with pytest.raises(type(error)):
        reconcile(cluster, backend)
    assert actions(cluster) == [created("ConfigMap", "hello-r0"), STATUS]
    status = store.get(REF.kind, REF.namespace, REF.name)["status"]
    assert status["annotations"] == {
        APPLIED_KINDS: "ConfigMap,Secret",
        GRANTED_HOSTS: "hello.example.com",
    }
    assert conditions(store)["Ready"] == (ready, "ReconcileIngressFailed", error.message)


def compose(*produces: Produce) -> Produce:
    """The objects of every ``produce``, in order, with the first one's load balancers."""

    def produce(ing: kingress.ClusterIngress, context: kingress.TranslateContext) -> Any:
        results = [each(ing, context) for each in produces]
        objects = tuple(obj for result in results for obj in result.objects)
        return dataclasses.replace(results[0], objects=objects)

    return produce


def named(name: str, ingress_class: str) -> Object:
    obj = hello(ingress_class, hosts=[f"{name}.example.com"])
    obj["metadata"]["name"] = name
    return obj


def ready_of(store: MemoryCluster, name: str) -> tuple[str, str | None]:
    status = store.get(CLUSTER_INGRESS, "default", name)["status"]
    ready = next(c for c in status["conditions"] if c["type"] == "Ready")
    return ready["status"], ready.get("reason")


def test_one_failing_backend_does_not_stop_the_others_in_a_settle_run() -> None:
    store = MemoryCluster(clock=CLOCK.now)
    for name, backend in (("one", "routes"), ("two", "boom"), ("three", "routes")):
        store.create(named(name, klass(backend)))
    registry = BackendRegistry()
    registry.add(Gateway("routes"), distribution="tests")
    registry.add(Gateway("boom", raising(ZeroDivisionError("division by zero"))), distribution="t")
    report = settle(store, [IngressReconciler(registry)], CLOCK)
    assert report.transient_errors == []
    assert ready_of(store, "one") == ready_of(store, "three") == ("True", None)
    assert ready_of(store, "two") == ("False", "TranslationFailed")
    assert sorted(o["metadata"]["name"] for o in store.list(CONFIG_MAP)) == ["one-r0", "three-r0"]


def settled(*objects: Object, backend: Gateway, **options: Any) -> tuple[MemoryCluster, Any]:
    store = MemoryCluster(clock=CLOCK.now)
    for obj in objects:
        store.create(obj)
    registry = BackendRegistry()
    registry.add(backend, distribution="tests")
    reconciler = IngressReconciler(registry, **options)
    settle(store, [reconciler], CLOCK)
    return store, reconciler


def test_a_gateway_writing_status_on_an_object_re_triggers_readiness() -> None:
    store, reconciler = settled(hello(), backend=Gateway("routes", verdict=accepted))
    assert ready_of(store, "hello") == ("Unknown", "Uninitialized")
    child = store.get(CONFIG_MAP, "default", "hello-r0")
    store.update_status({**child, "status": {"accepted": True}})
    settle(store, [reconciler], CLOCK)
    assert ready_of(store, "hello") == ("True", None)


def test_a_tampered_object_is_put_back() -> None:
    store, reconciler = settled(hello(), backend=Gateway("routes"))
    child = store.get(CONFIG_MAP, "default", "hello-r0")
    store.update({**child, "data": {"hosts": "evil.example.com"}})
    settle(store, [reconciler], CLOCK)
    assert store.get(CONFIG_MAP, "default", "hello-r0")["data"]["hosts"] == "hello.example.com"


def service(name: str, **spec: Any) -> Object:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "default"},
        "spec": spec,
    }


ENDPOINTS = {
    "apiVersion": "v1",
    "kind": "Endpoints",
    "metadata": {"name": "hello-00001", "namespace": "default"},
    "subsets": [
        {
            "addresses": [{"ip": "10.0.0.2"}, {"ip": "10.0.0.1"}],
            "notReadyAddresses": [{"ip": "10.0.0.9"}],
            "ports": [{"name": "http2", "port": 8012}],
        }
    ],
}


def recorded_context(store: MemoryCluster) -> Any:
    return json.loads(store.get(CONFIG_MAP, "default", "hello-r0")["data"]["context"])


def test_services_endpoints_and_config_reach_the_backend_and_re_trigger_it() -> None:
    h2c = {"name": "http2", "port": 80, "targetPort": 8012, "appProtocol": "kubernetes.io/h2c"}
    store, reconciler = settled(
        hello(),
        service("hello-00001", type="ClusterIP", clusterIP="10.96.0.7", ports=[h2c]),
        ENDPOINTS,
        configmap("config-routes", namespace="knative-serving") | {"data": {"mode": "fast"}},
        backend=Gateway("routes"),
    )
    context = recorded_context(store)
    assert context["config"] == {"mode": "fast"}
    assert context["domain"] == "cluster.local"
    assert context["services"] == {
        "default/hello-00001": {
            "namespace": "default",
            "name": "hello-00001",
            "type": "ClusterIP",
            "cluster_ip": "10.96.0.7",
            "external_name": "",
            "ports": [
                {
                    "name": "http2",
                    "port": 80,
                    "target_port": 8012,
                    "app_protocol": h2c["appProtocol"],
                }
            ],
            "endpoints": [
                {"ip": "10.0.0.1", "port": 8012, "port_name": "http2"},
                {"ip": "10.0.0.2", "port": 8012, "port_name": "http2"},
            ],
        }
    }
    store.delete(ObjectRef.of(ENDPOINTS).kind, "default", "hello-00001")
    config = store.get(CONFIG_MAP, "knative-serving", "config-routes")
    store.update({**config, "data": {"mode": "slow"}})
    settle(store, [reconciler], CLOCK)
    context = recorded_context(store)
    assert context["services"]["default/hello-00001"]["endpoints"] == []
    assert context["config"] == {"mode": "slow"}


def test_a_missing_service_is_absent_and_its_creation_re_triggers_the_ingress() -> None:
    store, reconciler = settled(hello(), backend=Gateway("routes"))
    assert recorded_context(store)["services"] == {}
    store.create(service("hello-00001", type="ExternalName", externalName="x.example.com"))
    settle(store, [reconciler], CLOCK)
    got = recorded_context(store)["services"]["default/hello-00001"]
    assert (got["type"], got["external_name"]) == ("ExternalName", "x.example.com")


def test_settings_choose_the_config_namespace_and_cluster_domain() -> None:
    store, _ = settled(
        hello(),
        configmap("config-routes", namespace="kingress-system") | {"data": {"a": "b"}},
        backend=Gateway("routes"),
        settings=IngressSettings(system_namespace="kingress-system", cluster_domain="corp.local"),
    )
    context = recorded_context(store)
    assert (context["config"], context["domain"]) == ({"a": "b"}, "corp.local")


@dataclass
class Prober:
    """A gateway prober that answers as told and remembers what it was asked."""

    answer: kingress.Readiness
    asked: list[tuple[str, str]] = field(default_factory=list)

    def probe(
        self, ingress: kingress.ClusterIngress, hash_: str, translation: kingress.Translation
    ) -> kingress.Readiness:
        self.asked.append((ingress.metadata.name, hash_))
        return self.answer


def test_the_prober_has_the_last_word_and_gets_the_ingress_hash() -> None:
    prober = Prober(kingress.Readiness.waiting("Probing", "probing 2 gateway pods"))
    store, _ = settled(hello(), backend=Gateway("routes"), prober=prober)
    assert conditions(store)["LoadBalancerReady"] == (
        "Unknown",
        "Probing",
        "probing 2 gateway pods",
    )
    assert "publicLoadBalancer" not in store.get(REF.kind, REF.namespace, REF.name)["status"]
    stored = kingress.ClusterIngress.from_dict(hello())
    assert prober.asked[0] == ("hello", kingress.compute_hash(stored))


def test_moving_to_a_class_kingress_does_not_serve_leaves_everything_alone() -> None:
    store, reconciler = settled(hello(), backend=Gateway("routes"))
    obj = copy.deepcopy(store.get(REF.kind, REF.namespace, REF.name))
    obj["metadata"]["annotations"][INGRESS_CLASS] = "kourier.ingress.networking.knative.dev"
    store.update(obj)
    before = store.resource_version
    settle(store, [reconciler], CLOCK)
    assert store.resource_version == before
    assert store.get(CONFIG_MAP, "default", "hello-r0")


def counting(produce: Produce, calls: list[str]) -> Produce:
    """``produce``, noting each call."""

    def counted(ing: kingress.ClusterIngress, context: kingress.TranslateContext) -> Any:
        calls.append(ing.metadata.name)
        return produce(ing, context)

    return counted


def test_a_translation_is_reused_while_its_inputs_are_unchanged() -> None:
    calls: list[str] = []
    store, _ = world(hello(), configmap("config-routes", namespace="knative-serving"))
    registry = BackendRegistry()
    registry.add(Gateway("routes", produce=counting(routes(), calls)), distribution="tests")
    reconciler = IngressReconciler(registry)
    ctx = Context(store, CLOCK)
    reconciler.reconcile(ctx, REF)
    reconciler.reconcile(ctx, REF)
    assert calls == ["hello"]
    config = store.get(CONFIG_MAP, "knative-serving", "config-routes")
    store.update({**config, "data": {"mode": "slow"}})
    reconciler.reconcile(ctx, REF)
    assert calls == ["hello", "hello"]
    assert recorded_context(store)["config"] == {"mode": "slow"}
    obj = store.get(CLUSTER_INGRESS, "default", "hello")
    store.update({**obj, "spec": hello(hosts=["other.example.com"])["spec"]})
    reconciler.reconcile(ctx, REF)
    assert calls == ["hello", "hello", "hello"]


@dataclass
class Keeping(Prober):
    """A prober that keeps the translations it is shown."""

    shown: list[kingress.Translation] = field(default_factory=list)

    def probe(
        self, ingress: kingress.ClusterIngress, hash_: str, translation: kingress.Translation
    ) -> kingress.Readiness:
        self.shown.append(translation)
        return super().probe(ingress, hash_, translation)


def test_a_reused_translation_is_kept_frozen_in_the_parts_of_the_stored_objects() -> None:
    store, _ = world(hello())
    registry = BackendRegistry()
    registry.add(Gateway("routes"), distribution="tests")
    prober = Keeping(kingress.Readiness.serving())
    reconciler = IngressReconciler(registry, prober=prober)
    reconciler.reconcile(Context(store, CLOCK), REF)
    reconciler.reconcile(Context(store, CLOCK), REF)
    first, again = prober.shown
    assert again == first
    [kept] = again.objects
    assert type(kept) is FrozenDict
    assert kept["data"] is store.get(CONFIG_MAP, "default", "hello-r0")["data"]


def test_a_failed_translation_is_tried_again() -> None:
    calls: list[str] = []
    store, _ = world(hello())
    registry = BackendRegistry()
    produce = counting(raising(RuntimeError("boom")), calls)
    registry.add(Gateway("routes", produce=produce), distribution="tests")
    reconciler = IngressReconciler(registry)
    reconciler.reconcile(Context(store, CLOCK), REF)
    reconciler.reconcile(Context(store, CLOCK), REF)
    assert calls == ["hello", "hello"]
