"""kingress's benchmarks: numbers anyone can reproduce with one command.

``python -m benchmarks`` (or ``./run bench``) runs every scenario, each
measurement in a subprocess of its own (so peak RSS is per scenario), prints a
table with pass/fail against the targets, and writes JSON with a description
of the machine. ``--quick`` runs the same code at tiny sizes (what the smoke
tests do). The scenarios:

- ``scale`` (``benchmarks.scale``): N Services through the whole pipeline per
  backend, against a JSON serialisation floor; also the incremental cost of
  changing one Route with N present;
- ``envoy-update`` (``benchmarks.envoy_update``): a Route's split changed with
  N Routes present, until a real Envoy serves it;
- ``cold-start`` (``benchmarks.cold_start``): controllers restarting against N
  Routes until all are Ready again;
- ``time-to-ready`` (``benchmarks.time_to_ready``): a Service created every
  100 ms until its first 200 through Envoy;
- ``data-plane`` (``benchmarks.data_plane``): requests through Envoy against
  straight to the upstream.
"""
