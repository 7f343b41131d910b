"""Safe, bounded YAML reading that remembers where every value came from.

PyYAML's own composer recurses (libyaml's segfaults on a few hundred thousand
nested brackets), silently keeps the last of duplicate keys, expands aliases
without bound and spends most of its time resolving scalars one by one. So we
build plain Python data straight from libyaml's event stream, iteratively:
nesting depth, alias expansion and tags are checked as we go, duplicate keys
are errors naming both lines, and a `Locator` maps any path of keys and
indices back to a line and column for error messages and findings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from redplan.spec.errors import InputError, shown

MAX_DEPTH = 64
MAX_ALIAS_EXPANSION = 100_000
MAX_DOCUMENTS = 100_000
"""YAML documents in one file: far more than anyone writes (2.6 million empty ones took 10 s to read)."""
SIZED_DEPTH = 3
"""Containers this shallow (a document, its `services` list, each service) have their node count kept:
the loader refuses to validate a part so big that its errors alone could exhaust memory."""
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_IMPLICIT_FIRST = frozenset(_RESOLVER.yaml_implicit_resolvers)
"""The first characters of plain scalars that an implicit tag (int, bool, null, merge...) may claim: any other is a str.
(The safe resolver has no wildcard entry, None, that would claim every scalar.)"""


class YamlProblem(Exception):
    """A problem found while reading, with 0-based line and column."""

    def __init__(self, line: int, column: int, message: str):
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


# (key line, key column, value line, value column), all 0-based.
Position = tuple[int, int, int, int]


class Locator:
    """Finds the line and column of a value (or of its key) from its path."""

    def __init__(self, root: Any, positions: dict[int, dict[Any, Position]], root_position: tuple[int, int]):
        self._root = root
        self._positions = positions
        self._root_position = root_position

    def position(self, path: tuple[Any, ...], at_key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the deepest node of `path` that exists.

        Steps that do not lead anywhere (a missing key, a type name in a
        pydantic location) are skipped, so the answer is the closest real node.
        """
        node, (line, column) = self._root, self._root_position
        for index, step in enumerate(path):
            table = self._positions.get(id(node))
            if table is None or not _hashable(step) or step not in table:
                continue
            key_line, key_column, value_line, value_column = table[step]
            last = index == len(path) - 1
            line, column = (key_line, key_column) if at_key and last else (value_line, value_column)
            node = node[step]
        return line + 1, column + 1

    def kept(self, path: tuple[Any, ...], keys: frozenset[str]) -> PathLocator:
        """The positions of the node at `path` and of everything under its `keys`, with paths starting there:
        all that some steps need, and a hundredth of the document to send to another process."""
        node, (line, column) = self._root, self._root_position
        for step in path:
            _, _, line, column = self._positions[id(node)][step]
            node = node[step]
        positions: dict[tuple[Any, ...], Position] = {}
        waiting: list[tuple[tuple[Any, ...], Any, Position]] = [
            ((key,), node[key], at) for key, at in self._positions.get(id(node), {}).items() if key in keys
        ]
        while waiting:
            inner_path, inner, at = waiting.pop()
            positions[inner_path] = at
            waiting.extend((inner_path + (key,), inner[key], below) for key, below in self._positions.get(id(inner), {}).items())
        return PathLocator(positions, (line, column))


class PathLocator:
    """A Locator's answers for a few paths, kept by path: picklable, unlike tables keyed by id()."""

    def __init__(self, positions: dict[tuple[Any, ...], Position], root_position: tuple[int, int]):
        self._positions = positions
        self._root_position = root_position

    def position(self, path: tuple[Any, ...], at_key: bool = False) -> tuple[int, int]:
        """As Locator.position: steps that lead to nothing it keeps are skipped."""
        reached: tuple[Any, ...]
        (line, column), reached = self._root_position, ()
        for index, step in enumerate(path):
            found = self._positions.get(reached + (step,)) if _hashable(step) else None
            if found is None:
                continue
            key_line, key_column, value_line, value_column = found
            line, column = (key_line, key_column) if at_key and index == len(path) - 1 else (value_line, value_column)
            reached = reached + (step,)
        return line + 1, column + 1


@dataclass(frozen=True)
class Document:
    """One YAML document of a file: its data and where each part stands."""

    data: Any
    locator: Locator
    line: int  # 1-based line of the document's first node
    sizes: dict[int, int] = field(default_factory=dict, repr=False)  # by id(), of containers down to SIZED_DEPTH

    def size(self, node: Any) -> int:
        """Nodes in a container down to SIZED_DEPTH: itself, all it holds, and what its aliases expand to."""
        return self.sizes.get(id(node), 1)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


