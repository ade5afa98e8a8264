"""The embedded store's indexes: objects by kind and namespace, by label, by owner.

Without them every ``list`` scanned the whole store and every delete looked at
every object for dependents, which made a store of 100,000 objects quadratic
to fill and settle. With them a list costs what it returns: a namespace's
objects of one kind, or, for an equality label selector given as a mapping
(what controllers use), the objects carrying the rarest of its labels.

A paged list (``page``: ``limit`` and ``continue``, as informers and kubectl
read) resumes from a kind's positions kept sorted between pages, so each page
costs what it returns: sorting and scanning the whole kind again for every
page made listing a kind of 40,000 objects in pages of 500 quadratic.

The index holds the stored objects themselves (frozen, shared with the store),
and is kept by the store under its lock.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from kingress.cluster.port import Kind, Object, ObjectRef
from kingress.cluster.selectors import parse_selector
from kingress.frozen import FrozenDict

LabelKey = tuple[Kind, str, str]
#: The objects under one key (a label, an owner; a host, a read object elsewhere):
#: most are one object's alone, kept as that reference (an empty set costs 216
#: bytes, more than the reference itself), a set only from the second on.
Refs = ObjectRef | set[ObjectRef]
K = TypeVar("K", bound=Hashable)


def add_ref(index: dict[K, Refs], key: K, ref: ObjectRef) -> None:
    """Put ``ref`` under ``key`` in ``index``."""
    held = index.get(key)
    if held is None:
        index[key] = ref
    elif isinstance(held, set):
        held.add(ref)
    elif held != ref:
        index[key] = {held, ref}


def discard_ref(index: dict[K, Refs], key: K, ref: ObjectRef) -> None:
    """Take ``ref`` from under ``key`` in ``index`` (the key goes with its last one)."""
    held = index.get(key)
    if isinstance(held, set):
        held.discard(ref)
        if len(held) == 1:
            index[key] = next(iter(held))
    elif held == ref:
        del index[key]


def _count(held: Refs | None) -> int:
    return 0 if held is None else len(held) if isinstance(held, set) else 1


def refs_in(held: Refs | None) -> Iterable[ObjectRef]:
    """The references an ``index`` holds under a key (``index.get(key)``)."""
    if held is None:
        return ()
    if isinstance(held, set):
        return held
    return (held,)


def _labels(obj: Object) -> Mapping[str, str]:
    labels: Mapping[str, str] = obj["metadata"].get("labels") or {}
    return labels


def _owner_uids(obj: Object) -> set[str]:
    return {o["uid"] for o in obj["metadata"].get("ownerReferences") or () if o.get("uid")}


#: Where an object sorts in a kind's list: its namespace (``""`` if none), then its name.
Position = tuple[str, str]


def position(obj: Object) -> Position:
    """Where ``obj`` sorts in its kind's list (and where the page after it resumes)."""
    meta: dict[str, Any] = obj["metadata"]
    return meta.get("namespace") or "", meta["name"]


