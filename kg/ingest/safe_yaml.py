"""YAML read with bounds: every YAML file kg reads by hand goes through :func:`compose_yaml`.

PyYAML expands aliases and recurses on nesting without limit, so a few hundred
bytes can ask for billions of nodes ("billion laughs") or a RecursionError. Here
composition itself is bounded: nesting deeper than :data:`MAX_DEPTH` levels, an
alias to a node that contains it, or aliases that would repeat more than
:data:`MAX_ALIAS_NODES` nodes in all are one :class:`~kg.model.errors.InputError`
naming the file and line, raised before anything walks the tree.

The node helpers (:func:`scalar`, :func:`mapping`, :func:`sequence`) keep the
line of every value, so that checks can say where a problem is.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kg.model.errors import InputError

if TYPE_CHECKING:
    import yaml

MAX_DEPTH = 64  # kg's files need five levels; a deeper file is a mistake or an attack
MAX_ALIAS_NODES = 10_000  # nodes that aliases may repeat, summed over the file


class _Refused(Exception):
    def __init__(self, message: str, mark):
        super().__init__(message)
        self.message, self.mark = message, mark


@lru_cache(maxsize=1)
def _loader_class():
    """PyYAML's safe loader with a depth limit and a budget for what aliases repeat (made on first
    use: kg commands that read no YAML do not import PyYAML)."""
    import yaml

    class BoundedLoader(yaml.SafeLoader):
        def __init__(self, stream):
            super().__init__(stream)
            self._depth = 0
            self._sizes: dict[int, int] = {}  # id(node) -> nodes it stands for, aliases expanded
            self._repeated = 0

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                node = super().compose_node(parent, index)
                size = self._sizes.get(id(node))
                if size is None:  # the anchored node is still being composed: it would contain itself
                    raise _Refused(f"alias *{event.anchor} refers to a node that contains it", event.start_mark)
                self._repeated += size
                if self._repeated > MAX_ALIAS_NODES:
                    raise _Refused(f"aliases repeat more than {MAX_ALIAS_NODES:,} nodes", event.start_mark)
                return node
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _Refused(f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark)
            try:
                node = super().compose_node(parent, index)
            finally:
                self._depth -= 1
            if isinstance(node, yaml.SequenceNode):
                size = 1 + sum(self._sizes[id(n)] for n in node.value)
            elif isinstance(node, yaml.MappingNode):
                size = 1 + sum(self._sizes[id(k)] + self._sizes[id(v)] for k, v in node.value)
            else:
                size = 1
            self._sizes[id(node)] = size
            return node

    return BoundedLoader


def compose_yaml(text: str, path: object) -> yaml.Node | None:
    """The node tree of one YAML document (None if it is empty), line numbers kept.

    Bad YAML, too deep nesting and alias bombs raise InputError naming ``path`` and the line.
    """
    import yaml

    loader = None
    try:
        loader = _loader_class()(text)  # the reader refuses NULs and other control characters here
        return loader.get_single_node()
    except _Refused as e:
        raise InputError(f"YAML refused: {e.message}", path, e.mark.line + 1 if e.mark else None) from None
    except yaml.reader.ReaderError as e:
        line = text[: e.position].count("\n") + 1
        raise InputError(f"bad YAML: character U+{e.character:04X} is not allowed in YAML", path, line) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise InputError(f"bad YAML: {getattr(e, 'problem', None) or e}", path, mark.line + 1 if mark else None) from None
    finally:
        if loader is not None:
            loader.dispose()


def load_yaml(text: str, path: object) -> object:
    """Plain Python values (dicts, lists, strings, numbers…) of a YAML document, read with the bounds
    of :func:`compose_yaml`; None for an empty document."""
    import yaml

    node = compose_yaml(text, path)
    if node is None:
        return None
    constructor = yaml.SafeLoader("")
    try:
        return constructor.construct_document(node)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise InputError(f"bad YAML: {getattr(e, 'problem', None) or e}", path, mark.line + 1 if mark else None) from None


def read_text(path: str | Path, what: str = "file") -> str:
    """A UTF-8 file's text; unreadable, non-UTF-8 or blank files raise InputError naming it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 (offset {e.start})", path) from None
    except OSError as e:
        raise InputError(e.strerror or "cannot read", path) from None
    if not text.strip():
        raise InputError(f"empty {what}", path)
    return text


