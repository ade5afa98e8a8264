"""Read-only wire objects: what the embedded store and the informer caches hand out.

The store used to deep-copy every object on the way in and on the way out, so
no caller could change what it holds. At 10,000 Services those copies were
most of the controllers' time. Instead, an object is frozen once, when it is
written, and the same frozen object is then shared by every reader: a
``FrozenDict`` is a ``dict`` and a ``FrozenList`` a ``list`` (so ``json``,
pydantic, ``isinstance`` checks, ``{**obj}`` and ``==`` all work as before),
but every method that would change one in place raises ``TypeError``.

To change an object, build a new one (``{**obj, "status": ...}``, as
reconcilers do) or take a mutable deep copy with ``thaw`` (``copy.deepcopy``
does the same).

Because a frozen object never changes, what it parses to never changes
either: ``parsed`` / ``remember_parsed`` let ``ApiModel.from_dict`` keep the
(frozen, immutable) model it built from one in a table beside it, so the many reconciles
that read an unchanged object parse it once. The store drops it when the
object is replaced, so its watch history does not keep a model per version,
and only the ``PARSED_KEPT`` objects parsed last keep one at all.

Frozen values are also shared when equal (``freeze``): strings and small
integers are interned, and every frozen container is looked up among those
already frozen, so an object repeating its neighbours' parts (owner
references, conditions, gateways, header blocks, whole match lists) holds the
same parts, not copies. At 200 Services that cut the live store from 30 to
9 MiB and its watch history from 42 to 7 MiB.
"""

from __future__ import annotations

import json
import operator
import sys
import threading
from collections import OrderedDict
from typing import Any, NoReturn, SupportsIndex, TypeVar

import yaml

T = TypeVar("T")


class ReadOnlyError(TypeError):
    """An attempt to change a frozen object in place."""


def _refuse(*_: object, **__: object) -> NoReturn:
    raise ReadOnlyError(
        "objects read from the store are read-only; build a new one or copy it with thaw()"
    )


class FrozenDict(dict[str, Any]):
    """A ``dict`` that cannot be changed in place.

    It has no instance slots: one (for the parsed model, say) makes each of
    them 16 bytes larger with pymalloc's alignment, and a store of 10,000
    Services holds about two million frozen dicts, while only the
    ``PARSED_KEPT`` objects parsed last have a model to keep (in ``_PARSED``).
    """

    __slots__ = ()

    def parsed(self, cls: type[T]) -> T | None:
        """The model of class ``cls`` this object was last parsed into, if any."""
        found = _PARSED.get(id(self))
        if found is not None and found[0] is self and found[1] is cls:
            model: T = found[2]
            return model
        return None

    def remember_parsed(self, cls: type[T], model: T) -> None:
        """Keep ``model`` (an immutable value parsed from this object) for ``parsed``.

        Only the ``PARSED_KEPT`` objects parsed last keep theirs (an object
        parsed again into another class keeps its place): a model costs
        several times what its object does, so keeping one for every object of
        a large store would multiply its memory, while the reads that profit
        are those of the same object again soon (one reconcile after another).
        ``forget_parsed`` takes an object out at once, so the table never
        keeps alive an object the store let go, and only held objects count.
        """
        with _PARSED_LOCK:
            key = id(self)
            known = key in _PARSED
            _PARSED[key] = (self, cls, model)
            if not known:
                while len(_PARSED) > PARSED_KEPT:
                    _PARSED.popitem(last=False)

    def forget_parsed(self) -> None:
        """Drop the kept model (the store replaced this version; its history keeps it)."""
        with _PARSED_LOCK:
            found = _PARSED.get(id(self))
            if found is not None and found[0] is self:
                del _PARSED[id(self)]

    __setitem__ = _refuse
    __delitem__ = _refuse
    __ior__ = _refuse
    clear = _refuse
    pop = _refuse
    popitem = _refuse
    setdefault = _refuse
    update = _refuse

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return thaw(self)  # type: ignore[no-any-return]

    def __reduce__(self) -> tuple[type[dict[str, Any]], tuple[dict[str, Any]]]:
        return dict, (thaw(self),)


