"""The cluster port over a real Kubernetes API (or ``kingress apiserver``).

Built on the official ``kubernetes`` client's ``ApiClient``, which brings
kubeconfig and in-cluster configuration, TLS and credentials; requests are
made with its raw ``call_api`` so objects stay wire-form dicts, exactly what
the port carries. URLs come from discovery (``/api``, ``/apis``): a kind's
plural and scope are read once per group-version, and again when a kind is
not found (a CRD installed later). Non-2xx answers become the port's errors
(``errors.error_for``: 404 NotFound, 409 Conflict/AlreadyExists, 410 Gone,
422 Invalid…); an unreachable server is ``Unavailable``.

Besides the port, ``list_pages`` and ``watch_kind`` give informers what they
need: a list page by page (decoded straight into frozen objects) with its
resourceVersion, and a watch of one kind from one. ``list_kind`` is the
whole list at once, as plain dicts.
"""

from __future__ import annotations

import builtins
import json
import os
import queue
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import urllib3
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.watch.watch import iter_resp_lines

from kingress.cluster.errors import ApiError, BadRequest, NotFound, Unavailable, error_for
from kingress.cluster.port import EventType, Kind, Object, WatchEvent
from kingress.frozen import freeze_version, loads

_JSON = "application/json"
#: Objects per page of a list (client-go's informers ask for 500).
LIST_PAGE = 500


@dataclass(frozen=True, slots=True)
class _Mapping:
    api_version: str
    plural: str
    namespaced: bool


def load_api_client(kubeconfig: str | None = None) -> client.ApiClient:
    """An ``ApiClient`` from a kubeconfig path, else in-cluster config, else ~/.kube/config."""
    configuration = client.Configuration()
    if kubeconfig:
        config.load_kube_config(config_file=kubeconfig, client_configuration=configuration)
    elif os.environ.get("KUBERNETES_SERVICE_HOST"):
        config.load_incluster_config(client_configuration=configuration)
    else:
        config.load_kube_config(client_configuration=configuration)
    return client.ApiClient(configuration)


def _selector(labels: Mapping[str, str] | str | None) -> str | None:
    if labels is None or isinstance(labels, str):
        return labels
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def _version_of(obj: Mapping[str, Any]) -> int:
    raw = str((obj.get("metadata") or {}).get("resourceVersion") or "0")
    return int(raw) if raw.isdigit() else 0


