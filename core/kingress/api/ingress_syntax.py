"""kingress's own syntax rules for a ClusterIngress, checked after Knative's validation.

Knative validates a KIngress's structure only: hosts, paths, header names and
values, service names and ports are free-form strings (reference §1.5, "not
validated"). Every backend turns those strings into gateway configuration —
YAML fields, NGINX directives, Envoy matchers and header formatters — so a
newline, a NUL, a quote or a ``%`` that reaches one is how a tenant breaks or
bends a gateway. The core therefore checks every such string once, here, for
every backend; a backend only ever sees an ingress that passed. The rules:

- ``metadata.name``: a DNS-1123 subdomain of at most 63 characters (it is the
  value of the ``networking.internal.knative.dev/ingress`` label, and label
  values stop at 63); ``metadata.namespace``: a DNS-1123 label.
- every host (``rules[].hosts``, ``tls[].hosts``, ``rewriteHost``): a lowercase
  RFC 1123 DNS name — labels of ``a-z``, ``0-9`` and inner ``-``, 1 to 63
  characters, at most 253 in all, not ending in an all-numeric label — so no
  wildcard, port, trailing dot, IP address, upper case or unicode. Every rule
  names at least one host (a rule without hosts would answer for any host).
- ``path``: empty, or ``/`` followed by RFC 3986 path characters
  (unreserved, sub-delims, ``:``, ``@``, ``/`` and ``%XX`` escapes): no
  whitespace, control characters, quotes, braces, ``?``, ``#`` or non-ASCII.
- header names (``headers``, both ``appendHeaders``): RFC 7230 tokens, unique
  ignoring case within one map. ``K-Network-Hash`` is reserved to the core's
  probe paths; ``appendHeaders`` may not set ``Host`` (use ``rewriteHost``) or a
  header that frames or hops the request (``Transfer-Encoding``,
  ``Content-Length``, ``Connection``…).
- header values: printable ASCII and spaces, without leading or trailing
  space (RFC 7230 field content; a client's leading space never reaches a
  matcher). Values set by ``appendHeaders`` may not be empty (Envoy skips an
  empty header, NGINX drops it, Contour refuses it) nor contain ``%``
  (Envoy-based gateways — Istio, Contour, Envoy — read ``%NAME%`` as a variable).
- ``serviceName``: a Service name (DNS-1035 label); ``servicePort``: 1 to
  65535 or an IANA port name; ``secretName``: a DNS-1123 subdomain;
  ``secretNamespace``: a DNS-1123 label.

Messages name the field and show the offending value quoted (control
characters escaped, long values cut), e.g. ``invalid host 'Hello.example.com':
must be a lowercase RFC 1123 DNS name ...: spec.rules[0].hosts[0]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from kingress.api.fielderrors import FieldError, FieldErrors, collect, missing_field
from kingress.api.ingress import (
    ClusterIngress,
    HTTPIngressPath,
    IngressBackendSplit,
    IngressRule,
    IngressTLS,
)
from kingress.headers import HASH_HEADER

MAX_HOST = 253
MAX_LABEL = 63
#: Longest value shown in a message; longer ones are cut (messages land in status).
MAX_SHOWN = 80

_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?")
_PORT_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?")
#: ASCII digits only: ``str.isdigit`` also accepts "²", which ``int`` refuses.
_DIGITS = re.compile(r"[0-9]{1,5}")
#: RFC 7230 ``token``: the grammar of a header field name.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: RFC 7230 field content restricted to ASCII: visible characters and spaces.
_FIELD_VALUE = re.compile(r"[\x20-\x7e]*")
#: RFC 3986 ``path-absolute`` characters: pchar and ``/``.
_PATH = re.compile(r"/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*")

#: Headers ``appendHeaders`` may not set: the Host (``rewriteHost`` does that)
#: and those that frame or hop the request, whose rewriting smuggles or breaks it.
UNSETTABLE_HEADERS = frozenset(
    {
        "host",
        "connection",
        "content-length",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
#: Headers reserved to the core: the probe paths match and set ``K-Network-Hash``.
RESERVED_HEADERS = frozenset({HASH_HEADER.lower()})

_HOST_RULE = (
    "must be a lowercase RFC 1123 DNS name: labels of a-z, 0-9 and '-' (not first or last), "
    f"1 to {MAX_LABEL} characters, joined by '.', at most {MAX_HOST} in all "
    "(no wildcard, port, trailing dot, upper case or unicode)"
)


def shown(value: object) -> str:
    """``value`` quoted for a message: escapes visible, at most ``MAX_SHOWN`` characters."""
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


def _invalid(what: str, value: object, problem: str, path: str) -> FieldError:
    return FieldError(f"invalid {what} {shown(value)}: {problem}", (path,))


def host_problem(value: str) -> str | None:
    """Why ``value`` is not a host kingress routes by, or ``None``."""
    labels = value.split(".")
    if len(value) > MAX_HOST or not all(_LABEL.fullmatch(label) for label in labels):
        return _HOST_RULE
    if labels[-1].isdigit():
        return "must not end in an all-numeric label (an IP address is not a host name)"
    return None


def path_problem(value: str) -> str | None:
    """Why ``value`` is not a literal path prefix, or ``None``."""
    if value == "" or _PATH.fullmatch(value):
        return None
    return (
        "must be empty or '/' followed by RFC 3986 path characters (letters, digits, "
        "-._~!$&'()*+,;=:@/ and %XX escapes): no whitespace, control characters, quotes, "
        "braces, '?', '#' or non-ASCII"
    )


def header_name_problem(value: str) -> str | None:
    """Why ``value`` is not a header name kingress accepts, or ``None``."""
    if not _TOKEN.fullmatch(value):
        return "must be an RFC 7230 token (letters, digits and !#$%&'*+-.^_`|~)"
    if value.lower() in RESERVED_HEADERS:
        return "is reserved to the readiness probe that kingress inserts"
    return None


def header_value_problem(value: str, *, settable: bool) -> str | None:
    """Why ``value`` cannot be matched (``settable=False``) or set, or ``None``."""
    if not _FIELD_VALUE.fullmatch(value):
        return "must be printable ASCII: no control characters (CR, LF, NUL, TAB) or non-ASCII"
    if value != value.strip(" "):
        return "must not begin or end with a space"
    if settable and not value:
        return (
            "must not be empty: gateways disagree on setting an empty header "
            "(Envoy skips it, NGINX drops it, Contour refuses it)"
        )
    if settable and "%" in value:
        return "must not contain '%': Envoy-based gateways read %NAME% as a variable"
    return None


def _headers(values: Mapping[str, str], field: str, *, settable: bool) -> FieldErrors:
    errors = FieldErrors()
    seen: dict[str, str] = {}
    for name in sorted(values):
        problem = header_name_problem(name)
        if problem is None and settable and name.lower() in UNSETTABLE_HEADERS:
            problem = "cannot be set (use rewriteHost for Host; framing headers are the gateway's)"
        if problem is not None:
            errors += _invalid("header name", name, problem, field)
            continue
        clash = seen.setdefault(name.lower(), name)
        if clash != name:
            message = f"header names {shown(clash)} and {shown(name)} differ only in case"
            errors += FieldError(message, (field,))
        problem = header_value_problem(values[name], settable=settable)
        if problem is not None:
            errors += _invalid("header value", values[name], problem, f"{field}[{name}]")
    return errors


def _hosts(hosts: Iterable[str], field: str) -> FieldErrors:
    return collect(
        _invalid("host", host, problem, f"{field}[{i}]")
        for i, host in enumerate(hosts)
        if (problem := host_problem(host)) is not None
    )


def _port_problem(port: int | str) -> str | None:
    if isinstance(port, str) and not _DIGITS.fullmatch(port):
        named = _PORT_NAME.fullmatch(port) and "--" not in port
        has_letter = any(char.isalpha() for char in port)
        return None if named and has_letter else "must be 1 to 65535 or an IANA port name"
    return None if 1 <= int(port) <= 65535 else "must be 1 to 65535 or an IANA port name"


def _split(split: IngressBackendSplit) -> FieldErrors:
    errors = FieldErrors()
    if split.service_name and not _DNS1035_LABEL.fullmatch(split.service_name):
        errors += _invalid(
            "service name", split.service_name, "must be a DNS-1035 label", "serviceName"
        )
    if split.service_port not in ("", 0) and (problem := _port_problem(split.service_port)):
        errors += _invalid("service port", split.service_port, problem, "servicePort")
    return errors + _headers(split.append_headers, "appendHeaders", settable=True)


def _path(path: HTTPIngressPath) -> FieldErrors:
    errors = FieldErrors()
    if (problem := path_problem(path.path)) is not None:
        errors += _invalid("path", path.path, problem, "path")
    if path.rewrite_host and (problem := host_problem(path.rewrite_host)) is not None:
        errors += _invalid("host", path.rewrite_host, problem, "rewriteHost")
    errors += _headers(
        {name: match.exact for name, match in path.headers.items()}, "headers", settable=False
    )
    errors += _headers(path.append_headers, "appendHeaders", settable=True)
    return errors + collect(
        _split(split).via_index("splits", i) for i, split in enumerate(path.splits)
    )


def _rule(rule: IngressRule) -> FieldErrors:
    errors = _hosts(rule.hosts, "hosts") if rule.hosts else FieldErrors((missing_field("hosts"),))
    paths = rule.http.paths if rule.http is not None else ()
    return errors + collect(_path(path).via_index("http.paths", i) for i, path in enumerate(paths))


def _tls(tls: IngressTLS) -> FieldErrors:
    errors = _hosts(tls.hosts, "hosts")
    if tls.secret_name and (
        len(tls.secret_name) > MAX_HOST
        or not all(_LABEL.fullmatch(part) for part in tls.secret_name.split("."))
    ):
        errors += _invalid(
            "secret name", tls.secret_name, "must be a DNS-1123 subdomain", "secretName"
        )
    if tls.secret_namespace and not _LABEL.fullmatch(tls.secret_namespace):
        errors += _invalid(
            "namespace", tls.secret_namespace, "must be a DNS-1123 label", "secretNamespace"
        )
    return errors


def _metadata(ingress: ClusterIngress) -> FieldErrors:
    name, namespace = ingress.metadata.name, ingress.metadata.namespace or ""
    errors = FieldErrors()
    if not name:
        errors += missing_field("name")
    elif len(name) > MAX_LABEL or not all(_LABEL.fullmatch(part) for part in name.split(".")):
        errors += _invalid(
            "name",
            name,
            f"must be a DNS-1123 subdomain of at most {MAX_LABEL} characters "
            "(it is the value of the ingress label on every object applied for it)",
            "name",
        )
    if not namespace:
        errors += missing_field("namespace")
    elif not _LABEL.fullmatch(namespace):
        errors += _invalid("namespace", namespace, "must be a DNS-1123 label", "namespace")
    return errors.via("metadata")


def validate_syntax(ingress: ClusterIngress) -> FieldErrors:
    """Every string of ``ingress`` that breaks kingress's syntax rules, paths from the root."""
    spec = ingress.spec
    errors = collect(_rule(rule).via_index("rules", i) for i, rule in enumerate(spec.rules))
    errors += collect(_tls(tls).via_index("tls", i) for i, tls in enumerate(spec.tls))
    return _metadata(ingress) + errors.via("spec")