def line(node: yaml.Node) -> int:
    """The 1-based line where ``node`` starts."""
    return node.start_mark.line + 1


def is_scalar(node: yaml.Node) -> bool:
    import yaml

    return isinstance(node, yaml.ScalarNode)


def is_sequence(node: yaml.Node) -> bool:
    import yaml

    return isinstance(node, yaml.SequenceNode)


def is_mapping(node: yaml.Node) -> bool:
    import yaml

    return isinstance(node, yaml.MappingNode)


def is_null(node: yaml.Node) -> bool:
    return is_scalar(node) and (
        node.tag.endswith(":null") or (node.value in ("", "~", "null") and node.style is None))


def scalar(node: yaml.Node, path: object, key: str, allow_null: bool = False) -> str | None:
    """The text of a single value; an empty one is an error unless ``allow_null`` (then None)."""
    if is_scalar(node):
        if is_null(node):
            if allow_null:
                return None
            raise InputError(f"{key!r} must not be empty", path, line(node))
        return node.value
    raise InputError(f"{key!r} must be a single value", path, line(node))


def mapping(node: yaml.Node, path: object, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """``{key: (key node, value node)}`` of a mapping; a repeated key is an error at its second line."""
    if not is_mapping(node):
        raise InputError(f"each {what} must be a mapping of key: value", path, line(node))
    out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for k, v in node.value:
        if not is_scalar(k):
            raise InputError(f"keys of a {what} must be single words", path, line(k))
        if k.value in out:
            raise InputError(f"duplicate key {k.value!r} (first on line {line(out[k.value][0])})", path, line(k))
        out[k.value] = (k, v)
    return out


def sequence(node: yaml.Node, path: object, key: str) -> list[yaml.Node]:
    """The items of a list; anything else is an error."""
    if not is_sequence(node):
        raise InputError(f"{key!r} must be a list", path, line(node))
    return node.value


# -- fields of a mapping, as :func:`mapping` returns them ----------------------------------------

def check_keys(fields: dict, allowed: tuple[str, ...], what: str, path: object) -> None:
    """An unknown key of ``fields`` (from :func:`mapping`) is an error at its line, with the closest known one."""
    import difflib

    for k, (knode, _) in fields.items():
        if k not in allowed:
            hint = difflib.get_close_matches(k, allowed, n=1)
            raise InputError(f"unknown key {k!r} in {what} " + (f"(did you mean {hint[0]!r}?)" if hint else
                             f"(expected {', '.join(allowed)})"), path, line(knode))


def value(fields: dict, key: str, path: object) -> str | None:
    """The single value of ``key`` in ``fields``, or None when the key is absent."""
    return scalar(fields[key][1], path, key) if key in fields else None


def values(fields: dict, key: str, path: object) -> list[tuple[str, int]]:
    """A key given as one value or as a list: (value, line) pairs."""
    if key not in fields or is_null(fields[key][1]):
        return []
    node = fields[key][1]
    items = [node] if is_scalar(node) else sequence(node, path, key)
    return [(scalar(n, path, key), line(n)) for n in items]


def boolean(fields: dict, key: str, path: object) -> bool | None:
    """true/false (or yes/no) of ``key``; None when the key is absent."""
    if key not in fields:
        return None
    v = scalar(fields[key][1], path, key).lower()
    if v not in ("true", "false", "yes", "no"):
        raise InputError(f"{key!r} must be true or false, not {v!r}", path, line(fields[key][1]))
    return v in ("true", "yes")


def entries(top: dict, key: str, name_key: str, what: str, path: object) -> list[tuple[dict, int]]:
    """The items of a list of mappings, or of a mapping from ``name_key`` to the other fields."""
    node = top[key][1]
    if is_null(node):
        return []
    if is_scalar(node):
        raise InputError(f"{key!r} must be a list of {what}s", path, line(node))
    if is_sequence(node):
        return [(mapping(item, path, what), line(item)) for item in node.value]
    out = []
    for k, v in node.value:
        fields = {} if is_null(v) else mapping(v, path, what)
        if name_key in fields:
            raise InputError(f"{name_key!r} is already the key of this {what}", path, line(fields[name_key][0]))
        out.append(({name_key: (k, k), **fields}, line(k)))
    return out
