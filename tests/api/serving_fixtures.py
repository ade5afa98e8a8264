"""Builders of serving objects as wire dicts, for table-driven tests.

Each builder returns a fresh valid object; tests change one thing with
keyword arguments and compare Knative's exact messages.
"""

from __future__ import annotations

from typing import Any

V1 = "serving.knative.dev/v1"
V1ALPHA1 = "serving.knative.dev/v1alpha1"

#: apimachinery's DNS-1035 message, as Knative embeds it (note the doubled space).
DNS1035 = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
    "start with an alphabetic character, and end with an alphanumeric character "
    "(e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
#: apimachinery's qualified-name message for the name part.
NAME_PART = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
    "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
DNS1123_SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
    "regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)

HELLO_IMAGE = "registry.cn-shanghai.aliyuncs.com/larus/helloworld-go"


def container(**fields: Any) -> dict[str, Any]:
    """A container with an image."""
    return {"image": "img", **fields}


def template(
    *containers: dict[str, Any], metadata: dict[str, Any] | None = None, **spec: Any
) -> dict[str, Any]:
    """A v1 revision template (one default container unless given)."""
    body: dict[str, Any] = {"spec": {"containers": list(containers or (container(),)), **spec}}
    if metadata is not None:
        body["metadata"] = metadata
    return body


def service(
    *,
    traffic: list[dict[str, Any]] | None = None,
    tmpl: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A v1 Service named ``svc``."""
    spec: dict[str, Any] = {"template": tmpl if tmpl is not None else template()}
    if traffic is not None:
        spec["traffic"] = traffic
    return {
        "apiVersion": V1,
        "kind": "Service",
        "metadata": metadata if metadata is not None else {"name": "svc", "namespace": "ns"},
        "spec": spec,
    }


def route(
    traffic: list[dict[str, Any]], *, metadata: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A v1 Route named ``rt``."""
    return {
        "apiVersion": V1,
        "kind": "Route",
        "metadata": metadata if metadata is not None else {"name": "rt", "namespace": "ns"},
        "spec": {"traffic": traffic},
    }


def configuration(
    tmpl: dict[str, Any] | None = None, *, metadata: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A v1 Configuration named ``cfg``."""
    return {
        "apiVersion": V1,
        "kind": "Configuration",
        "metadata": metadata if metadata is not None else {"name": "cfg", "namespace": "ns"},
        "spec": {"template": tmpl if tmpl is not None else template()},
    }


def alpha_config(**spec: Any) -> dict[str, Any]:
    """A v1alpha1 ``configuration`` block with one container."""
    revision_spec = {"container": container(), **spec}
    return {"revisionTemplate": {"spec": revision_spec}}


def alpha_service(spec: dict[str, Any], *, name: str = "svc") -> dict[str, Any]:
    """A v1alpha1 Service with the given spec."""
    return {
        "apiVersion": V1ALPHA1,
        "kind": "Service",
        "metadata": {"name": name, "namespace": "ns"},
        "spec": spec,
    }


def helloworld() -> dict[str, Any]:
    """The seed's v1alpha1 helloworld-go Service, as the walk-through shows it."""
    return {
        "apiVersion": V1ALPHA1,
        "kind": "Service",
        "metadata": {"name": "helloworld-go", "namespace": "default"},
        "spec": {
            "runLatest": {
                "configuration": {
                    "revisionTemplate": {
                        "spec": {
                            "container": {
                                "image": HELLO_IMAGE,
                                "env": [{"name": "TARGET", "value": "Go Sample v1"}],
                            }
                        }
                    }
                }
            }
        },
    }
