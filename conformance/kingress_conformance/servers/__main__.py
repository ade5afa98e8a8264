"""``python -m kingress_conformance.servers --name NAME [--kind K] [--port P]``: one test server.

The container image of the cluster depth runs this; it serves until its
lifetime ends or it is killed.
"""

from __future__ import annotations

import argparse

from kingress_conformance.servers.http import ServerConfig, serve


def main() -> None:
    """Parse the options and serve."""
    parser = argparse.ArgumentParser(prog="python -m kingress_conformance.servers")
    parser.add_argument("--name", required=True, help="the test Service it stands behind")
    parser.add_argument("--kind", choices=("runtime", "timeout", "retry"), default="runtime")
    parser.add_argument("--suffix", default="", help="appended to websocket and gRPC echoes")
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--lifetime", type=float, default=3600.0, help="seconds until it stops")
    args = parser.parse_args()
    config = ServerConfig(
        name=args.name,
        kind=args.kind,
        suffix=args.suffix,
        address=args.address,
        port=args.port,
        lifetime=args.lifetime,
    )
    server = serve(config)
    print(
        f"serving {config.name} ({config.kind}) on {server.address[0]}:{server.address[1]}",
        flush=True,
    )
    server.wait()


if __name__ == "__main__":
    main()