class _PlainScalars(dict[str, Any]):
    """The values of plain scalar texts (`1` an int, `true` a bool, `2024-01-31` a date...), remembered:
    most texts recur, and looking one up costs half an lru_cache call. All are forgotten at 4,096."""

    def __missing__(self, text: str) -> Any:
        if len(self) >= 4096:
            self.clear()
        # Most texts met for the first time (names, rates like 312/s) are strings, which the str constructor returns
        # as they are: the first character, or else the resolver, says so without building a node to construct.
        if text[:1] not in _IMPLICIT_FIRST:
            value = text
        else:
            tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
            value = text if tag == _STR_TAG else _construct(tag, text)
        self[text] = value
        return value


_PLAIN_SCALARS = _PlainScalars()


@lru_cache(maxsize=4096)
def _construct(tag: str, value: str) -> Any:
    if tag == _MERGE_TAG:
        return _MERGE
    try:
        return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, value))
    except Exception as error:  # PyYAML's safe constructors raise ValueError, KeyError, IndexError... on text they refuse
        raise _BadScalar(_bad_scalar_message(tag, value, error)) from None


class _BadScalar(Exception):
    """A scalar that its tag, resolved or written, cannot make a value of: 2024-02-30, `!!int x`, 5,000 digits."""


_TAG_NAMES = {"int": "a whole number", "float": "a number", "bool": "true or false", "timestamp": "a date", "null": "null"}


def _bad_scalar_message(tag: str, value: str, error: Exception) -> str:
    kind = _TAG_NAMES.get(tag.removeprefix("tag:yaml.org,2002:"), tag)
    if len(value) > 1000:
        return f"a value of {len(value):,} characters is too long to read as {kind}"
    reason = f" ({error})" if isinstance(error, ValueError) and 0 < len(str(error)) <= 80 else ""
    return f"{shown(value, 40)} is not {kind}{reason}"


class _MergeKey:
    """The YAML `<<` key: merges a mapping (or a list of them) into its parent."""


_MERGE = _MergeKey()


_NO_KEY = object()

# What an open container's parent had in hand when the container opened, restored when it closes:
# (container, is_map, table, key, key_mark, opened_at, anchor, first_node, merges)
_Saved = tuple[Any, bool, dict[Any, Position], Any, Any, Any, str | None, int, list[Any]]


