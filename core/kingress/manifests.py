"""Loading manifests: multi-document YAML or JSON from files, directories and stdin.

Loading is all-or-nothing: every document is parsed and admitted through the
scheme (known kind, parses, defaults, validates) before any is returned, and
every problem is reported together, each naming the file, the document's index
(0-based, in the file), its kind/name, and the field — so nothing half-loaded
is ever applied.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pydantic
import yaml

from kingress.api.fielderrors import ValidationError
from kingress.api.scheme import Scheme, UnknownKind
from kingress.cluster.errors import AlreadyExists
from kingress.cluster.port import Cluster, Object

_SUFFIXES = (".yaml", ".yml", ".json")


class ManifestError(ValueError):
    """One or more manifests could not be loaded; the message lists every problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class Document:
    """One object read from a source, with where it came from."""

    source: str
    index: int
    obj: Any

    @property
    def label(self) -> str:
        """``kind/name`` of the document as written, for messages."""
        if not isinstance(self.obj, dict):
            return "?"
        meta = self.obj.get("metadata")
        name = meta.get("name", "?") if isinstance(meta, dict) else "?"
        return f"{self.obj.get('kind', '?')}/{name}"


def _parse_text(text: str, source: str, as_json: bool) -> list[Any]:
    if as_json:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ManifestError(
                [f"{source}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}"]
            ) from None
        return list(data) if isinstance(data, list) else [data]
    try:
        return [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = error.problem or error.context or "syntax error"
        raise ManifestError([f"{where}: invalid YAML: {problem}"]) from None
    except yaml.YAMLError as error:
        raise ManifestError([f"{source}: invalid YAML: {error}"]) from None


def _expand_lists(docs: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for doc in docs:
        if (
            isinstance(doc, dict)
            and doc.get("kind") == "List"
            and isinstance(doc.get("items"), list)
        ):
            out.extend(doc["items"])
        else:
            out.append(doc)
    return out


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in _SUFFIXES)
    return [path]


def read_documents(paths: Sequence[str], stdin: IO[str] | None = None) -> list[Document]:
    """Every document of every path (``-`` is stdin); syntax errors name file:line:column."""
    documents: list[Document] = []
    problems: list[str] = []
    for raw in paths:
        if raw == "-":
            sources: list[tuple[str, str, bool]] = [("<stdin>", (stdin or sys.stdin).read(), False)]
        else:
            path = Path(raw)
            if not path.exists():
                problems.append(f"{raw}: no such file or directory")
                continue
            sources = []
            for file in _files(path):
                try:
                    sources.append(
                        (str(file), file.read_text(encoding="utf-8"), file.suffix == ".json")
                    )
                except (OSError, UnicodeDecodeError) as error:
                    problems.append(f"{file}: cannot read: {error}")
        for name, text, as_json in sources:
            try:
                docs = _expand_lists(_parse_text(text, name, as_json))
            except ManifestError as error:
                problems.extend(error.problems)
                continue
            documents.extend(Document(name, i, doc) for i, doc in enumerate(docs))
    if problems:
        raise ManifestError(problems)
    return documents


def pydantic_path(loc: Sequence[int | str]) -> str:
    """A pydantic error location as a field path: ``spec.traffic[0].percent``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in ("function-after", "function-before", "function-wrap") or "[" in str(part):
            continue
        else:
            path += f".{part}" if path else str(part)
    return path


def describe(error: Exception) -> str:
    """A one-line-per-problem description of why an object was refused."""
    if isinstance(error, pydantic.ValidationError):
        return "; ".join(
            f"{pydantic_path(e['loc']) or '<root>'}: {e['msg']}" for e in error.errors()
        )
    return str(error)


def admit(documents: Sequence[Document], scheme: Scheme) -> list[Object]:
    """Every document admitted through the scheme, or ``ManifestError`` listing all problems."""
    admitted: list[Object] = []
    problems: list[str] = []
    for doc in documents:
        try:
            admitted.append(scheme.admit(doc.obj))
        except (UnknownKind, ValidationError, pydantic.ValidationError) as error:
            problems.append(f"{doc.source}: document {doc.index} ({doc.label}): {describe(error)}")
    if problems:
        raise ManifestError(problems)
    return admitted


def load(paths: Sequence[str], scheme: Scheme, stdin: IO[str] | None = None) -> list[Object]:
    """Read and admit every object of the given paths, all or nothing."""
    return admit(read_documents(paths, stdin), scheme)


def apply_object(cluster: Cluster, obj: Object) -> Object:
    """Create an admitted object, or replace its metadata and spec when it exists."""
    try:
        return cluster.create(obj)
    except AlreadyExists:
        return cluster.update(obj)