#: How many frozen objects keep a parsed model at most (those parsed last).
#: Nearly every read the memo serves comes within a few parses of the object's
#: own (a reconcile reading what the one before wrote); the rest come a whole
#: generation of the store later, which no bound that saves memory reaches.
#: 1,024 models cost about 10 MiB; 8,192 cost about 80 MiB at 10,000 Services
#: and spared no CPU measurable at 2,500 (see docs/benchmarks.md).
PARSED_KEPT = 1024
#: The objects that keep a model, oldest first, by ``id``: each entry holds its
#: object, so the id cannot name another object while the entry is there.
_PARSED: OrderedDict[int, tuple[FrozenDict, type[Any], Any]] = OrderedDict()
_PARSED_LOCK = threading.Lock()


class FrozenList(list[Any]):
    """A ``list`` that cannot be changed in place."""

    __slots__ = ()

    __setitem__ = _refuse
    __delitem__ = _refuse
    __iadd__ = _refuse
    __imul__ = _refuse
    append = _refuse
    extend = _refuse
    insert = _refuse
    remove = _refuse
    clear = _refuse
    sort = _refuse
    reverse = _refuse

    def pop(self, index: SupportsIndex = -1) -> NoReturn:
        _refuse()

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return thaw(self)  # type: ignore[no-any-return]

    def __reduce__(self) -> tuple[type[list[Any]], tuple[list[Any]]]:
        return list, (thaw(self),)


def freeze(value: Any) -> Any:
    """A frozen deep copy of a JSON-like value; frozen parts are shared, not copied.

    Equal parts are shared too: every container built here is looked up in
    ``_CANONICAL`` and, when an equal one is already held, that one is
    returned instead (dict keys and strings are interned likewise). Frozen
    values never change, so sharing them is safe, and it is what keeps a
    store of 100,000 objects small: most of an object repeats its neighbours'
    or its own parts (conditions, owner references, match blocks, headers).
    """
    kind = type(value)
    if kind is str:
        return sys.intern(value) if len(value) <= _INTERN_MAX else _long(value)
    if kind in _ATOMS:
        return value
    if kind is int:
        return _INTS.setdefault(value, value) if -_INT_SPAN < value < _INT_SPAN else value
    if isinstance(value, dict):
        return _canonical_dict(_frozen_dict(value))
    if isinstance(value, list | tuple):
        return _canonical_list(
            FrozenList(
                [
                    (sys.intern(item) if len(item) <= _INTERN_MAX else _long(item))
                    if type(item) is str
                    else item
                    if type(item) in _ATOMS
                    else freeze(item)
                    for item in value
                ]
            )
        )
    return value


def _frozen_dict(value: dict[Any, Any]) -> FrozenDict:
    """A new frozen dict of ``value``'s frozen items (keys interned), not looked up."""
    # Strings and constants, the most common parts, are handled inline (no call each).
    return FrozenDict(
        {
            (sys.intern(key) if type(key) is str else key): (
                (sys.intern(item) if len(item) <= _INTERN_MAX else _long(item))
                if type(item) is str
                else item
                if type(item) in _ATOMS
                else freeze(item)
            )
            for key, item in value.items()
        }
    )


def freeze_version(obj: dict[str, Any]) -> FrozenDict:
    """``freeze`` for a version of a stored object: its parts are shared, it is not.

    A version's ``metadata`` carries its own resourceVersion, so neither it
    nor the object can equal any other: looking them up would find nothing,
    and holding them in ``_CANONICAL`` would only keep versions the store let
    go alive (with every part only they hold) until the next sweep.
    """
    if type(obj) is FrozenDict:
        return obj  # frozen already (a list page read by ``loads``)
    return FrozenDict(
        {
            sys.intern(key): (
                _frozen_dict(item)
                if key == "metadata" and type(item) is dict
                else (sys.intern(item) if len(item) <= _INTERN_MAX else _long(item))
                if type(item) is str
                else freeze(item)
            )
            for key, item in obj.items()
        }
    )


