"""ClusterIngress helpers shared by the core and every backend."""