class KubeCluster:
    """The cluster port over the Kubernetes HTTP API."""

    def __init__(self, api_client: client.ApiClient, *, request_timeout: float = 30.0) -> None:
        self._client = api_client
        self._timeout = request_timeout
        self._lock = threading.Lock()
        self._preferred: dict[str, str] = {}
        self._mappings: dict[tuple[str, str], _Mapping] = {}
        self._loaded: set[str] = set()

    @classmethod
    def from_kubeconfig(cls, kubeconfig: str | None = None) -> KubeCluster:
        """Connect as ``load_api_client`` decides."""
        return cls(load_api_client(kubeconfig))

    # -- HTTP ---------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str | None] | None = None,
        body: Any = None,
        stream_timeout: float | None = None,
        frozen: bool = False,
    ) -> Any:
        """The decoded response body (``frozen``: as ``frozen.loads`` decodes it)."""
        params = [(k, v) for k, v in (query or {}).items() if v is not None]
        headers = {"Accept": _JSON}
        if body is not None:
            headers["Content-Type"] = _JSON
        request = self._client.param_serialize(
            method=method,
            resource_path=path,
            query_params=params,
            header_params=headers,
            body=body,
            auth_settings=["BearerToken"],
        )
        timeout = self._timeout if stream_timeout is None else (self._timeout, stream_timeout)
        try:
            response = self._client.call_api(*request, _request_timeout=timeout)
        except ApiException as error:
            raise error_for(error.status or 503, "", f"{method} {path}: {error.reason}") from None
        except urllib3.exceptions.HTTPError as error:
            raise Unavailable(f"{method} {path}: {error}") from None
        if not 200 <= response.status < 300:
            raise self._error(response.read())
        if stream_timeout is not None:
            return response.response
        data = response.read()
        if not data:
            return None
        return loads(data) if frozen else json.loads(data)

    @staticmethod
    def _error(data: bytes) -> ApiError:
        try:
            status = json.loads(data)
        except ValueError:
            status = {}
        if not isinstance(status, dict):
            status = {}
        return error_for(
            int(status.get("code") or 500),
            str(status.get("reason") or ""),
            str(status.get("message") or data[:200].decode(errors="replace")),
        )

    # -- discovery ----------------------------------------------------------

    def _discover(self, group_version: str) -> None:
        path = "/api/v1" if group_version == "v1" else f"/apis/{group_version}"
        try:
            document = self._call("GET", path)
        except NotFound:
            return
        for resource in document.get("resources") or ():
            if "/" in resource["name"]:
                continue
            self._mappings[(group_version, resource["kind"])] = _Mapping(
                group_version, resource["name"], bool(resource.get("namespaced"))
            )
        self._loaded.add(group_version)

    def _preferred_version(self, group: str) -> str:
        if not group:
            return "v1"
        if group not in self._preferred:
            for entry in self._call("GET", "/apis").get("groups") or ():
                self._preferred[entry["name"]] = entry["preferredVersion"]["groupVersion"]
        try:
            return self._preferred[group]
        except KeyError:
            raise NotFound(f"the server does not serve the API group {group!r}") from None

    def _lookup(self, kind: Kind, api_version: str | None, refresh: bool) -> _Mapping | None:
        group_version = api_version or self._preferred_version(kind.group)
        if refresh or group_version not in self._loaded:
            self._discover(group_version)
        return self._mappings.get((group_version, kind.kind))

    def _mapping(self, kind: Kind, api_version: str | None = None) -> _Mapping:
        with self._lock:
            found = self._lookup(kind, api_version, refresh=False)
            if found is None:
                # Not served when last asked: a CRD may have been installed since.
                self._preferred.clear()
                found = self._lookup(kind, api_version, refresh=True)
        if found is None:
            raise NotFound(f"the server does not serve {kind} ({api_version or 'preferred'})")
        return found

    def _path(self, mapping: _Mapping, namespace: str | None, name: str | None = None) -> str:
        base = "/api/v1" if mapping.api_version == "v1" else f"/apis/{mapping.api_version}"
        if mapping.namespaced and namespace:
            base += f"/namespaces/{namespace}"
        base += f"/{mapping.plural}"
        return f"{base}/{name}" if name else base

    def _object_path(self, obj: Object, subresource: str = "") -> str:
        meta = obj.get("metadata") or {}
        mapping = self._mapping(Kind.of(obj), str(obj.get("apiVersion")))
        path = self._path(mapping, meta.get("namespace") or "default", meta.get("name") or "")
        return f"{path}/{subresource}" if subresource else path

    # -- the port -----------------------------------------------------------

    def get(self, kind: Kind, namespace: str, name: str) -> Object:
        """GET one object."""
        result: Object = self._call("GET", self._path(self._mapping(kind), namespace, name))
        return result

    def list(
        self,
        kind: Kind,
        namespace: str | None = None,
        labels: Mapping[str, str] | str | None = None,
    ) -> list[Object]:
        """LIST a kind, in one namespace or all."""
        return self.list_kind(kind, namespace, labels)[0]

    def create(self, obj: Object) -> Object:
        """POST a new object."""
        meta = obj.get("metadata") or {}
        mapping = self._mapping(Kind.of(obj), str(obj.get("apiVersion")))
        path = self._path(mapping, meta.get("namespace") or "default")
        result: Object = self._call("POST", path, body=obj)
        return result

    def update(self, obj: Object) -> Object:
        """PUT an object (its resourceVersion is the precondition)."""
        result: Object = self._call("PUT", self._object_path(obj), body=obj)
        return result

    def update_status(self, obj: Object) -> Object:
        """PUT the status subresource."""
        result: Object = self._call("PUT", self._object_path(obj, "status"), body=obj)
        return result

    def delete(self, kind: Kind, namespace: str, name: str) -> None:
        """DELETE with background propagation (dependents are collected)."""
        path = self._path(self._mapping(kind), namespace, name)
        self._call("DELETE", path, body={"propagationPolicy": "Background"})

    def watch(
        self, since: int, kinds: frozenset[Kind] | None = None, timeout: float | None = None
    ) -> Iterator[WatchEvent]:
        """Changes of the given kinds (all namespaces) after ``since``, merged."""
        if not kinds:
            raise BadRequest("a watch over the Kubernetes API must name its kinds")
        events: queue.Queue[WatchEvent | ApiError | None] = queue.Queue()

        def pump(kind: Kind) -> None:
            try:
                for event in self.watch_kind(kind, None, str(since), timeout):
                    events.put(event)
            except ApiError as error:
                events.put(error)
            events.put(None)

        for kind in kinds:
            threading.Thread(target=pump, args=(kind,), daemon=True).start()
        running = len(kinds)
        while running:
            item = events.get()
            if item is None:
                running -= 1
            elif isinstance(item, ApiError):
                raise item
            else:
                yield item

    # -- for informers ------------------------------------------------------

    def list_kind(
        self,
        kind: Kind,
        namespace: str | None = None,
        labels: Mapping[str, str] | str | None = None,
    ) -> tuple[builtins.list[Object], str]:
        """The objects (plain dicts, the caller's to change) and the list's resourceVersion."""
        items: builtins.list[Object] = []
        version = ""
        for page, listed_at in self.list_pages(kind, namespace, labels, frozen=False):
            items.extend(page)
            version = listed_at
        return items, version

    def list_pages(
        self,
        kind: Kind,
        namespace: str | None = None,
        labels: Mapping[str, str] | str | None = None,
        *,
        frozen: bool = True,
    ) -> Iterator[tuple[builtins.list[Object], str]]:
        """The list one page at a time: each page's objects and the list's resourceVersion.

        Read in pages of ``LIST_PAGE`` objects, as client-go's informers read
        them: a kind of 20,000 objects is not one document of 100 MB to
        encode, send and decode in one request. A caller that keeps what it
        makes of each page (an informer freezes it) holds a page or two of
        decoded objects at a time, never the whole kind. The objects come
        ``frozen`` unless told otherwise: decoded and frozen in one step
        (``frozen.loads``), which an informer's cache keeps as they are. An
        empty list is one empty page.
        """
        complete = freeze_version if frozen else dict
        mapping = self._mapping(kind)
        token: str | None = None
        version = ""
        while True:
            document = self._call(
                "GET",
                self._path(mapping, namespace),
                query={
                    "labelSelector": _selector(labels),
                    "limit": str(LIST_PAGE),
                    "continue": token,
                },
                frozen=frozen,
            )
            meta = document.get("metadata") or {}
            version = version or str(meta.get("resourceVersion") or "")
            # Items of a built-in kind come without their kind (as kube-apiserver sends them).
            items: builtins.list[Object] = [
                item
                if "apiVersion" in item and "kind" in item
                else complete({"apiVersion": mapping.api_version, "kind": kind.kind, **item})
                for item in document.get("items") or ()
            ]
            token = meta.get("continue") or None
            yield items, version
            if token is None:
                return

    def watch_kind(
        self,
        kind: Kind,
        namespace: str | None,
        resource_version: str,
        timeout: float | None = None,
    ) -> Iterator[WatchEvent]:
        """Changes of one kind after ``resource_version``; ``Gone`` when that is too old.

        The server ends the stream after ``timeout`` seconds (``timeoutSeconds``).
        """
        mapping = self._mapping(kind)
        query = {
            "watch": "true",
            "resourceVersion": resource_version,
            "timeoutSeconds": str(int(timeout)) if timeout else None,
        }
        read_timeout = (timeout or 300) + self._timeout
        response = self._call(
            "GET", self._path(mapping, namespace), query=query, stream_timeout=read_timeout
        )
        try:
            for line in iter_resp_lines(response):
                event = json.loads(line)
                obj = event.get("object") or {}
                if event.get("type") == "ERROR":
                    raise error_for(
                        int(obj.get("code") or 500),
                        str(obj.get("reason") or ""),
                        str(obj.get("message") or "watch failed"),
                    )
                if event.get("type") not in EventType.__members__:
                    continue
                obj.setdefault("apiVersion", mapping.api_version)
                obj.setdefault("kind", kind.kind)
                yield WatchEvent(EventType(event["type"]), obj, _version_of(obj))
        except urllib3.exceptions.HTTPError as error:
            raise Unavailable(f"watch of {kind} ended: {error}") from None
        finally:
            response.release_conn()