class _Builder:
    """Turns libyaml events into Python data, positions and bounded aliases."""

    def __init__(self) -> None:
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: list[str] = []  # of the containers not closed yet: an alias to one would contain itself
        self.alias_nodes = 0
        self.documents = 0

    def build(self, events: Iterator[Any]) -> Iterator[Document]:
        # This loop runs for every event of every file (60 per service). So the innermost open container
        # is kept in locals (its parents' are saved on `stack`), each value is placed in its parent right
        # here, and a container's size is the count of nodes read since it opened.
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
        mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
        plain_scalars, no_key, merge = _PLAIN_SCALARS, _NO_KEY, _MERGE
        stack: list[_Saved] = []
        positions: dict[int, dict[Any, Position]] = {}
        sizes: dict[int, int] = {}
        root: Any = None
        root_mark: Any = None
        nodes = 0
        # the innermost open container (None at a document's top level), its positions and pending key
        container: Any = None
        is_map = False
        table: dict[Any, Position] = {}
        key: Any = no_key
        key_mark: Any = None
        # and where it opened, its anchor, nodes read before it, and what its << keys merge into it
        opened: Any = None
        own_anchor: str | None = None
        first = 0
        merges: list[Any] = []
        for event in events:
            kind = type(event)
            if kind is scalar_event:
                mark = event.start_mark
                try:
                    value = plain_scalars[event.value] if event.tag is None and event.implicit[0] else self._scalar(event)
                except _BadScalar as bad:
                    raise YamlProblem(mark.line, mark.column, str(bad)) from None
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, 1)
                nodes += 1
            elif kind is mapping_end or kind is sequence_end:
                if merges:
                    _merge(container, table, merges, opened, positions)
                value, mark, size = container, opened, nodes - first
                positions[id(value)] = table
                if own_anchor is not None:
                    self.anchors[own_anchor] = (value, size)
                    self.open_anchors.pop()
                container, is_map, table, key, key_mark, opened, own_anchor, first, merges = stack.pop()
                if len(stack) < SIZED_DEPTH:
                    sizes[id(value)] = size
            elif kind is mapping_start or kind is sequence_start:
                if event.tag is not None:
                    self._check_tag(event, "tag:yaml.org,2002:map" if kind is mapping_start else "tag:yaml.org,2002:seq")
                if len(stack) >= MAX_DEPTH:
                    raise YamlProblem(event.start_mark.line, event.start_mark.column, f"nesting is deeper than {MAX_DEPTH} levels")
                stack.append((container, is_map, table, key, key_mark, opened, own_anchor, first, merges))
                is_map = kind is mapping_start
                container, table, key, merges = {} if is_map else [], {}, no_key, []
                opened, own_anchor, first = event.start_mark, event.anchor, nodes
                nodes += 1
                if own_anchor is not None:
                    self.open_anchors.append(own_anchor)
                continue
            elif kind is alias_event:
                mark = event.start_mark
                value, size = self._alias(event)
                nodes += size
            elif kind is yaml.DocumentStartEvent:
                self.documents += 1
                if self.documents > MAX_DOCUMENTS:
                    mark = event.start_mark
                    raise YamlProblem(mark.line, mark.column, f"more than {MAX_DOCUMENTS:,} YAML documents in one file")
                root, root_mark, self.anchors = None, event.end_mark, {}
                continue
            elif kind is yaml.DocumentEndEvent:
                locator = Locator(root, positions, (root_mark.line, root_mark.column))
                yield Document(root, locator, root_mark.line + 1, sizes)
                positions, sizes = {}, {}
                continue
            else:
                continue

            # the value is complete (and its anchor, if any, remembered): put it in its container
            if is_map:
                if key is no_key:
                    if type(value) is not str and not _hashable(value):
                        raise YamlProblem(mark.line, mark.column, "a key must be a plain value, not a list or mapping")
                    if value in table and value is not merge:
                        raise YamlProblem(mark.line, mark.column, f"duplicate key {value!r} (first defined at line {table[value][0] + 1})")
                    key, key_mark = value, mark
                    continue
                if key is merge:
                    merges.extend(value if isinstance(value, list) else [value])
                else:
                    table[key] = (key_mark.line, key_mark.column, mark.line, mark.column)
                    container[key] = value
                key = no_key
            elif container is not None:
                line, column = mark.line, mark.column
                table[len(container)] = (line, column, line, column)
                container.append(value)
            else:
                root, root_mark = value, mark

    def _scalar(self, event: Any) -> Any:
        """A quoted or tagged scalar (build resolves untagged plain ones itself)."""
        if event.tag in (None, "!"):
            return event.value
        self._check_tag(event, None)
        return _construct(event.tag, event.value)

    def _check_tag(self, event: Any, expected: str | None) -> None:
        tag = event.tag
        if tag is None or tag == "!" or tag == expected or (expected is None and tag in _STANDARD_TAGS):
            return
        written = tag.replace("tag:yaml.org,2002:", "!!")
        raise YamlProblem(
            event.start_mark.line, event.start_mark.column,
            f"the tag {written} is not allowed: redplan reads plain YAML data only (no language-specific or custom tags)",
        )

    def _alias(self, event: Any) -> tuple[Any, int]:
        """The anchored value and its size, once the alias is known to be defined and within the expansion bound."""
        mark = event.start_mark
        if event.anchor not in self.anchors:
            if event.anchor in self.open_anchors:
                raise YamlProblem(mark.line, mark.column, f"the alias *{event.anchor} refers to a node that contains it")
            raise YamlProblem(mark.line, mark.column, f"the alias *{event.anchor} names no anchor defined before it")
        value, size = self.anchors[event.anchor]
        self.alias_nodes += size
        if self.alias_nodes > MAX_ALIAS_EXPANSION:
            raise YamlProblem(
                mark.line, mark.column,
                f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} nodes; a file this repetitive is refused (billion laughs?)",
            )
        return value, size


def _merge(container: dict[Any, Any], table: dict[Any, Position], sources: list[Any], mark: Any,
           positions: dict[int, dict[Any, Position]]) -> None:
    """Keys written in the mapping win over merged ones (YAML merge-key semantics)."""
    for source in sources:
        if not isinstance(source, dict):
            raise YamlProblem(mark.line, mark.column, "<< must merge a mapping or a list of mappings")
        source_table = positions.get(id(source), {})
        for key, value in source.items():
            if key not in container:
                container[key] = value
                table[key] = source_table.get(key, (0, 0, 0, 0))


def _is_tab(text: str, line: int, column: int) -> bool:
    lines = text.split("\n", line)
    return len(lines) >= line and lines[line - 1][column - 1 : column] == "\t"


def read_documents(text: str, filename: str) -> tuple[list[Document], list[InputError]]:
    """Parse every document of a YAML text; errors come back located, never raised."""
    builder = _Builder()
    documents: list[Document] = []
    try:
        loader = _LOADER(text)  # the pure-Python reader refuses control characters here already
        try:
            # get_event until it has no more: yaml.parse's generator step and check_event call per event cost 3 µs a service
            for document in builder.build(iter(loader.get_event, None)):
                documents.append(document)
        finally:
            loader.dispose()
    except YamlProblem as problem:
        return documents, [InputError(filename, problem.line + 1, problem.column + 1, problem.message)]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = error.problem or error.context or "unreadable YAML"
        if error.context and error.context_mark and error.problem_mark:
            start = error.context_mark
            message += f" ({error.context.removeprefix('while ')} that starts at line {start.line + 1}, column {start.column + 1})"
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if _is_tab(text, line, column):
            message += " (a tab: YAML indents with spaces only)"
        return documents, [InputError(filename, line, column, f"YAML syntax error: {message}")]
    except yaml.YAMLError as error:
        return documents, [InputError(filename, 1, 1, f"YAML error: {error}")]
    return documents, []
