"""The resource endpoints: create, get, list, update, patch, delete, deletecollection, watch.

``Api.handle`` takes a parsed request and a decoded body and returns a
``Response`` (or, for watches, a ``Stream`` of events); it knows nothing of
HTTP. Semantics are the store's (``MemoryCluster``: resourceVersion conflicts,
generation, status subresource, cascading deletes) plus what the API adds:

- namespaces: ``default``, ``kube-system`` and ``kube-public`` exist; creating
  an object in a namespace that does not exist is ``404 NotFound``, as in
  Kubernetes; deleting a namespace deletes what is in it;
- ``dryRun=All`` runs admission and the conflict checks and stores nothing;
- deletes honour ``preconditions`` and ``propagationPolicy`` (``Orphan`` strips
  the owner reference from dependents; ``Background`` and ``Foreground`` both
  collect dependents synchronously);
- field selectors support ``metadata.name`` and ``metadata.namespace``.
"""

from __future__ import annotations

import base64
import copy
import json
import logging
import math
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kingress.api.scheme import Scheme
from kingress.apiserver import discovery, openapi, watch
from kingress.apiserver.admission import admit, render
from kingress.apiserver.metadata import check_metadata
from kingress.apiserver.patch import apply_patch
from kingress.apiserver.resources import CRD_KIND, Resource, ResourceTable
from kingress.apiserver.routing import OtherPath, Request, ResourcePath
from kingress.apiserver.status import MethodNotAllowed, failure, success
from kingress.apiserver.table import table, wants_table
from kingress.cluster.errors import AlreadyExists, ApiError, BadRequest, Conflict, NotFound
from kingress.cluster.index import PageQuery, Position, position
from kingress.cluster.memory import MemoryCluster, rfc3339, validate_name
from kingress.cluster.port import Kind, Object
from kingress.cluster.selectors import parse_selector

log = logging.getLogger("kingress.apiserver")

NAMESPACE = Kind("", "Namespace")
INITIAL_NAMESPACES = ("default", "kube-system", "kube-public")
_PATCH_ATTEMPTS = 5
_PROPAGATION_POLICIES = ("Orphan", "Background", "Foreground")


@dataclass(frozen=True, slots=True)
class Response:
    """A status code and a JSON body."""

    code: int
    body: Any


@dataclass(frozen=True, slots=True)
class Stream:
    """A watch: events (JSON objects) sent one per line until the iterator ends.

    ``None`` items are heartbeats: nothing to send, a chance to notice that the
    client went away.
    """

    events: Iterator[dict[str, Any] | None]


def _field_matcher(selector: str) -> Callable[[Object], bool]:
    """A predicate for a field selector over ``metadata.name`` / ``metadata.namespace``."""
    terms: list[tuple[str, bool, str]] = []
    for term in filter(None, (t.strip() for t in selector.split(","))):
        negate = "!=" in term
        field, sep, value = term.partition("!=" if negate else "=")
        field, value = field.strip(), value.lstrip("=").strip()
        if not sep or field not in ("metadata.name", "metadata.namespace"):
            raise BadRequest(
                f'"{term}" is not a known field selector: only "metadata.name", '
                '"metadata.namespace"'
            )
        terms.append((field.partition(".")[2], negate, value))

    def matches(obj: Object) -> bool:
        meta = obj.get("metadata") or {}
        return all(((meta.get(f) or "") == v) != negate for f, negate, v in terms)

    return matches


