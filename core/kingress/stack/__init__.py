"""The whole flow on one machine: ``kingress demo`` and ``kingress dev``.

``LocalStack`` runs what a cluster would, locally: every controller, the local
revision runtime (``kingress.localrt``: a process per Deployment) and the
local data plane of a backend (``kingress.dataplane``: for class ``envoy``, a
real Envoy and the runner that programs it), and stops every process it
started. The core never imports a backend: the data plane is found through the
backend registry. ``demo`` walks the seed's HelloWorld through it offline
(``settle``); ``dev`` serves it behind the embedded Kubernetes API for kubectl.
"""
