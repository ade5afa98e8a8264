"""What the Contour backend refuses, and that each message names the field."""

from __future__ import annotations

import pytest

from kingress import (
    BackendService,
    ClusterIngress,
    HTTPIngressRuleValue,
    IngressRule,
    NotSupported,
    ServicePort,
    TranslationError,
)
from kingress.testing import ingress, path, rule, split

from .conftest import run_translate


def one(*paths: object, host: str = "x.example.com", **kw: object) -> ClusterIngress:
    return ingress(rules=[rule([host], paths=list(paths))], **kw)  # type: ignore[arg-type]


ERRORS = [
    pytest.param(
        one(path(splits=[split("s")]), host="bad_host.example.com"),
        TranslationError,
        "spec.rules[0].hosts[0]: 'bad_host.example.com' is not a host name",
        id="host-with-underscore",
    ),
    pytest.param(
        one(path(splits=[split("s")]), host="x.example.com:8080"),
        TranslationError,
        "spec.rules[0].hosts[0]",
        id="host-with-port",
    ),
    pytest.param(
        one(path(splits=[split("s")]), host="*.example.com"),
        TranslationError,
        "spec.rules[0].hosts[0]",
        id="wildcard-host",
    ),
    pytest.param(
        one(path("foo", splits=[split("s")])),
        TranslationError,
        "spec.rules[0].http.paths[0].path: 'foo' must start with '/'",
        id="relative-path",
    ),
    pytest.param(
        one(path(splits=[split("s", 60), split("t", 30)])),
        TranslationError,
        "traffic split percentage must total to 100, but was 90: "
        "spec.rules[0].http.paths[0].splits",
        id="splits-not-totalling-100",
    ),
    pytest.param(
        one(path(splits=[split("s", 0), split("t", 0)])),
        TranslationError,
        "must total to 100, but was 0",
        id="all-splits-zero",
    ),
    pytest.param(
        one(path(splits=[split("s", 120), split("t", -20)])),
        TranslationError,
        "invalid value: 120: spec.rules[0].http.paths[0].splits[0].percent",
        id="percent-out-of-range",
    ),
    pytest.param(
        one(path(splits=[split("s", namespace="other")])),
        TranslationError,
        "spec.rules[0].http.paths[0].splits[0].serviceNamespace",
        id="service-in-other-namespace",
    ),
    pytest.param(
        one(path(splits=[split("missing", port="http")])),
        TranslationError,
        "spec.rules[0].http.paths[0].splits[0].servicePort: Contour needs a port number and "
        "Service default/missing is not known",
        id="named-port-of-unknown-service",
    ),
    pytest.param(
        one(path(splits=[split("known", port="grpc")])),
        TranslationError,
        "has no port named 'grpc' (named ports: http)",
        id="named-port-not-on-service",
    ),
    pytest.param(
        one(path(splits=[split("s", port=70000)])),
        TranslationError,
        "invalid value: 70000: spec.rules[0].http.paths[0].splits[0].servicePort",
        id="port-out-of-range",
    ),
    pytest.param(
        one(path(splits=[split("s")], headers={"Foo": "a", "foo": "b"})),
        TranslationError,
        "spec.rules[0].http.paths[0].appendHeaders: 'Foo' and 'foo' are the same header",
        id="pre-split-header-twice-by-case",
    ),
    pytest.param(
        one(path(splits=[split("s", headers={"Bad Header": "x"})])),
        TranslationError,
        "spec.rules[0].http.paths[0].splits[0].appendHeaders: 'Bad Header' is not a valid",
        id="invalid-header-name",
    ),
    pytest.param(
        one(path(splits=[split("s", headers={"Host": "other"})])),
        TranslationError,
        "splits[0].appendHeaders: Contour rewrites Host per route",
        id="host-set-per-split",
    ),
    pytest.param(
        one(path(splits=[split("s")], headers={"host": "a"}, rewrite_host="b")),
        TranslationError,
        "paths[0].appendHeaders: sets 'host' to 'a' but rewriteHost is 'b'",
        id="host-header-contradicts-rewrite-host",
    ),
    pytest.param(
        one(path(splits=[split("s")], match={"X-A": "1", "x-a": "2"})),
        TranslationError,
        "spec.rules[0].http.paths[0].headers: 'X-A' and 'x-a' are the same header",
        id="contradictory-header-matches",
    ),
    pytest.param(
        one(
            path("/api", splits=[split("first")], match={"X-A": "1"}),
            path("/api", splits=[split("second")], match={"X-B": "2"}),
        ),
        NotSupported,
        "spec.rules[0].http.paths[0], spec.rules[0].http.paths[1]: paths (prefix '/api' with "
        "headers {x-a: 1}) and (prefix '/api' with headers {x-b: 2}) both match a request to "
        "'/api' with headers {x-a: 1, x-b: 2}",
        id="equally-specific-overlapping-paths",
    ),
    pytest.param(
        ingress(rules=[IngressRule(hosts=("x.example.com",))]),
        TranslationError,
        "missing field(s): spec.rules[0].http",
        id="rule-without-http",
    ),
    pytest.param(
        ingress(rules=[IngressRule(hosts=("x.example.com",), http=HTTPIngressRuleValue())]),
        TranslationError,
        "missing field(s): spec.rules[0].http.paths",
        id="rule-without-paths",
    ),
    pytest.param(
        one(path()),
        TranslationError,
        "missing field(s): spec.rules[0].http.paths[0].splits",
        id="path-without-splits",
    ),
]


@pytest.mark.parametrize(("ing", "error", "message"), ERRORS)
def test_refused(ing: ClusterIngress, error: type[TranslationError], message: str) -> None:
    known = BackendService(
        namespace="default", name="known", ports=(ServicePort(name="http", port=80),)
    )
    with pytest.raises(error) as caught:
        run_translate(ing, services=[known])
    assert type(caught.value) is error
    assert message in str(caught.value)


def test_not_supported_reason() -> None:
    with pytest.raises(NotSupported) as caught:
        run_translate(
            one(
                path(splits=[split("a")], match={"A": "1"}),
                path(splits=[split("b")], match={"B": "1"}),
            )
        )
    assert caught.value.reason == "NotSupported"


def test_missing_namespace() -> None:
    ing = ingress(rules=[rule(["x.example.com"], paths=[path(splits=[split("s")])])])
    ing = ing.model_copy(update={"metadata": ing.metadata.model_copy(update={"namespace": None})})
    with pytest.raises(TranslationError, match=r"missing field\(s\): metadata.namespace"):
        run_translate(ing)


def test_bad_config_is_a_translation_error_naming_the_key() -> None:
    with pytest.raises(TranslationError) as caught:
        run_translate(one(path(splits=[split("s")])), config={"timeout-policy-idle": "soon"})
    assert caught.value.reason == "InvalidConfiguration"
    assert str(caught.value).startswith("config-contour: timeout-policy-idle: 'soon'")


def test_tag_routing_with_probes_is_not_a_conflict() -> None:
    """Knative's tag routing plus the probe copies never depends on list order."""
    ing = one(
        path(splits=[split("default")], headers={"Knative-Serving-Default-Route": "true"}),
        path(splits=[split("a")], match={"Knative-Serving-Tag": "a"}),
        path(splits=[split("b")], match={"Knative-Serving-Tag": "b"}),
    )
    translation = run_translate(ing, probe=True)
    (proxy,) = translation.objects
    assert len(proxy["spec"]["routes"]) == 6