def _continue_token(version: str, last: Position) -> str:
    raw = json.dumps([version, *last], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _page(query: dict[str, str]) -> tuple[int | None, tuple[str, Position] | None]:
    """A list's ``limit`` and, from its ``continue`` token, the version and position to resume.

    Lists are paged as Kubernetes pages them (``limit``, then ``continue``
    with the token the previous page returned). Every page reports the first
    page's resourceVersion; unlike etcd, the store keeps no snapshot, so later
    pages show objects as they are when asked, and a watch from that version
    delivers every change made meanwhile, which is what informers do.
    """
    raw_limit = query.get("limit", "")
    limit: int | None = None
    if raw_limit:
        if not raw_limit.isdigit():
            raise BadRequest(f"limit: Invalid value: {raw_limit!r}: must be a non-negative integer")
        limit = int(raw_limit) or None
    token = query.get("continue", "")
    if not token:
        return limit, None
    try:
        version, namespace, name = json.loads(base64.urlsafe_b64decode(token.encode()))
        if not all(isinstance(part, str) for part in (version, namespace, name)):
            raise ValueError(token)
    except (ValueError, TypeError) as error:
        raise BadRequest(f"continue: Invalid value: {token!r}: {error}") from None
    return limit, (version, (namespace, name))


def _seconds(value: str | None) -> float | None:
    """A ``timeoutSeconds`` parameter: a non-negative number, or absent."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise BadRequest(f"timeoutSeconds: invalid value {value!r}: a non-negative number")
    return seconds


class Api:
    """The Kubernetes API over one store and one scheme."""

    def __init__(self, store: MemoryCluster, scheme: Scheme, server_address: str = "") -> None:
        self.store = store
        self.scheme = scheme
        self.server_address = server_address
        self.stopping = threading.Event()
        self._table_lock = threading.Lock()
        self._table = self._build_table()
        for name in INITIAL_NAMESPACES:
            try:
                self.store.get(NAMESPACE, "", name)
            except NotFound:
                self._create_namespace(
                    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
                )

    # -- dispatch -----------------------------------------------------------

    @property
    def table(self) -> ResourceTable:
        """The resources served now (CRDs created through the API add to it)."""
        with self._table_lock:
            return self._table

    def _build_table(self) -> ResourceTable:
        return ResourceTable.build(self.scheme, self.store.list(CRD_KIND))

    def handle(
        self, method: str, request: Request, body: Any, *, content_type: str = "", accept: str = ""
    ) -> Response | Stream:
        """Serve one request; API errors become Status responses.

        Anything else raised is a bug, but still answered (a ``500`` Status, the
        traceback logged) rather than dropping the connection.
        """
        try:
            if isinstance(request.path, OtherPath):
                if method != "GET":
                    raise MethodNotAllowed(f"{method} is not allowed here")
                return self._other(request.path.parts)
            return self._resource(method, request, body, content_type, accept)
        except ApiError as error:
            return Response(error.code, failure(error))
        except Exception as error:
            log.exception("internal error serving %s %s", method, request.path)
            return Response(500, failure(ApiError(f"internal error: {type(error).__name__}")))

    def _other(self, parts: tuple[str, ...]) -> Response:
        found: Any = None
        table = self.table
        match parts:
            case ("version",):
                found = discovery.version()
            case ("api",):
                found = discovery.api_versions(self.server_address)
            case ("api", version):
                found = discovery.resource_list(table, "", version)
            case ("apis",):
                found = discovery.api_group_list(table)
            case ("apis", group):
                found = discovery.api_group(table, group)
            case ("apis", group, version):
                found = discovery.resource_list(table, group, version)
            case ("openapi", "v3"):
                found = openapi.root(table)
            case ("openapi", "v3", "api", version):
                found = openapi.group_version_document(table, "", version)
            case ("openapi", "v3", "apis", group, version):
                found = openapi.group_version_document(table, group, version)
            case ("healthz" | "readyz" | "livez",):
                found = "ok"
        if found is None:
            raise NotFound("the server could not find the requested resource")
        return Response(200, found)

    def _resource(
        self, method: str, request: Request, body: Any, content_type: str, accept: str
    ) -> Response | Stream:
        path = request.path
        assert isinstance(path, ResourcePath)
        resource = self.table.find(path.group, path.version, path.plural)
        if resource is None or (path.namespace is not None and not resource.namespaced):
            raise NotFound("the server could not find the requested resource")
        if path.subresource not in (None, "status") or (
            path.subresource == "status" and not resource.has_status
        ):
            raise NotFound("the server could not find the requested resource")
        call = _Call(self, resource, path, request, accept)
        if path.name is None:
            if method == "GET":
                return call.watch() if request.flag("watch") else call.list()
            if method == "POST":
                return call.create(body)
            if method == "DELETE":
                return call.delete_collection()
        elif path.subresource is None or method in ("GET", "PUT", "PATCH"):
            if method == "GET":
                return call.get()
            if method == "PUT":
                return call.update(body)
            if method == "PATCH":
                return call.patch(body, content_type)
            if method == "DELETE":
                return call.delete(body)
        raise MethodNotAllowed(f"{method} is not supported on this URL")

    # -- shared by calls ----------------------------------------------------

    def _create_namespace(self, obj: Object) -> Object:
        created = self.store.create(obj)
        return self.store.update_status({**created, "status": {"phase": "Active"}})

    def after_write(self, kind: Kind) -> None:
        """Refresh the served resources when a CRD changed."""
        if kind == CRD_KIND:
            table = self._build_table()
            with self._table_lock:
                self._table = table


class _Call:
    """One request against one resource."""

    def __init__(
        self, api: Api, resource: Resource, path: ResourcePath, request: Request, accept: str
    ) -> None:
        self.api = api
        self.store = api.store
        self.resource = resource
        self.path = path
        self.query = request.query
        self.dry_run = request.query.get("dryRun") == "All"
        self.accept = accept

    # -- helpers --------------------------------------------------------------

    @property
    def namespace(self) -> str:
        return self.path.namespace or "" if self.resource.namespaced else ""

    def _render(self, obj: Object) -> Object:
        return render(self.api.scheme, self.resource, self.path.version, obj)

    def _admit(self, body: Any) -> Object:
        """Admit a body after putting it in the URL's namespace (validation may depend on it)."""
        if isinstance(body, dict):
            check_metadata(body)
            meta = dict(body.get("metadata") or {})
            if self.resource.namespaced:
                if (
                    meta.get("namespace")
                    and self.path.namespace
                    and (meta["namespace"] != self.path.namespace)
                ):
                    raise BadRequest(
                        "the namespace of the provided object does not match the namespace "
                        "sent on the request"
                    )
                meta["namespace"] = self.path.namespace or meta.get("namespace") or "default"
            else:
                meta.pop("namespace", None)
            body = {**body, "metadata": meta}
        return admit(self.api.scheme, self.resource, self.path.version, body)

    def _require_namespace(self, name: str) -> None:
        if self.resource.namespaced:
            try:
                self.store.get(NAMESPACE, "", name)
            except NotFound:
                raise NotFound(f'namespaces "{name}" not found') from None

    def _current(self) -> Object:
        try:
            return self.store.get(self.resource.key, self.namespace, self.path.name or "")
        except NotFound:
            raise NotFound(
                f"{self.resource.plural}.{self.resource.group or ''}".rstrip(".")
                + f' "{self.path.name}" not found'
            ) from None

    def _check_name(self, obj: Object) -> None:
        if obj["metadata"].get("name") != self.path.name:
            raise BadRequest(
                f"the name of the object ({obj['metadata'].get('name')}) does not match the "
                f"name on the URL ({self.path.name})"
            )

    def _matching(self) -> tuple[list[Object], str]:
        version = str(self.store.resource_version)
        labels = self.query.get("labelSelector") or None
        fields = _field_matcher(self.query.get("fieldSelector", ""))
        namespace = self.path.namespace if self.resource.namespaced else None
        found = self.store.list(self.resource.key, namespace, labels)
        return [o for o in found if fields(o)], version

    # -- verbs ----------------------------------------------------------------

    def get(self) -> Response:
        rendered = self._render(self._current())
        if wants_table(self.accept):
            version = str(rendered["metadata"].get("resourceVersion", ""))
            return Response(200, table(self.resource, [rendered], version))
        return Response(200, rendered)

    def list(self) -> Response:
        version = str(self.store.resource_version)
        metadata: dict[str, Any] = {"resourceVersion": version}
        limit, after = _page(self.query)
        start = None
        if after is not None:
            # Later pages keep the first page's version, where a watch must start.
            version, start = after
            metadata["resourceVersion"] = version
        fields = self.query.get("fieldSelector")
        page = self.store.page(
            self.resource.key,
            self.path.namespace if self.resource.namespaced else None,
            self.query.get("labelSelector") or None,
            PageQuery(start, limit, _field_matcher(fields) if fields else None),
        )
        if page.more:
            metadata["continue"] = _continue_token(version, position(page.items[-1]))
            if page.remaining is not None:
                metadata["remainingItemCount"] = page.remaining
        rendered = [self._render(o) for o in page.items]
        if wants_table(self.accept):
            return Response(200, {**table(self.resource, rendered, version), "metadata": metadata})
        return Response(
            200,
            {
                "apiVersion": self.resource.api_version(self.path.version),
                "kind": f"{self.resource.kind}List",
                "metadata": metadata,
                "items": rendered,
            },
        )

    def watch(self) -> Stream:
        labels = parse_selector(self.query.get("labelSelector") or None)
        fields = _field_matcher(self.query.get("fieldSelector", ""))
        namespace = self.path.namespace if self.resource.namespaced else None

        def selected(obj: Object) -> bool:
            meta = obj.get("metadata") or {}
            return (
                (namespace is None or meta.get("namespace") == namespace)
                and labels(meta.get("labels") or {})
                and fields(obj)
            )

        timeout = _seconds(self.query.get("timeoutSeconds"))
        return Stream(
            watch.events(
                self.store,
                self.resource.key,
                self.query.get("resourceVersion", ""),
                selected=selected,
                render=self._render,
                timeout=timeout,
                stopping=self.api.stopping,
            )
        )

    def create(self, body: Any) -> Response:
        obj = self._admit(body)
        meta = obj["metadata"]
        if self.resource.namespaced:
            self._require_namespace(meta["namespace"])
        if self.dry_run:
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
            validate_name(meta.get("name", ""))
            try:
                self.store.get(self.resource.key, meta.get("namespace", ""), meta["name"])
            except NotFound:
                obj.pop("status", None)
                meta.update(
                    uid=str(uuid.uuid4()),
                    generation=1,
                    creationTimestamp=rfc3339(datetime.now(UTC)),
                )
                return Response(201, self._render(obj))
            raise AlreadyExists(f'{self.resource.plural} "{meta["name"]}" already exists')
        if self.resource.key == NAMESPACE:
            created = self.api._create_namespace(obj)
        else:
            created = self.store.create(obj)
        self.api.after_write(self.resource.key)
        return Response(201, self._render(created))

    def _write(self, obj: Object, current: Object) -> Object:
        if self.dry_run:
            wanted = obj["metadata"].get("resourceVersion")
            if wanted and wanted != current["metadata"]["resourceVersion"]:
                raise Conflict(
                    f"Operation cannot be fulfilled on {self.resource.plural} "
                    f'"{self.path.name}": the object has been modified; please apply your '
                    "changes to the latest version and try again"
                )
            if self.path.subresource == "status":
                return {**current, "status": obj.get("status")}
            kept = {
                k: current["metadata"][k]
                for k in ("uid", "creationTimestamp", "generation")
                if k in current["metadata"]
            }
            return {**obj, "metadata": {**obj["metadata"], **kept}, "status": current.get("status")}
        if self.path.subresource == "status":
            written = self.store.update_status(obj)
        else:
            written = self.store.update(obj)
        self.api.after_write(self.resource.key)
        return written

    def update(self, body: Any) -> Response:
        obj = self._admit(body)
        self._check_name(obj)
        current = self._current()
        return Response(200, self._render(self._write(obj, current)))

    def patch(self, body: Any, content_type: str) -> Response:
        for attempt in range(_PATCH_ATTEMPTS):
            current = self._current()
            rendered = self._render(current)
            patched = apply_patch(
                content_type, copy.deepcopy(rendered), body, builtin=self.resource.builtin
            )
            if not isinstance(patched, dict):
                raise BadRequest("the patch did not produce an object")
            check_metadata(patched)
            meta = patched["metadata"] = patched.get("metadata") or {}
            pinned = meta.get("resourceVersion") != current["metadata"]["resourceVersion"]
            meta.setdefault("resourceVersion", current["metadata"]["resourceVersion"])
            obj = self._admit(patched)
            self._check_name(obj)
            try:
                return Response(200, self._render(self._write(obj, current)))
            except Conflict:
                if pinned or attempt == _PATCH_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _options(self, body: Any) -> dict[str, Any]:
        """The DeleteOptions of the body and query, checked (``BadRequest`` if malformed)."""
        if body is not None and not isinstance(body, dict):
            raise BadRequest("a delete body must be a DeleteOptions object")
        options = dict(body or {})
        if "propagationPolicy" in self.query:
            options["propagationPolicy"] = self.query["propagationPolicy"]
        policy = options.get("propagationPolicy")
        if policy is not None and policy not in _PROPAGATION_POLICIES:
            raise BadRequest(
                f"propagationPolicy: unsupported value {policy!r}: one of "
                + ", ".join(_PROPAGATION_POLICIES)
            )
        preconditions = options.get("preconditions")
        if preconditions is not None and not isinstance(preconditions, dict):
            raise BadRequest("preconditions must be an object with uid and resourceVersion")
        if self.query.get("dryRun") == "All" or options.get("dryRun") == ["All"]:
            self.dry_run = True
        return options

    def delete(self, body: Any) -> Response:
        options = self._options(body)
        current = self._current()
        meta = current["metadata"]
        preconditions = options.get("preconditions") or {}
        for key in ("uid", "resourceVersion"):
            if preconditions.get(key) and preconditions[key] != meta.get(key):
                raise Conflict(
                    f"Precondition failed: {key} in precondition: {preconditions[key]}, "
                    f"{key} in object meta: {meta.get(key)}"
                )
        details = {
            "name": meta["name"],
            "group": self.resource.group,
            "kind": self.resource.plural,
            "uid": meta["uid"],
        }
        if self.dry_run:
            return Response(200, self._render(current))
        if options.get("propagationPolicy") == "Orphan":
            self._orphan(meta["uid"])
        if self.resource.key == NAMESPACE:
            self._empty_namespace(meta["name"])
        self.store.delete(self.resource.key, self.namespace, meta["name"])
        self.api.after_write(self.resource.key)
        try:
            remaining = self.store.get(self.resource.key, self.namespace, meta["name"])
        except NotFound:
            return Response(200, success(details))
        return Response(200, self._render(remaining))

    def delete_collection(self) -> Response:
        items, version = self._matching()
        deleted = []
        for obj in items:
            if not self.dry_run:
                try:
                    self.store.delete(
                        self.resource.key,
                        obj["metadata"].get("namespace", ""),
                        obj["metadata"]["name"],
                    )
                except NotFound:
                    continue
            deleted.append(self._render(obj))
        self.api.after_write(self.resource.key)
        return Response(
            200,
            {
                "apiVersion": self.resource.api_version(self.path.version),
                "kind": f"{self.resource.kind}List",
                "metadata": {"resourceVersion": version},
                "items": deleted,
            },
        )

    def _orphan(self, owner_uid: str) -> None:
        for kind in self.store.kinds():
            for obj in self.store.list(kind):
                refs = obj["metadata"].get("ownerReferences") or []
                kept = [r for r in refs if r.get("uid") != owner_uid]
                if len(kept) != len(refs):
                    metadata = {**obj["metadata"], "ownerReferences": kept}
                    self.store.update({**obj, "metadata": metadata})

    def _empty_namespace(self, name: str) -> None:
        for kind in self.store.kinds():
            if kind == NAMESPACE:
                continue
            for obj in self.store.list(kind, name):
                try:
                    self.store.delete(kind, name, obj["metadata"]["name"])
                except NotFound:
                    continue
