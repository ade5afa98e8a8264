"""The one gate every user-controlled string passes before it reaches NGINX.

Both NGINX backends turn ClusterIngress strings (hosts, paths, header names and
values, service, port and secret names) into fields the gateway templates into
``nginx.conf`` or reads as annotations. A quote, a ``;``, a ``$`` or a newline
in such a string is how NGINX configuration injection works (CVE-2021-25742,
CVE-2025-1974 and their kin), so every such string is checked here against a
whitelist, and anything else is refused with a ``TranslationError`` naming the
field. Builders only ever see an ingress that ``validate_ingress`` accepted.

The rules are deliberately narrower than HTTP allows where NGINX gives a
character a meaning: header names are RFC 7230 tokens *and* letters, digits and
``-`` (NGINX reaches headers through ``$http_<name>`` variables), header values
are printable ASCII without ``"``, ``\\`` or ``$`` (string delimiters and
variable expansion), paths are RFC 3986 path characters without ``;`` or
``$``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable

from kingress import (
    ClusterIngress,
    HTTPIngressPath,
    IngressBackendSplit,
    TranslationError,
)
from kingress_nginx.fields import FieldNamer

#: RFC 7230 ``token`` (the grammar of a header field name).
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: What NGINX can address as ``$http_<name>``: letters, digits and dashes.
_NGINX_HEADER = re.compile(r"[A-Za-z0-9-]+")
#: One RFC 1123 label, lowercase.
_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
#: An RFC 1035 label (Kubernetes Service names): starts with a letter.
_DNS1035 = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?")
#: An IANA service name (named Service ports).
_PORT_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?")
#: A literal path: ``/`` then RFC 3986 pchars without ``;``, ``$``, ``'`` or ``?``.
_PATH = re.compile(r"/(?:[A-Za-z0-9\-._~!&()*+,=:@/]|%[0-9A-Fa-f]{2})*")
#: Printable ASCII minus NGINX string metacharacters (``"``, ``\\``, ``$``).
_VALUE = re.compile(r"[\x20-\x21\x23\x25-\x5b\x5d-\x7e]*")

MAX_HOST = 253
MAX_PATH = 2048
MAX_HEADER_NAME = 256
MAX_HEADER_VALUE = 4096

#: Headers that frame or hop the request; setting them would break or smuggle it.
FORBIDDEN_SET_HEADERS = frozenset(
    {
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


def _fail(field: str, message: str) -> TranslationError:
    return TranslationError(f"{field}: {message}", reason="InvalidValue")


def host(value: str, field: str) -> str:
    """An RFC 1123 hostname in lowercase, not an IP address, no wildcard."""
    if not value:
        raise _fail(field, "host must not be empty")
    if len(value) > MAX_HOST:
        raise _fail(field, f"host must be at most {MAX_HOST} characters")
    if not all(_LABEL.fullmatch(label) for label in value.split(".")):
        raise _fail(
            field,
            f"invalid host {value!r}: must be lowercase RFC 1123 labels "
            "(a-z, 0-9, '-') separated by '.'",
        )
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return value
    raise _fail(field, f"invalid host {value!r}: must be a name, not an IP address")


def header_name(value: str, field: str) -> str:
    """An RFC 7230 token that NGINX can address (letters, digits, ``-``)."""
    if not value or len(value) > MAX_HEADER_NAME:
        raise _fail(field, f"header name must be 1 to {MAX_HEADER_NAME} characters")
    if not _TOKEN.fullmatch(value):
        raise _fail(field, f"invalid header name {value!r}: not an RFC 7230 token")
    if not _NGINX_HEADER.fullmatch(value):
        raise _fail(
            field,
            f"invalid header name {value!r}: NGINX only handles header names made of "
            "letters, digits and '-'",
        )
    return value


def _value_chars(value: str, field: str, what: str) -> str:
    if len(value) > MAX_HEADER_VALUE:
        raise _fail(field, f"{what} must be at most {MAX_HEADER_VALUE} characters")
    if not _VALUE.fullmatch(value):
        raise _fail(
            field,
            f"invalid {what} {value!r}: only printable ASCII without '\"', '\\' or '$' "
            "(no control characters) is allowed",
        )
    if value != value.strip(" "):
        raise _fail(field, f"invalid {what} {value!r}: must not begin or end with a space")
    return value


def header_set_value(value: str, field: str) -> str:
    """A value a header is set to: non-empty (NGINX drops empty headers), safe characters."""
    if not value:
        raise _fail(field, "header value must not be empty: NGINX does not send empty headers")
    return _value_chars(value, field, "header value")


def header_set_name(value: str, field: str) -> str:
    """A header we set: a valid name that does not frame or hop the request."""
    header_name(value, field)
    if value.lower() in FORBIDDEN_SET_HEADERS:
        raise _fail(field, f"setting the {value!r} header is not allowed")
    return value


def header_match_value(value: str, field: str) -> str:
    """An exact header match value: safe characters (may be empty)."""
    return _value_chars(value, field, "header match value")


def virtual_server_match_value(value: str, field: str) -> str:
    """A match value for a VirtualServer condition.

    NGINX Ingress Controller reads a leading ``!`` as negation, and NGINX's
    ``map`` reads a leading ``~`` as a regular expression; neither can be an
    exact match, so both are refused.
    """
    header_match_value(value, field)
    if value[:1] in ("!", "~"):
        raise _fail(
            field,
            f"invalid header match value {value!r}: a VirtualServer condition value "
            "cannot start with '!' or '~'",
        )
    return value


def canary_match_value(value: str, field: str) -> str:
    """A value for ingress-nginx ``canary-by-header-value``: non-empty (empty means unset)."""
    if not value:
        raise _fail(field, "ingress-nginx cannot match an empty header value")
    return header_match_value(value, field)


def path(value: str, field: str) -> str:
    """A literal path prefix: empty (everything) or ``/`` plus RFC 3986 path characters."""
    if value == "":
        return value
    if len(value) > MAX_PATH:
        raise _fail(field, f"path must be at most {MAX_PATH} characters")
    if not _PATH.fullmatch(value):
        raise _fail(
            field,
            f"invalid path {value!r}: must start with '/' and use only letters, digits, "
            "'%XX' escapes and -._~!&()*+,=:@/ (no whitespace, quotes, braces, ';', '$', "
            "'#', '?' or control characters)",
        )
    return value


def service_name(value: str, field: str) -> str:
    """A Kubernetes Service name (RFC 1035 label)."""
    if not _DNS1035.fullmatch(value):
        raise _fail(field, f"invalid service name {value!r}: must be an RFC 1035 label")
    return value


def service_port(value: int | str, field: str) -> int | str:
    """A Service port number (1-65535) or an IANA port name."""
    if isinstance(value, int):
        if not 1 <= value <= 65535:
            raise _fail(field, f"invalid port {value}: must be 1 to 65535")
        return value
    if value.isdigit():
        return service_port(int(value), field)
    if not _PORT_NAME.fullmatch(value) or "--" in value:
        raise _fail(field, f"invalid port name {value!r}: must be an IANA service name")
    return value


def object_name(value: str, field: str) -> str:
    """A Kubernetes object name (RFC 1123 subdomain), e.g. a Secret's."""
    if len(value) > MAX_HOST or not all(_LABEL.fullmatch(part) for part in value.split(".")):
        raise _fail(field, f"invalid name {value!r}: must be an RFC 1123 subdomain")
    return value


