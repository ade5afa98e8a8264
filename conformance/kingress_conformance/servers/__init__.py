"""The test servers the cases route to, runnable in-process (``serve``) or as a module.

One server program plays every role Knative's test images play; its kind says
how it answers plain requests (``runtime`` echoes them as JSON, ``timeout``
waits before and after the headers, ``retry`` answers 503 first), and every
kind also speaks h2c, accepts websocket upgrades (echoing messages with its
suffix), serves the gRPC ping service over h2c, and implements Knative's probe
contract. It listens on 127.0.0.1 by default and stops by itself when its
lifetime ends.
"""

from __future__ import annotations

from kingress_conformance.servers.http import ServerConfig, TestServer, serve

__all__ = ["ServerConfig", "TestServer", "serve"]
