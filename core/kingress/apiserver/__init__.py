"""``kingress apiserver``: a Kubernetes-compatible HTTP API over the embedded store.

Enough of the Kubernetes API for ``kubectl`` and the official ``kubernetes``
client: discovery, OpenAPI v3, CRUD with patches, selectors, watch, status
subresources, optimistic concurrency, dry-run, and kingress's own validation.
It is not a cluster: no kubelet, no scheduler, no authentication or RBAC,
no admission webhooks. See docs/apiserver.md.
"""
