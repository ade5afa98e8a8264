"""kingress backend ``envoy``: ClusterIngress straight to Envoy config, served by a local Envoy."""
