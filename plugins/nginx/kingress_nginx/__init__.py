"""kingress backends for NGINX: F5 NGINX Ingress Controller and legacy ingress-nginx.

``nginx`` (class ``nginx.ingress.networking.knative.dev``) emits one
``VirtualServer`` per host; ``ingress-nginx`` (class
``ingress-nginx.ingress.networking.knative.dev``) emits primary and canary
``Ingress`` objects and declares unsupported what that API cannot express.
Neither ever emits a snippet: every user string is validated first.
"""

from __future__ import annotations

from kingress_nginx.backend import IngressNginxBackend, NginxBackend

__all__ = ["IngressNginxBackend", "NginxBackend"]