def namespace(value: str, field: str) -> str:
    """A namespace name (RFC 1123 label)."""
    if not _LABEL.fullmatch(value):
        raise _fail(field, f"invalid namespace {value!r}: must be an RFC 1123 label")
    return value


def _headers(
    items: Iterable[tuple[str, str]],
    field: str,
    check_name: Callable[[str, str], str],
    check_value: Callable[[str, str], str],
) -> None:
    seen: dict[str, str] = {}
    for name, value in sorted(items):
        check_name(name, field)
        check_value(value, f"{field}[{name}]")
        clash = seen.get(name.lower())
        if clash is not None:
            raise _fail(field, f"headers {clash!r} and {name!r} differ only in case")
        seen[name.lower()] = name


def _split(split: IngressBackendSplit, field: str) -> None:
    service_name(split.service_name, f"{field}.serviceName")
    service_port(split.service_port, f"{field}.servicePort")
    _headers(
        split.append_headers.items(), f"{field}.appendHeaders", header_set_name, header_set_value
    )


def _path(http_path: HTTPIngressPath, field: str, match_value: Callable[[str, str], str]) -> None:
    path(http_path.path, f"{field}.path")
    _headers(
        ((name, match.exact) for name, match in http_path.headers.items()),
        f"{field}.headers",
        header_name,
        match_value,
    )
    _headers(
        http_path.append_headers.items(),
        f"{field}.appendHeaders",
        header_set_name,
        header_set_value,
    )
    if http_path.rewrite_host:
        host(http_path.rewrite_host, f"{field}.rewriteHost")
    for k, split in enumerate(http_path.splits):
        _split(split, f"{field}.splits[{k}]")


def validate_ingress(
    ingress: ClusterIngress,
    *,
    match_value: Callable[[str, str], str] = header_match_value,
) -> ClusterIngress:
    """Check every string of ``ingress`` that can reach the gateway; return it unchanged.

    ``match_value`` is the backend's rule for exact header match values. The
    first problem is raised as ``TranslationError`` naming its field.
    """
    object_name(ingress.metadata.name, "metadata.name")
    namespace(ingress.metadata.namespace or "", "metadata.namespace")
    for i, rule in enumerate(ingress.spec.rules):
        for h, value in enumerate(rule.hosts):
            host(value, f"spec.rules[{i}].hosts[{h}]")
        if rule.http is None:
            continue
        namer = FieldNamer.for_rule(i, rule)
        for j, http_path in enumerate(rule.http.paths):
            _path(http_path, namer.path(j), match_value)
    for t, tls in enumerate(ingress.spec.tls):
        for h, value in enumerate(tls.hosts):
            host(value, f"spec.tls[{t}].hosts[{h}]")
        object_name(tls.secret_name, f"spec.tls[{t}].secretName")
        namespace(tls.secret_namespace, f"spec.tls[{t}].secretNamespace")
    return ingress
