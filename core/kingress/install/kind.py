"""The plan behind ``kingress cluster up``: a kind cluster with a gateway and kingress on it.

``plan_up`` is a pure function from the options to the ordered commands (each
a ``Step``: what it does and its argv, with the files it needs written
first), so ``--dry-run`` prints exactly what a real run executes and tests
check it without Docker. Gateways are installed from upstream release
manifests or Helm charts at pinned versions (``GATEWAYS``).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml

from kingress.api.annotations import normalize_ingress_class
from kingress.install.manifests import IMAGE, NAME, NAMESPACE

#: The gateway's NodePorts (HTTP, HTTPS), mapped to the same ports on 127.0.0.1 so that
#: ``--ingress-endpoint 127.0.0.1`` reaches them as Knative's conformance client dials NodePorts.
NODE_HTTP, NODE_HTTPS = 31080, 31443
HOST_HTTP, HOST_HTTPS = NODE_HTTP, NODE_HTTPS
CONFORMANCE_IMAGE = "kingress/conformance:dev"
CONFORMANCE_DOCKERFILE = "conformance/Dockerfile"
KIND_CONFIG = "kind-config.yaml"


@dataclass(frozen=True, slots=True)
class Step:
    """One command of the plan."""

    description: str
    argv: tuple[str, ...]

    def __str__(self) -> str:
        return f"# {self.description}\n{shlex.join(self.argv)}"


@dataclass(frozen=True, slots=True)
class Plan:
    """Files to write, then commands to run, in order."""

    files: Mapping[str, str] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Gateway:
    """How to install one gateway at a pinned version."""

    version: str
    steps: tuple[Step, ...]
    #: The gateway's Service, patched to the NodePorts kind maps.
    service: tuple[str, str]


def _kubectl(*args: str) -> tuple[str, ...]:
    return ("kubectl", "--context", "{context}", *args)


ISTIO_VERSION = "1.24.2"
CONTOUR_VERSION = "v1.30.2"
NGINX_CHART_VERSION = "2.3.1"  # F5 NGINX Ingress Controller 5.2.1
INGRESS_NGINX_VERSION = "controller-v1.12.1"
_ISTIO_CHARTS = "https://istio-release.storage.googleapis.com/charts"

GATEWAYS: Mapping[str, Gateway] = {
    "istio": Gateway(
        ISTIO_VERSION,
        (
            Step(
                "install Istio base (CRDs)",
                (
                    "helm",
                    "install",
                    "istio-base",
                    "base",
                    "--repo",
                    _ISTIO_CHARTS,
                    "--version",
                    ISTIO_VERSION,
                    "-n",
                    "istio-system",
                    "--create-namespace",
                    "--kube-context",
                    "{context}",
                    "--wait",
                ),
            ),
            Step(
                "install istiod",
                (
                    "helm",
                    "install",
                    "istiod",
                    "istiod",
                    "--repo",
                    _ISTIO_CHARTS,
                    "--version",
                    ISTIO_VERSION,
                    "-n",
                    "istio-system",
                    "--kube-context",
                    "{context}",
                    "--wait",
                ),
            ),
            Step(
                "install the Istio ingress gateway",
                (
                    "helm",
                    "install",
                    "istio-ingressgateway",
                    "gateway",
                    "--repo",
                    _ISTIO_CHARTS,
                    "--version",
                    ISTIO_VERSION,
                    "-n",
                    "istio-system",
                    "--kube-context",
                    "{context}",
                    "--set",
                    "service.type=NodePort",
                    "--wait",
                ),
            ),
        ),
        ("istio-system", "istio-ingressgateway"),
    ),
    "contour": Gateway(
        CONTOUR_VERSION,
        (
            Step(
                "install Contour and Envoy",
                _kubectl(
                    "apply",
                    "-f",
                    "https://raw.githubusercontent.com/projectcontour/"
                    f"contour/{CONTOUR_VERSION}/examples/render/contour.yaml",
                ),
            ),
            Step(
                "wait for Contour",
                _kubectl(
                    "-n",
                    "projectcontour",
                    "rollout",
                    "status",
                    "deployment/contour",
                    "--timeout=300s",
                ),
            ),
        ),
        ("projectcontour", "envoy"),
    ),
    "nginx": Gateway(
        NGINX_CHART_VERSION,
        (
            Step(
                "install the F5 NGINX Ingress Controller (VirtualServer CRDs included)",
                (
                    "helm",
                    "install",
                    "nginx-ingress",
                    "oci://ghcr.io/nginx/charts/nginx-ingress",
                    "--version",
                    NGINX_CHART_VERSION,
                    "-n",
                    "nginx-ingress",
                    "--create-namespace",
                    "--kube-context",
                    "{context}",
                    "--set",
                    "controller.service.type=NodePort",
                    "--wait",
                ),
            ),
        ),
        ("nginx-ingress", "nginx-ingress-controller"),
    ),
    "ingress-nginx": Gateway(
        INGRESS_NGINX_VERSION,
        (
            Step(
                "install ingress-nginx (its kind provider manifest)",
                _kubectl(
                    "apply",
                    "-f",
                    "https://raw.githubusercontent.com/kubernetes/"
                    f"ingress-nginx/{INGRESS_NGINX_VERSION}/deploy/static/provider/kind/"
                    "deploy.yaml",
                ),
            ),
            Step(
                "wait for ingress-nginx",
                _kubectl(
                    "-n",
                    "ingress-nginx",
                    "rollout",
                    "status",
                    "deployment/ingress-nginx-controller",
                    "--timeout=300s",
                ),
            ),
        ),
        ("ingress-nginx", "ingress-nginx-controller"),
    ),
}


def kind_config() -> str:
    """The kind cluster config: one node mapping the gateway NodePorts to localhost."""
    config = {
        "kind": "Cluster",
        "apiVersion": "kind.x-k8s.io/v1alpha4",
        "nodes": [
            {
                "role": "control-plane",
                "extraPortMappings": [
                    {
                        "containerPort": NODE_HTTP,
                        "hostPort": HOST_HTTP,
                        "listenAddress": "127.0.0.1",
                    },
                    {
                        "containerPort": NODE_HTTPS,
                        "hostPort": HOST_HTTPS,
                        "listenAddress": "127.0.0.1",
                    },
                ],
            }
        ],
    }
    return yaml.safe_dump(config, sort_keys=False)


def _node_ports_patch() -> str:
    return (
        '{"spec":{"type":"NodePort","ports":['
        f'{{"port":80,"nodePort":{NODE_HTTP}}},'
        f'{{"port":443,"nodePort":{NODE_HTTPS}}}]}}}}'
    )


def plan_up(ingress: str, name: str = "kingress", *, with_conformance_image: bool = True) -> Plan:
    """Every command that brings up a kind cluster running kingress with ``ingress``."""
    if ingress not in GATEWAYS:
        raise ValueError(f"unknown ingress {ingress!r}; choose one of {', '.join(GATEWAYS)}")
    gateway = GATEWAYS[ingress]
    context = f"kind-{name}"
    ingress_class = normalize_ingress_class(ingress)
    steps = [
        Step(
            "create the kind cluster",
            (
                "kind",
                "create",
                "cluster",
                "--name",
                name,
                "--config",
                KIND_CONFIG,
                "--wait",
                "120s",
            ),
        ),
        Step("build the controller image", ("docker", "build", "-t", IMAGE, ".")),
        Step("load it into the cluster", ("kind", "load", "docker-image", IMAGE, "--name", name)),
    ]
    notes = []
    if with_conformance_image:
        steps += [
            Step(
                "build the conformance test image",
                ("docker", "build", "-t", CONFORMANCE_IMAGE, "-f", CONFORMANCE_DOCKERFILE, "."),
            ),
            Step(
                "load it into the cluster",
                ("kind", "load", "docker-image", CONFORMANCE_IMAGE, "--name", name),
            ),
        ]
    else:
        notes.append(f"{CONFORMANCE_DOCKERFILE} does not exist yet: no conformance image built")
    steps += [
        *gateway.steps,
        Step(
            "expose the gateway on the NodePorts kind maps to localhost",
            _kubectl(
                "-n",
                gateway.service[0],
                "patch",
                "service",
                gateway.service[1],
                "--type",
                "strategic",
                "-p",
                _node_ports_patch(),
            ),
        ),
        Step(
            "install kingress (CRDs, RBAC, config, controller)", _kubectl("apply", "-f", "deploy/")
        ),
        Step(
            f"select the {ingress} backend",
            _kubectl(
                "-n",
                NAMESPACE,
                "patch",
                "configmap",
                "config-network",
                "--type",
                "merge",
                "-p",
                f'{{"data":{{"ingress-class":"{ingress_class}"}}}}',
            ),
        ),
        Step(
            "wait for the controller",
            _kubectl("-n", NAMESPACE, "rollout", "status", f"deployment/{NAME}", "--timeout=180s"),
        ),
    ]
    notes.append(
        f"Run conformance (kubectl context {context}): kingress conformance --depth cluster "
        f"--kubeconfig ~/.kube/config --ingress-class {ingress_class} "
        f"--ingress-endpoint 127.0.0.1 --image {CONFORMANCE_IMAGE}"
    )
    resolved = tuple(
        Step(s.description, tuple(a.replace("{context}", context) for a in s.argv)) for s in steps
    )
    return Plan({KIND_CONFIG: kind_config()}, resolved, tuple(notes))


def plan_down(name: str = "kingress") -> Plan:
    """Delete the kind cluster."""
    return Plan(
        steps=(Step("delete the kind cluster", ("kind", "delete", "cluster", "--name", name)),)
    )
