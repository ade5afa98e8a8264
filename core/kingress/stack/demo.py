"""``kingress demo``: the seed's HelloWorld walk-through on this machine, through a real gateway.

Every step changes the embedded store, then the controllers ``settle`` — the
local runtime starting revision processes and the data plane's runner
programming the gateway are reconcilers in that same loop, so when it returns
the gateway serves the result. Then the step shows what the controllers made
and sends real requests:

1. the seed's ``examples/helloworld.yaml`` (v1alpha1 ``runLatest``,
   ``TARGET=Go Sample v1``) with the stack's class in ``config-network``;
2. ``examples/helloworld-v2.yaml``: a second Revision takes all the traffic;
3. a v1 ``traffic`` block on the Service: 50/50 between the two Revisions,
   with the answers of many requests counted;
4. the tag ``candidate`` on the second Revision: its own host answers it alone.

Each step checks what it shows (the Service Ready, each answer the one its
Revision's ``TARGET`` promises) and stops with ``DemoFailed`` otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from kingress.api.kinds import default_scheme
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, Object, ObjectRef
from kingress.controller.clock import SystemClock
from kingress.controller.settle import NotSettled, ReconcileFailed, SettleReport, settle
from kingress.manifests import admit, apply_object, read_documents
from kingress.serving import names
from kingress.stack import summary
from kingress.stack.local import LocalStack
from kingress.stack.traffic import curl_command, distribution, get

SERVING = "serving.knative.dev"
SERVICE = Kind(SERVING, "Service")
CONFIGURATION = Kind(SERVING, "Configuration")
REVISION = Kind(SERVING, "Revision")
ROUTE = Kind(SERVING, "Route")
CLUSTER_INGRESS = Kind("networking.internal.knative.dev", "ClusterIngress")
DEPLOYMENT = Kind("apps", "Deployment")

NAMESPACE = "default"
NAME = "helloworld-go"
HOST = f"{NAME}.{NAMESPACE}.example.com"
TAG = "candidate"
TAG_HOST = f"{TAG}-{HOST}"


class DemoFailed(RuntimeError):
    """A step did not give what it shows; the message says what was seen."""


def greeting(revision: Mapping[str, Any]) -> str:
    """What the helloworld sample answers for a Revision: ``Hello {TARGET}!``."""
    return f"Hello {summary.container_env(revision).get('TARGET', 'World')}!"


@dataclass
class Demo:
    """The walk-through over a started ``LocalStack``; ``run()`` prints as it goes."""

    stack: LocalStack
    examples: Path
    out: TextIO
    requests: int = 200
    store: MemoryCluster = field(default_factory=MemoryCluster)

    def say(self, line: str = "", indent: int = 0) -> None:
        """Print one line at once (the demo is followed live)."""
        self.out.write(" " * indent + line + "\n")
        self.out.flush()

    def run(self) -> None:
        """Every step, in order."""
        self.intro()
        self.stack.configure(self.store)
        self.step(
            1,
            "Apply the seed's HelloWorld, ingress class from config-network",
            lambda: self.apply_file("helloworld.yaml"),
        )
        first = self.latest_ready()
        self.check_answer(HOST, first)
        self.step(
            2,
            "Update it: a second revision takes all the traffic",
            lambda: self.apply_file("helloworld-v2.yaml"),
        )
        second = self.latest_ready()
        self.check_answer(HOST, second)
        self.step(3, "Split traffic 50/50 (a v1 traffic block)", lambda: self.split(first, second))
        self.check_split(HOST, [first, second])
        self.step(4, f"Tag {second} as {TAG!r}", lambda: self.split(first, second, tag=TAG))
        self.check_answer(TAG_HOST, second)
        self.check_split(HOST, [first, second])

    # -- the changes -------------------------------------------------------------

    def apply_file(self, name: str) -> None:
        """Apply one example manifest, as ``kubectl apply -f`` would."""
        documents = read_documents([str(self.examples / name)])
        for document, obj in zip(documents, admit(documents, default_scheme()), strict=True):
            self.say(f"apply {name}: {document.obj['apiVersion']} {document.label}", 4)
            apply_object(self.store, obj)

    def split(self, first: str, second: str, *, tag: str = "") -> None:
        """Give the Service a v1 traffic block: 50% to each revision (``tag`` on the second)."""
        traffic: list[dict[str, Any]] = [
            {"revisionName": first, "percent": 50},
            {"revisionName": second, "percent": 50, **({"tag": tag} if tag else {})},
        ]
        self.say("spec.traffic:", 4)
        for target in traffic:
            self.say("- " + ", ".join(f"{k}: {v}" for k, v in target.items()), 4)
        current = self.get(SERVICE, NAME)
        changed = {**current, "spec": {**current["spec"], "traffic": traffic}}
        self.store.update(default_scheme().admit(changed))

    # -- showing -------------------------------------------------------------------

    def intro(self) -> None:
        """Where things run."""
        self.say("kingress demo: Knative's HelloWorld on this machine, through a real gateway")
        listeners = ", ".join(
            f"{lst.name} {lst.address}:{lst.port}" for lst in self.stack.data_plane.listeners()
        )
        self.say(f"gateway for class {self.stack.ingress_class}: {listeners}", 2)
        self.say("revisions run as local processes (the helloworld sample), one each", 2)
        self.say(f"logs and gateway files in {self.stack.workdir}", 2)

    def step(self, number: int, title: str, change: Callable[[], None]) -> None:
        """Make a change, settle, check the Service is Ready, show the objects."""
        self.say()
        self.say(f"[{number}] {title}")
        started = time.monotonic()
        change()
        try:
            report = settle(self.store, self.stack.reconcilers(), SystemClock())
        except (NotSettled, ReconcileFailed) as error:
            raise DemoFailed(
                f"the controllers did not settle after step {number}: {error}"
            ) from error
        took = time.monotonic() - started
        self.say(f"controllers settled: {report.reconciles} reconciles in {took:.2f} s", 4)
        self.show()
        service = self.get(SERVICE, NAME)
        if summary.readiness(service) != "Ready":
            raise DemoFailed(
                f"the Service is not Ready after step {number}: {summary.service(service)}"
            )

    def converge(self) -> SettleReport:
        """Run every controller, the runtime and the gateway runner until nothing changes."""
        try:
            return settle(self.store, self.stack.reconcilers(), SystemClock())
        except (NotSettled, ReconcileFailed) as error:
            raise DemoFailed(f"the controllers did not settle: {error}") from error

    def show(self) -> None:
        """One line per object, then the gateway's routes."""
        self.say(summary.service(self.get(SERVICE, NAME)), 4)
        self.say(summary.configuration(self.get(CONFIGURATION, NAME)), 4)
        for revision in self.store.list(REVISION, NAMESPACE):
            self.say(summary.revision(revision, self.served_by(revision)), 4)
        self.say(summary.route(self.get(ROUTE, NAME)), 4)
        for line in summary.ingress(self.get(CLUSTER_INGRESS, NAME)):
            self.say(line, 4)
        self.say("gateway routes:", 4)
        for line in self.stack.data_plane.describe():
            self.say(line, 6)

    def served_by(self, revision: Object) -> str:
        """``pid 123 on 127.0.0.1:40000`` for a Revision's running process."""
        name = names.deployment(revision["metadata"]["name"])
        info = self.stack.runtime.process(ObjectRef(DEPLOYMENT, NAMESPACE, name))
        return f"pid {info.pid} on 127.0.0.1:{info.port}" if info else "no process"

    # -- checking ------------------------------------------------------------------

    def check_answer(self, host: str, revision: str) -> None:
        """One request to ``host``; it must be the greeting of ``revision``."""
        self.say()
        self.say(f"$ {curl_command(self.stack.public, host)}", 4)
        reply = get(self.stack.public, host)
        self.say(reply.text, 4)
        expected = greeting(self.get(REVISION, revision))
        if reply.text != expected:
            raise DemoFailed(f"{host} answered {reply.text!r}, expected {expected!r}")

    def check_split(self, host: str, revisions: list[str]) -> None:
        """Many requests to ``host``: each answer must be one of ``revisions``, all must occur."""
        counts = distribution(self.stack.public, host, self.requests)
        shown = ", ".join(f"{answer}: {n}" for answer, n in sorted(counts.items()))
        self.say(f"{self.requests} requests to {host} → {shown}", 4)
        expected = {greeting(self.get(REVISION, name)) for name in revisions}
        if set(counts) != expected:
            raise DemoFailed(
                f"{host} answered {sorted(counts)}, expected each of {sorted(expected)}"
            )

    # -- reading -------------------------------------------------------------------

    def get(self, kind: Kind, name: str) -> Object:
        """An object of the demo's namespace."""
        return self.store.get(kind, NAMESPACE, name)

    def latest_ready(self) -> str:
        """The Configuration's latest ready Revision."""
        return str(self.get(CONFIGURATION, NAME)["status"]["latestReadyRevisionName"])