def loads(data: str | bytes) -> Any:
    """JSON decoded straight into frozen values, shared as ``freeze`` shares them.

    Equal to ``freeze(json.loads(data))``, and cheaper: the decoder hands
    each object's members to a hook that freezes them where they are, so no
    mutable copy is built only to be walked again (a list page of a cold
    start's objects: 11-18% less CPU than decoding, then freezing).
    A container that cannot equal any other is not looked up or held: a
    dict with a ``resourceVersion`` (a stored object's metadata, unique to
    its version), and every container holding one of those (the object, a
    list page of objects, a watch event), as ``freeze_version`` leaves a
    version and its metadata out of ``_CANONICAL``.
    """
    unique: set[int] = set()

    def member(item: Any) -> Any:
        # Dicts come frozen from the hook already; lists are frozen here.
        return frozen_list(item) if type(item) is list else freeze(item)

    def frozen_list(items: list[Any]) -> FrozenList:
        frozen = FrozenList([member(item) for item in items])
        if unique and not unique.isdisjoint(map(id, frozen)):
            unique.add(id(frozen))
            return frozen
        return _canonical_list(frozen)

    def frozen_dict(pairs: list[tuple[str, Any]]) -> FrozenDict:
        # Strings, the most common members, are handled inline (no call each).
        frozen = FrozenDict(
            {
                sys.intern(key): (
                    (sys.intern(item) if len(item) <= _INTERN_MAX else _long(item))
                    if type(item) is str
                    else item
                    if type(item) in _ATOMS
                    else member(item)
                )
                for key, item in pairs
            }
        )
        if "resourceVersion" in frozen or (
            unique and not unique.isdisjoint(map(id, frozen.values()))
        ):
            unique.add(id(frozen))
            return frozen
        return _canonical_dict(frozen)

    return member(json.loads(data, object_pairs_hook=frozen_dict))


def freeze_like(value: Any, like: Any) -> Any:
    """``freeze(value)``, taking ``like``'s parts wherever they equal ``value``'s.

    ``like`` is a frozen value that ``value`` mostly repeats: the stored
    version of an object that ``value`` describes again (a desired child and
    the child as applied). Deciding that a part is equal is one comparison in
    C (``==``, which stops at once on shared parts), several times cheaper
    than freezing it part by part, so ``value`` is frozen for the cost of the
    parts it changes. Dicts are matched by key and lists of equal length by
    position; every other part is frozen as ``freeze`` does.

    Equal is Python's ``==`` here, under which ``[1]`` and ``[True]`` are
    alike although their JSON is not: the result is for values that are only
    compared with ``==`` (a reconciler's memo of what it applied, which
    ``ensure`` compares with the stored child, by the same rule), never for
    what is stored or sent.
    """
    if type(value) is dict and type(like) is FrozenDict:
        return _canonical_dict(
            FrozenDict(
                {
                    (sys.intern(key) if type(key) is str else key): _part_like(
                        item, like.get(key, _ABSENT)
                    )
                    for key, item in value.items()
                }
            )
        )
    if type(value) is list and type(like) is FrozenList and len(value) == len(like):
        return _canonical_list(FrozenList(map(_part_like, value, like)))
    return freeze(value)


#: Where ``like`` has no part under a key (``None`` is a part like any other).
_ABSENT = object()


def _part_like(item: Any, held: Any) -> Any:
    """``held`` when it is a frozen container equal to ``item``, else ``item`` frozen like it."""
    if (type(held) is FrozenDict or type(held) is FrozenList) and held == item:
        return held
    return freeze_like(item, held)


#: What ``freeze`` returns as it is: frozen containers and the constants.
_ATOMS = frozenset({FrozenDict, FrozenList, float, bool, type(None)})
#: Frozen containers by a hash of the identities of their parts.
_CANONICAL: dict[int, FrozenDict | FrozenList] = {}
#: Keys of ``_CANONICAL`` are hashes cut to 60 bits: such an integer takes two
#: 30-bit digits (32 bytes with pymalloc's 16-byte alignment) where a full 64-bit
#: hash takes three (48 bytes), about 16 bytes less per held container (about
#: 2.3 million at 10,000 Services). A collision costs one missed share, never a
#: wrong one: what a key finds is compared part by part.
_KEY_MASK = (1 << 60) - 1
#: ``_CANONICAL`` is swept of containers nobody else holds when it grows past this
#: (``_SWEEP_FLOOR``, then ``_SWEEP_GROWTH`` times what the last sweep kept). Every
#: container the table holds past what the last sweep kept may be garbage it
#: keeps alive (old versions of objects, with their parts), so the growth
#: allowed is a quarter, not double: a sweep is one pass over the table.
_SWEEP_FLOOR = 65_536
_SWEEP_GROWTH = 1.25


