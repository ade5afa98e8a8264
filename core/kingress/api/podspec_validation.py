"""Validation of a revision's pod spec and containers, with Knative's messages.

Paths are relative to the revision spec (``containers[0].image``); callers lift
them with ``via`` (``spec.template.spec.containers[0].image``). What is checked
is the part of Knative's ``ValidatePodSpec`` that matters to kingress: a
container is required (several only with distinct names and one serving port),
images are required, reserved names, environment variables and ports are
refused, ``timeoutSeconds``, ``containerConcurrency`` and
``serviceAccountName`` are in range. Not checked (yet): Knative's field masks
(which pod-spec fields are allowed at all), image reference syntax, probes and
volumes.
"""

from __future__ import annotations

from kingress.api import kubenames
from kingress.api.fielderrors import (
    FieldError,
    FieldErrors,
    collect,
    invalid_value,
    missing_field,
    out_of_bounds,
)
from kingress.api.serving import Container, ContainerPort, EnvVar, RevisionSpec
from kingress.api.serving_defaults import CONTAINER_CONCURRENCY_MAX, MAX_TIMEOUT_SECONDS

#: The queue-proxy sidecar's name; a user container may not take it.
RESERVED_CONTAINER_NAMES = frozenset({"queue-proxy"})
#: Variables Knative sets in the serving container (sidecars may set ``PORT``).
RESERVED_ENV_VARS = frozenset({"PORT", "K_SERVICE", "K_CONFIGURATION", "K_REVISION"})
RESERVED_SIDECAR_ENV_VARS = RESERVED_ENV_VARS - {"PORT"}
#: queue-proxy's HTTP/1 and h2c ports, its admin port, its two metrics ports, profiling.
RESERVED_PORTS = frozenset({8012, 8013, 8022, 9090, 9091, 8008})
#: A serving port's name selects the protocol: empty, ``h2c`` or ``http1``.
VALID_PORT_NAMES = frozenset({"", "h2c", "http1"})
MAX_PORT = 65535


def validate_revision_spec(spec: RevisionSpec) -> FieldErrors:
    """Every problem of a revision spec, relative to the spec."""
    return validate_containers(spec.containers) + validate_revision_fields(spec)


def validate_revision_fields(spec: RevisionSpec) -> FieldErrors:
    """The non-container fields: timeout, concurrency, service account."""
    errors = FieldErrors()
    timeout = spec.timeout_seconds
    if timeout and not 0 <= timeout <= MAX_TIMEOUT_SECONDS:
        errors += out_of_bounds(timeout, 0, MAX_TIMEOUT_SECONDS, "timeoutSeconds")
    concurrency = spec.container_concurrency
    if concurrency is not None and not 0 <= concurrency <= CONTAINER_CONCURRENCY_MAX:
        errors += out_of_bounds(concurrency, 0, CONTAINER_CONCURRENCY_MAX, "containerConcurrency")
    if spec.service_account_name:
        for message in kubenames.dns1123_subdomain(spec.service_account_name):
            errors += invalid_value(spec.service_account_name, "serviceAccountName", message)
    return errors


def validate_containers(containers: tuple[Container, ...]) -> FieldErrors:
    """The container list: one at least; with several, distinct names and one port."""
    errors = _validate_ports_across(containers)
    if not containers:
        return errors + missing_field("containers")
    if len(containers) == 1:
        return errors + validate_container(containers[0], sidecar=False).via_index("containers", 0)
    seen: set[str] = set()
    for index, container in enumerate(containers):
        if container.name in seen:
            duplicate = FieldError(
                f"duplicate container name {kubenames.go_quote(container.name)}", ("name",)
            )
            errors += duplicate.via_index("containers", index)
        seen.add(container.name)
        # Only the container with the port serves; the others are sidecars.
        sidecar = not container.ports
        errors += validate_container(container, sidecar=sidecar).via_index("containers", index)
    return errors


def _validate_ports_across(containers: tuple[Container, ...]) -> FieldErrors:
    count = sum(len(container.ports) for container in containers)
    if count == 0 and len(containers) > 1:
        return FieldErrors((missing_field("containers[*].ports"),))
    if count > 1:
        error = FieldError(
            "more than one container port is set",
            ("containers[*].ports",),
            "Only a single port is allowed across all containers",
        )
        return FieldErrors((error,))
    return FieldErrors()


def validate_container(container: Container, *, sidecar: bool) -> FieldErrors:
    """One container, relative to the container itself."""
    if container == Container():
        return FieldErrors((missing_field(""),))
    errors = FieldErrors()
    if container.name in RESERVED_CONTAINER_NAMES:
        errors += FieldError(
            f"{kubenames.go_quote(container.name)} is a reserved container name", ("name",)
        )
    reserved_env = RESERVED_SIDECAR_ENV_VARS if sidecar else RESERVED_ENV_VARS
    errors += collect(
        _validate_env_var(env, reserved_env).via_index("env", index)
        for index, env in enumerate(container.env)
    )
    if not container.image:
        errors += missing_field("image")
    if container.ports:
        errors += _validate_serving_port(container.ports[0]).via("ports")
    return errors


def _validate_env_var(env: EnvVar, reserved: frozenset[str]) -> FieldErrors:
    if not env.name:
        return FieldErrors((missing_field("name"),))
    if env.name in reserved:
        return FieldErrors(
            (
                FieldError(
                    f"{kubenames.go_quote(env.name)} is a reserved environment variable", ("name",)
                ),
            )
        )
    return FieldErrors()


def _validate_serving_port(port: ContainerPort) -> FieldErrors:
    errors = FieldErrors()
    number = port.container_port or 0
    if number in RESERVED_PORTS:
        errors += invalid_value(
            f"{number} is a reserved port",
            "containerPort",
            f"{number} is a reserved port, please use a different value",
        )
    if not 0 <= number <= MAX_PORT:
        errors += out_of_bounds(number, 0, MAX_PORT, "containerPort")
    if port.protocol not in ("", "TCP"):
        errors += invalid_value(port.protocol, "protocol")
    if port.name not in VALID_PORT_NAMES:
        errors += FieldError(
            f"Port name {port.name} is not allowed",
            ("",),
            "Name must be empty, or one of: 'h2c', 'http1'",
        )
    return errors
