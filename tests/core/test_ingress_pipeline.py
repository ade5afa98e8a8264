"""The steps between a ClusterIngress and a backend's objects, and the contract checks on them."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

import kingress
from kingress.api.annotations import INGRESS_LABEL, INGRESS_NAMESPACE_LABEL
from kingress.api.fielderrors import ValidationError
from kingress.backends import Object
from kingress.contract import (
    ContractViolation,
    check_backend,
    check_declarations,
    check_deterministic,
    check_probe,
    check_readiness,
    reordered,
)
from kingress.frozen import FrozenDict, ReadOnlyError, freeze
from kingress.ingress.output import Placement, checked_objects, output_problems
from kingress.ingress.pipeline import BackendFailure, PreparedCache, prepare, translate
from kingress.ingress.pipeline import kept as pipeline_kept
from kingress.testing import ingress, path, rule, simple_ingress, split, tls

HELLO = simple_ingress()
UID = HELLO.metadata.uid


def obj(name: str = "x", kind: str = "ConfigMap", **metadata: Any) -> Object:
    return {
        "apiVersion": "v1",
        "kind": kind,
        "metadata": {"name": name, "namespace": "default", **metadata},
    }


def objects(*items: object) -> kingress.Translation:
    return kingress.Translation(objects=items)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("result", "problems"),
    [
        pytest.param(objects(obj("a"), obj("b")), [], id="valid"),
        pytest.param(
            objects(obj(ownerReferences=[{"kind": "ClusterIngress", "name": "hello", "uid": UID}])),
            [],
            id="owned-by-the-ingress",
        ),
        pytest.param(objects(obj(labels={INGRESS_LABEL: "hello"})), [], id="own-label"),
        pytest.param(None, ["translate returned a NoneType, not a Translation"], id="none"),
        pytest.param(
            kingress.Translation(objects=[obj()]),  # type: ignore[arg-type]
            ["objects is a list, not a tuple"],
            id="list",
        ),
        pytest.param(
            kingress.Translation(public_load_balancer="lb"),  # type: ignore[arg-type]
            ["public_load_balancer is a str, not a LoadBalancerStatus"],
            id="bad-load-balancer",
        ),
        pytest.param(objects("x"), ["objects[0]: is a str, not a dict"], id="not-a-dict"),
        pytest.param(
            objects({"metadata": {"name": "x", "namespace": "default"}}),
            [
                "objects[0] (? x): apiVersion must be a non-empty string",
                "objects[0] (? x): kind must be a non-empty string",
            ],
            id="no-type",
        ),
        pytest.param(
            objects({"apiVersion": "v1", "kind": "ConfigMap"}),
            ["objects[0] (ConfigMap ?): metadata must be a mapping"],
            id="no-metadata",
        ),
        pytest.param(
            objects(obj("Not_A_Name")),
            [
                "objects[0] (ConfigMap Not_A_Name): metadata.name: Invalid value: 'Not_A_Name': "
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                "characters, '-' or '.', and must start and end with an alphanumeric character"
            ],
            id="bad-name",
        ),
        pytest.param(
            objects(obj(namespace="other")),
            [
                "objects[0] (ConfigMap x): metadata.namespace is 'other', "
                "must be the ingress's namespace 'default'"
            ],
            id="other-namespace",
        ),
        pytest.param(
            objects(obj(namespace=None)),
            [
                "objects[0] (ConfigMap x): metadata.namespace is missing, "
                "must be the ingress's namespace 'default'"
            ],
            id="no-namespace",
        ),
        pytest.param(
            objects(obj(kind="Namespace", namespace=None)),
            [
                "objects[0] (Namespace x): Namespace is cluster-scoped; "
                "a namespaced ClusterIngress cannot own it"
            ],
            id="cluster-scoped",
        ),
        pytest.param(
            objects(obj(ownerReferences=[{"kind": "Route", "name": "hello", "uid": "u"}])),
            ["objects[0] (ConfigMap x): carries a foreign owner reference (Route hello)"],
            id="foreign-owner",
        ),
        pytest.param(
            objects(obj(ownerReferences={"kind": "Route"})),
            ["objects[0] (ConfigMap x): metadata.ownerReferences must be a list of mappings"],
            id="owners-not-a-list",
        ),
        pytest.param(
            objects(obj(labels={INGRESS_LABEL: "other"})),
            [f"objects[0] (ConfigMap x): label {INGRESS_LABEL} is 'other', not 'hello'"],
            id="other-ingress-label",
        ),
        pytest.param(
            objects(obj(annotations={"a": 1})),
            ["objects[0] (ConfigMap x): metadata.annotations must map strings to strings"],
            id="bad-annotations",
        ),
        pytest.param(
            objects(obj(), obj()),
            ["objects[1] (ConfigMap x): duplicates objects[0]"],
            id="duplicate",
        ),
        pytest.param(
            objects({**obj(), "data": {"x": {1}}}),
            [
                "objects[0] (ConfigMap x): is not JSON-serialisable: "
                "Object of type set is not JSON serializable"
            ],
            id="not-json",
        ),
    ],
)
def test_output_problems(result: object, problems: list[str]) -> None:
    assert output_problems(result, HELLO) == problems


CERTS = Placement(
    kinds=frozenset({kingress.Kind("", "ConfigMap")}), namespaces=frozenset({"certs"})
)


@pytest.mark.parametrize(
    ("result", "placement", "problems"),
    [
        pytest.param(objects(obj(namespace="certs")), CERTS, [], id="placed-where-allowed"),
        pytest.param(
            objects(obj(namespace="certs", kind="Secret")),
            CERTS,
            [
                "objects[0] (Secret x): metadata.namespace is 'certs', must be the ingress's "
                "namespace 'default'"
            ],
            id="kind-not-declared",
        ),
        pytest.param(
            objects(obj(namespace="other")),
            CERTS,
            [
                "objects[0] (ConfigMap x): metadata.namespace is 'other', must be the ingress's "
                "namespace 'default' (a ConfigMap may go elsewhere only into a namespace the "
                "ingress's own spec.tls names and the controller allows: "
                "IngressSettings.shared_secret_namespaces)"
            ],
            id="namespace-not-allowed",
        ),
        pytest.param(
            objects(obj(namespace="certs", ownerReferences=[{"uid": UID}])),
            CERTS,
            [
                "objects[0] (ConfigMap x): an object outside the ingress's namespace cannot have "
                "owner references"
            ],
            id="owned-across-namespaces",
        ),
        pytest.param(
            objects(obj(labels={INGRESS_NAMESPACE_LABEL: "other"})),
            Placement(),
            [
                f"objects[0] (ConfigMap x): label {INGRESS_NAMESPACE_LABEL} is 'other', "
                "not 'default'"
            ],
            id="poses-as-another-namespaces",
        ),
        pytest.param(
            objects(obj(uid="u", finalizers=["f"])),
            Placement(),
            [
                "objects[0] (ConfigMap x): metadata.finalizers is not for a backend to set",
                "objects[0] (ConfigMap x): metadata.uid is not for a backend to set",
            ],
            id="server-metadata",
        ),
        pytest.param(
            objects({**obj(), "data": {"x": float("inf")}}),
            Placement(),
            [
                "objects[0] (ConfigMap x): is not JSON-serialisable: Out of range float values "
                "are not JSON compliant"
            ],
            id="infinity",
        ),
    ],
)
def test_output_problems_with_a_placement(
    result: object, placement: Placement, problems: list[str]
) -> None:
    assert output_problems(result, HELLO, placement) == problems


def test_placement_needs_the_tls_to_name_the_namespace_and_the_controller_to_share_it() -> None:
    @dataclass
    class Declaring(Paths):
        cross_namespace_kinds: frozenset[kingress.Kind] = frozenset({kingress.Kind("", "X")})

    with_tls = ingress(
        rules=[rule(["h.example.com"], paths=[path(splits=[split("a")])])],
        tls_entries=[tls(["h.example.com"], "c", "certs"), tls(["h.example.com"], "d", "more")],
    )
    placement = Placement.of(Declaring(), with_tls, frozenset({"certs", "elsewhere"}))
    assert placement == Placement(frozenset({kingress.Kind("", "X")}), frozenset({"certs"}))
    assert Placement.of(Paths(), with_tls, frozenset({"certs"})).kinds == frozenset()


def test_prepare_defaults_validates_cleans_and_inserts_the_probe_paths() -> None:
    stored = ingress(rules=[rule(["h.example.com"], paths=[path(splits=[split("a", 0)])])])
    stored = stored.model_copy(
        update={
            "metadata": stored.metadata.model_copy(update={"resource_version": "42"}),
            "status": kingress.ClusterIngress.from_dict(
                {"status": {"observedGeneration": 7}}
            ).status,
        }
    )
    prepared = prepare(stored)
    assert prepared.ingress.metadata.resource_version is None
    assert prepared.ingress.metadata.generation == 1
    assert prepared.ingress.status.observed_generation is None
    assert prepared.ingress.spec.rules[0].http is not None
    assert prepared.ingress.spec.rules[0].http.paths[0].splits[0].percent == 100
    assert prepared.hash == kingress.compute_hash(prepared.ingress)
    assert prepared.probed == kingress.insert_probe(prepared.ingress)[0]


def _stored(version: str, **changes: Any) -> Object:
    raw = {**HELLO.to_dict(), **changes}
    return {**raw, "metadata": {**raw["metadata"], "resourceVersion": version}}


def test_prepared_cache_reuses_a_stored_ingress_whose_spec_and_metadata_are_unchanged() -> None:
    cache = PreparedCache()
    first = freeze(_stored("1"))
    prepared = cache.prepare(first)
    assert prepared == prepare(kingress.ClusterIngress.from_dict(first))
    # A status write: same frozen spec, new resourceVersion.
    status_written = freeze(
        {
            **first,
            "status": {"observedGeneration": 1},
            "metadata": {**first["metadata"], "resourceVersion": "2"},
        }
    )
    assert cache.prepare(status_written) is prepared


def test_prepared_cache_prepares_again_what_changed_or_could_change() -> None:
    cache = PreparedCache()
    first = freeze(_stored("1"))
    prepared = cache.prepare(first)
    labelled = freeze({**first, "metadata": {**first["metadata"], "labels": {"a": "b"}}})
    assert cache.prepare(labelled) is not prepared
    assert cache.prepare(labelled).ingress.metadata.labels == {"a": "b"}
    spec = ingress(
        rules=[rule(["other.example.com"], paths=[path(splits=[split("b")])])]
    ).to_dict()["spec"]
    assert cache.prepare(freeze({**labelled, "spec": spec})).hash != prepared.hash
    plain = _stored("1")
    assert cache.prepare(plain) is not cache.prepare(plain)


def test_prepared_cache_keeps_only_the_last_ingresses() -> None:
    cache = PreparedCache(size=1)
    one = freeze(_stored("1"))
    other = freeze({**one, "metadata": {**one["metadata"], "name": "other"}})
    prepared = cache.prepare(one)
    cache.prepare(other)
    assert cache.prepare(one) is not prepared


def test_prepare_refuses_an_invalid_ingress_with_knatives_message() -> None:
    bad = ingress(rules=[rule(["h"], paths=[path(splits=[split("a", namespace="other")])])])
    with pytest.raises(ValidationError) as error:
        prepare(bad)
    assert str(error.value) == (
        "service namespace must match ingress namespace: "
        "spec.rules[0].http.paths[0].splits[0].serviceNamespace"
    )


@dataclass
class Paths:
    """A real little backend: a ConfigMap listing every path, most specific first."""

    name: str = "paths"
    ingress_classes: frozenset[str] = frozenset({"paths.ingress.networking.knative.dev"})
    features: frozenset[kingress.Feature] = frozenset({kingress.Feature.PROBE})
    #: Emit header maps in the order given rather than sorted.
    keep_order: bool = False
    #: Leave out paths that match headers (the probe paths among them).
    drop_matching: bool = False
    #: Count calls into the output (a translation that is not pure).
    counter: itertools.count[int] | None = None
    verdict: object = field(default_factory=kingress.Readiness.serving)

    def translate(
        self, ingress: kingress.ClusterIngress, context: kingress.TranslateContext
    ) -> kingress.Translation:
        rows = []
        for each in ingress.spec.rules:
            for route in kingress.ordered_paths(each):
                if self.drop_matching and route.headers:
                    continue
                names = (
                    list(route.append_headers) if self.keep_order else sorted(route.append_headers)
                )
                rows.append([route.path, [[n, route.append_headers[n]] for n in names]])
        data = {"paths": json.dumps(rows)}
        if self.counter is not None:
            data["call"] = str(next(self.counter))
        config_map = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"{ingress.metadata.name}-paths", "namespace": "default"},
            "data": data,
        }
        return kingress.Translation(objects=(config_map,))

    def check_ready(
        self, ingress: kingress.ClusterIngress, applied: Sequence[Object]
    ) -> kingress.Readiness:
        return self.verdict  # type: ignore[return-value]


WITH_HEADERS = ingress(
    rules=[
        rule(
            ["h.example.com"],
            paths=[
                path(splits=[split("a")], headers={"X-One": "1", "X-Two": "2"}),
                path("/api", splits=[split("b")]),
            ],
        )
    ]
)


def test_translate_labels_objects_and_leaves_the_backends_own_alone() -> None:
    translation = translate(Paths(), prepare(WITH_HEADERS), kingress.TranslateContext())
    [config_map] = translation.objects
    assert config_map["metadata"]["labels"] == {INGRESS_LABEL: "hello"}
    assert (
        "labels"
        not in Paths().translate(WITH_HEADERS, kingress.TranslateContext()).objects[0]["metadata"]
    )


def test_checked_objects_are_json_copies_of_the_backends() -> None:
    nested = {"n": 1.5}
    data: dict[str, Any] = {"items": ("a", "b"), "nested": nested}
    mine = obj(annotations={"k": "v"})
    mine["data"] = data
    problems, [copy] = checked_objects(objects(mine), HELLO, Placement())
    assert problems == []
    assert copy == {**mine, "data": {"items": ["a", "b"], "nested": {"n": 1.5}}}
    assert type(copy["data"]["items"]) is list
    # Nothing the backend still holds reaches the copy.
    nested["n"] = 2.5
    mine["metadata"]["annotations"]["k"] = "changed"
    assert copy["data"]["nested"] == {"n": 1.5}
    assert copy["metadata"]["annotations"] == {"k": "v"}


def test_a_kept_translation_is_frozen_and_shares_what_was_stored() -> None:
    # A header too long to intern: ``freeze`` alone would not share its block.
    header = "h" * 200
    spec = {"hosts": ["a.example.com"], "http": [{"route": [{"weight": 100}], "h": header}]}
    # The backend's objects come decoded from JSON: strings of their own.
    desired = json.loads(json.dumps({**obj(labels={"app": "a"}), "spec": spec}))
    stored = freeze(
        {
            **obj(labels={"app": "a"}, uid="u1", resourceVersion="7"),
            "spec": {**spec, "defaulted": True},
        }
    )
    translation = kingress.Translation(objects=(desired, obj("y")))
    other = freeze(obj("y", resourceVersion="8"))
    kept = pipeline_kept(translation, [stored, other])
    assert kept == translation
    first = kept.objects[0]
    assert type(first) is FrozenDict
    with pytest.raises(ReadOnlyError):
        first["spec"]["http"][0]["route"][0]["weight"] = 0
    # Equal parts are the stored object's own, down to where they differ.
    assert first["metadata"]["labels"] is stored["metadata"]["labels"]
    assert first["spec"] is not stored["spec"]
    assert first["spec"]["http"] is stored["spec"]["http"]
    assert first["spec"]["hosts"] is stored["spec"]["hosts"]
    assert freeze(json.loads(json.dumps(desired)))["spec"]["http"] is not stored["spec"]["http"]


def test_checked_objects_copy_nothing_when_an_object_is_not_json() -> None:
    bad = obj()
    bad["data"] = {"x": float("nan")}
    problems, copies = checked_objects(objects(obj("fine"), bad), HELLO, Placement())
    assert problems == [
        "objects[1] (ConfigMap x): is not JSON-serialisable: "
        "Out of range float values are not JSON compliant"
    ]
    assert copies == ()


@pytest.mark.parametrize(
    ("error", "reason", "message"),
    [
        pytest.param(
            kingress.NotSupported("spec.tls: no"), "NotSupported", "spec.tls: no", id="ns"
        ),
        pytest.param(
            kingress.TranslationError("taken", "DomainConflict"),
            "DomainConflict",
            "taken",
            id="own",
        ),
        pytest.param(
            ValueError("bad"), "TranslationFailed", "backend paths raised ValueError: bad"
        ),
    ],
)
def test_translate_turns_exceptions_into_failures(
    error: Exception, reason: str, message: str
) -> None:
    @dataclass
    class Raising(Paths):
        def translate(
            self, ingress: kingress.ClusterIngress, context: kingress.TranslateContext
        ) -> kingress.Translation:
            raise error

    with pytest.raises(BackendFailure) as failure:
        translate(Raising(), prepare(HELLO), kingress.TranslateContext())
    assert (failure.value.reason, failure.value.message) == (reason, message)


def test_a_good_backend_passes_every_contract_check() -> None:
    translation = check_backend(Paths(), WITH_HEADERS)
    assert json.loads(translation.objects[0]["data"]["paths"])[0][0] == "/api"


@pytest.mark.parametrize(
    ("backend", "violation"),
    [
        pytest.param(Paths(counter=itertools.count()), "not deterministic", id="impure"),
        pytest.param(Paths(keep_order=True), "depends on the order of keys", id="map-order"),
        pytest.param(Paths(drop_matching=True), "the probe paths are missing", id="no-probe"),
        pytest.param(Paths(verdict=None), "check_ready returned a NoneType", id="bad-readiness"),
        pytest.param(Paths(name=""), "name must be a non-empty string", id="no-name"),
        pytest.param(
            Paths(ingress_classes=frozenset({"paths"})), "must be full class names", id="alias"
        ),
        pytest.param(
            Paths(features=frozenset({"teleport"})),  # type: ignore[arg-type]
            "features must be a frozenset of kingress.Feature",
            id="unknown-feature",
        ),
    ],
)
def test_contract_checks_catch_broken_backends(backend: Paths, violation: str) -> None:
    with pytest.raises(ContractViolation, match=violation):
        check_backend(backend, WITH_HEADERS)


def test_contract_checks_report_a_failing_translation_with_its_reason() -> None:
    @dataclass
    class Listing(Paths):
        def translate(
            self, ingress: kingress.ClusterIngress, context: kingress.TranslateContext
        ) -> kingress.Translation:
            objects = list(super().translate(ingress, context).objects)
            return kingress.Translation(objects=objects)  # type: ignore[arg-type]

    message = "TranslationFailed: backend paths returned invalid output: objects is a list"
    for check in (check_deterministic, check_probe, check_readiness):
        with pytest.raises(ContractViolation, match=f"^{message}, not a tuple$"):
            check(Listing(), WITH_HEADERS, None)
    check_declarations(Listing())


def test_reordered_reverses_every_map_and_nothing_else() -> None:
    again = reordered(WITH_HEADERS)
    assert again == WITH_HEADERS
    assert again.spec.rules[0].http is not None
    assert list(again.spec.rules[0].http.paths[0].append_headers) == ["X-Two", "X-One"]