@dataclass(frozen=True, slots=True)
class PageQuery:
    """Which page of a list: the objects after ``after``, up to ``limit``, that ``keep`` keeps."""

    after: Position | None = None
    limit: int | None = None
    #: A further filter (a field selector), besides the label selector.
    keep: Callable[[Object], bool] | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: its objects, sorted, and what follows them."""

    items: list[Object]
    #: Whether objects follow this page (the caller owes a ``continue`` token).
    more: bool
    #: How many objects follow, known only for a list without selectors
    #: (Kubernetes leaves ``remainingItemCount`` out for a filtered list).
    remaining: int | None


class StoreIndex:
    """Stored objects by reference, by (kind, namespace), by label and by owner uid."""

    def __init__(self) -> None:
        self.objects: dict[ObjectRef, Object] = {}
        self._by_kind: dict[Kind, dict[str, dict[str, Object]]] = {}
        self._by_label: dict[LabelKey, Refs] = {}
        self._by_owner: dict[str, Refs] = {}
        #: Each paged kind's positions, sorted; dropped when an object of it comes or goes.
        self._order: dict[Kind, list[Position]] = {}

    def put(self, ref: ObjectRef, obj: Object) -> None:
        """Store ``obj`` under ``ref``, replacing (and unindexing) what was there."""
        old = self.objects.get(ref)
        if isinstance(old, FrozenDict):
            old.forget_parsed()
        self.objects[ref] = obj
        if old is None:
            self._order.pop(ref.kind, None)
        self._by_kind.setdefault(ref.kind, {}).setdefault(ref.namespace, {})[ref.name] = obj
        old_labels = _labels(old) if old is not None else {}
        new_labels = _labels(obj)
        if old_labels != new_labels:
            self._unlink_labels(ref, old_labels)
            for key, value in new_labels.items():
                add_ref(self._by_label, (ref.kind, key, value), ref)
        old_owners = _owner_uids(old) if old is not None else set()
        new_owners = _owner_uids(obj)
        if old_owners != new_owners:
            self._unlink_owners(ref, old_owners - new_owners)
            for uid in new_owners:
                add_ref(self._by_owner, uid, ref)

    def pop(self, ref: ObjectRef) -> Object:
        """Remove and return the object stored under ``ref`` (``KeyError`` if none)."""
        obj = self.objects.pop(ref)
        self._order.pop(ref.kind, None)
        if isinstance(obj, FrozenDict):
            obj.forget_parsed()
        space = self._by_kind[ref.kind]
        del space[ref.namespace][ref.name]
        if not space[ref.namespace]:
            del space[ref.namespace]
        if not space:
            del self._by_kind[ref.kind]
        self._unlink_labels(ref, _labels(obj))
        self._unlink_owners(ref, _owner_uids(obj))
        return obj

    def kinds(self) -> list[Kind]:
        """Every kind with at least one object, sorted."""
        return sorted(self._by_kind)

    def dependents(self, owner_uid: str) -> list[ObjectRef]:
        """The objects naming ``owner_uid`` in their owner references, sorted."""
        return sorted(refs_in(self._by_owner.get(owner_uid)))

    def select(
        self, kind: Kind, namespace: str | None, labels: Mapping[str, str] | str | None
    ) -> list[Object]:
        """Objects of ``kind`` (in ``namespace`` unless ``None``) matching ``labels``, sorted."""
        spaces = self._by_kind.get(kind)
        if not spaces:
            return []
        matches = parse_selector(labels)
        candidates: Iterable[Object]
        if isinstance(labels, Mapping) and labels:
            refs = refs_in(
                min(
                    (self._by_label.get((kind, key, value)) for key, value in labels.items()),
                    key=_count,
                )
            )
            candidates = [
                self.objects[ref] for ref in refs if namespace is None or ref.namespace == namespace
            ]
        elif namespace is None:
            candidates = [obj for space in spaces.values() for obj in space.values()]
        else:
            candidates = spaces.get(namespace, {}).values()
        found = [obj for obj in candidates if matches(_labels(obj))]
        found.sort(key=position)
        return found

    def page(self, kind: Kind, namespace: str | None, labels: str | None, query: PageQuery) -> Page:
        """The page ``query`` asks of ``kind``'s objects, sorted and filtered as ``select``.

        The kind's positions are sorted once and kept while no object of it
        comes or goes, so a page starts by bisection and reads only the
        objects it returns (and, when filtered, those it skips).
        """
        after, limit, keep = query.after, query.limit, query.keep
        order = self._positions(kind)
        low, high = 0, len(order)
        if namespace is not None:
            # Every position in ``namespace`` sorts before (namespace + "\0",).
            low, high = bisect_left(order, (namespace,)), bisect_left(order, (namespace + "\0",))
        start = low if after is None else max(low, bisect_right(order, after, low, high))
        spaces = self._by_kind.get(kind, {})
        if not labels and keep is None:
            end = high if limit is None else min(high, start + limit)
            items = [spaces[space][name] for space, name in order[start:end]]
            return Page(items, end < high, high - end)
        matches = parse_selector(labels)
        found: list[Object] = []
        for index in range(start, high):
            space, name = order[index]
            obj = spaces[space][name]
            if matches(_labels(obj)) and (keep is None or keep(obj)):
                if len(found) == limit:
                    return Page(found, True, None)
                found.append(obj)
        return Page(found, False, None)

    def _positions(self, kind: Kind) -> list[Position]:
        """Every position of ``kind``, sorted (kept until an object of it comes or goes)."""
        order = self._order.get(kind)
        if order is None:
            spaces = self._by_kind.get(kind, {})
            order = sorted((space, name) for space, names in spaces.items() for name in names)
            self._order[kind] = order
        return order

    def _unlink_labels(self, ref: ObjectRef, labels: Mapping[str, str]) -> None:
        for key, value in labels.items():
            discard_ref(self._by_label, (ref.kind, key, value), ref)

    def _unlink_owners(self, ref: ObjectRef, uids: Iterable[str]) -> None:
        for uid in uids:
            discard_ref(self._by_owner, uid, ref)
