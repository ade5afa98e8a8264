"""HTTP header names and values of the Knative networking contract."""

from __future__ import annotations

#: Sent by probers; a backend answering a probe echoes ``K-Network-Hash``.
PROBE_HEADER = "K-Network-Probe"
PROBE_VALUE = "probe"
#: Matched (value ``override``) by the probe paths, which set it to the ingress hash.
HASH_HEADER = "K-Network-Hash"
HASH_OVERRIDE = "override"
#: User agent of probe requests.
PROBE_USER_AGENT = "Knative-Ingress-Probe"
#: Path probers request.
PROBE_PATH = "/healthz"
#: Tag routing by header (``tag-header-based-routing``).
TAG_HEADER = "Knative-Serving-Tag"
DEFAULT_ROUTE_HEADER = "Knative-Serving-Default-Route"
#: Post-split headers naming the revision a request went to.
REVISION_HEADER = "Knative-Serving-Revision"
NAMESPACE_HEADER = "Knative-Serving-Namespace"
#: Set by domain mappings on the rewritten request.
ORIGINAL_HOST_HEADER = "K-Original-Host"