#: ... and whenever more characters of long strings than this (or than 64 per held
#: container) were frozen since the last sweep: the table must not keep a flood of
#: large objects alive until it has grown enough.
_SWEEP_CHARACTERS = 8 * 1024 * 1024


class _Sweeps:
    """When ``_CANONICAL`` is swept next (its size, long characters frozen), under a lock."""

    at = _SWEEP_FLOOR
    characters = 0
    characters_at = _SWEEP_CHARACTERS
    lock = threading.Lock()


def _long(text: str) -> str:
    """A string too long to intern, counted towards the next sweep."""
    _Sweeps.characters += len(text)
    if _Sweeps.characters > _Sweeps.characters_at:
        sweep()
    return text


#: Strings longer than this (hashes, encoded blobs) are kept as they are.
_INTERN_MAX = 128
#: Integers of magnitude below this (ports, generations, weights) are shared like strings.
_INT_SPAN = 1 << 16
_INTS: dict[int, int] = {}


# Parts are compared by identity: they are canonical already (containers), or
# interned (strings, integers) or constants. A part that is not (a long string,
# a float) only keeps its container from being shared, never makes it wrong.


def _canonical_dict(frozen: FrozenDict) -> FrozenDict:
    """The held dict with the same keys and parts in the same order, or ``frozen``, now held."""
    key = hash((*frozen, *map(id, frozen.values()))) & _KEY_MASK
    held = _CANONICAL.get(key)
    if (
        type(held) is FrozenDict
        and len(held) == len(frozen)
        and all(map(operator.is_, held, frozen))
        and all(map(operator.is_, held.values(), frozen.values()))
    ):
        return held
    _hold(key, frozen)
    return frozen


def _canonical_list(frozen: FrozenList) -> FrozenList:
    """The held list with the very same parts in the same order, or ``frozen``, now held."""
    key = hash((None, *map(id, frozen))) & _KEY_MASK
    held = _CANONICAL.get(key)
    if (
        type(held) is FrozenList
        and len(held) == len(frozen)
        and all(map(operator.is_, held, frozen))
    ):
        return held
    _hold(key, frozen)
    return frozen


def _hold(key: int, frozen: FrozenDict | FrozenList) -> None:
    _CANONICAL[key] = frozen
    if len(_CANONICAL) > _Sweeps.at:
        sweep()


def sweep(*, force: bool = False) -> None:
    """Drop the shared containers nobody but ``_CANONICAL`` holds any more.

    Runs by itself whenever the table has grown by ``_SWEEP_GROWTH`` since the
    last sweep, or ``_SWEEP_CHARACTERS`` of long strings were frozen (so its
    cost per frozen container is constant); ``force`` sweeps at once. One
    pass, newest first: a container is always held after its parts (they are
    frozen before it), so dropping it first frees it at once, and parts that
    only it held are found unheld when the pass reaches them.
    """
    with _Sweeps.lock:
        due = len(_CANONICAL) > _Sweeps.at or _Sweeps.characters > _Sweeps.characters_at
        if not (force or due):
            return
        _Sweeps.characters = 0
        for key in reversed(list(_CANONICAL)):
            # Held by the table and the call's argument only: nobody else.
            if sys.getrefcount(_CANONICAL[key]) <= 2:
                del _CANONICAL[key]
        _Sweeps.at = max(_SWEEP_FLOOR, int(_SWEEP_GROWTH * len(_CANONICAL)))
        _Sweeps.characters_at = max(_SWEEP_CHARACTERS, 64 * len(_CANONICAL))


def thaw(value: Any) -> Any:
    """A mutable deep copy (plain ``dict`` and ``list``) of a JSON-like value."""
    if isinstance(value, dict):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, list):
        return [thaw(item) for item in value]
    return value


# YAML's safe dumper looks representers up by exact type: teach it the frozen ones.
for _dumper in (yaml.SafeDumper, yaml.Dumper):
    _dumper.add_representer(FrozenDict, yaml.SafeDumper.represent_dict)
    _dumper.add_representer(FrozenList, yaml.SafeDumper.represent_list)
