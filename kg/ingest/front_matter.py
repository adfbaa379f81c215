"""YAML front matter of text documents, parsed within bounds and located by file line.

The YAML between a first line ``---`` and the next ``---`` line is checked event by
event before anything is built from it: nesting deeper than :data:`MAX_DEPTH` or
aliases that expand to more than :data:`MAX_VALUES` values (a "billion laughs") are
one InputError naming the file and line, never a MemoryError or RecursionError.
Values are kept as written (strings, lists, mappings of strings): YAML's own typing
would turn ``2023-02-30`` into an exception and ``no`` into False.
"""

from __future__ import annotations

from pathlib import Path

from kg.model.errors import InputError

MAX_DEPTH = 50
MAX_VALUES = 10_000
FIRST_LINE = 2  # the YAML's first line is the file's second, after "---"


def split_front_matter(text: str, path: str | Path) -> tuple[str | None, int]:
    """(the YAML between the fences or None, where the body starts)."""
    if not text.startswith("---"):
        return None, 0
    first_nl = text.find("\n")
    if first_nl < 0 or text[:first_nl].strip() != "---":
        return None, 0
    end = text.find("\n---", first_nl)
    if end < 0:
        raise InputError("front matter opened with '---' is never closed", path, 1)
    body = text.find("\n", end + 1)
    return text[first_nl + 1: end], (len(text) if body < 0 else body + 1)


def _loader():
    import yaml

    return yaml, getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's C parser when present


def _line(mark) -> int:
    return mark.line + FIRST_LINE if mark is not None else FIRST_LINE


def _yaml_error(e: Exception, source: str, path: str | Path) -> InputError:
    problem_mark, context_mark = getattr(e, "problem_mark", None), getattr(e, "context_mark", None)
    problem = getattr(e, "problem", None) or getattr(e, "context", None) or str(e).splitlines()[0]
    context = str(getattr(e, "context", "") or "")
    if (context_mark is not None and problem_mark is not None and context_mark.line < problem_mark.line
            and ("flow" in context or "quoted" in context)):
        # an unclosed "[", "{" or quote noticed lines later: name the line where it opens
        return InputError(f"bad front matter: {problem} on line {_line(problem_mark)}, {e.context}",
                          path, _line(context_mark))
    mark = problem_mark or context_mark
    if mark is not None:
        line = _line(mark)
    elif isinstance(getattr(e, "position", None), int):  # reader errors: a character YAML refuses
        line = source[: e.position].count("\n") + FIRST_LINE
    else:
        line = FIRST_LINE
    return InputError(f"bad front matter: {problem}", path, line)


def check_bounds(source: str, path: str | Path) -> None:
    """Refuse YAML nested deeper than MAX_DEPTH or expanding to more than MAX_VALUES values.

    Walks the parser's events (no recursion, nothing built): each alias counts as the size and
    depth of what it stands for, so an expansion bomb is caught before it is expanded.
    """
    yaml, loader = _loader()
    events = yaml.events
    stack: list[tuple[str | None, int, int]] = []  # (anchor, values before it, deepest below it)
    size: dict[str, int] = {}
    height: dict[str, int] = {}
    values = 0
    deepest = [0]  # per open collection, the height of its deepest child so far
    try:
        for ev in yaml.parse(source, Loader=loader):
            if isinstance(ev, (events.MappingStartEvent, events.SequenceStartEvent)):
                if len(stack) >= MAX_DEPTH:
                    raise InputError(f"front matter nests deeper than {MAX_DEPTH} levels", path, _line(ev.start_mark))
                stack.append((ev.anchor, values, 0))
                deepest.append(0)
                values += 1
            elif isinstance(ev, (events.MappingEndEvent, events.SequenceEndEvent)):
                anchor, before, _ = stack.pop()
                h = deepest.pop() + 1
                deepest[-1] = max(deepest[-1], h)
                if anchor:
                    size[anchor], height[anchor] = values - before, h
            elif isinstance(ev, events.ScalarEvent):
                values += 1
                if ev.anchor:
                    size[ev.anchor], height[ev.anchor] = 1, 0
            elif isinstance(ev, events.AliasEvent):
                if ev.anchor not in size:
                    what = "refers to itself" if any(a == ev.anchor for a, _, _ in stack) else "is not defined"
                    raise InputError(f"bad front matter: alias *{ev.anchor} {what}", path, _line(ev.start_mark))
                values += size[ev.anchor]
                if len(stack) + height[ev.anchor] > MAX_DEPTH:
                    raise InputError(f"front matter nests deeper than {MAX_DEPTH} levels (through alias "
                                     f"*{ev.anchor})", path, _line(ev.start_mark))
                deepest[-1] = max(deepest[-1], height[ev.anchor])
            else:
                continue
            if values > MAX_VALUES:
                raise InputError(f"front matter expands to more than {MAX_VALUES} values (YAML aliases?)",
                                 path, _line(ev.start_mark))
    except yaml.YAMLError as e:
        if "nesting depth" in str(e):  # PyYAML 6.0.4 and later stop at a depth of their own first
            mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
            raise InputError(f"front matter nests deeper than {MAX_DEPTH} levels", path, _line(mark)) from None
        raise _yaml_error(e, source, path) from None


def _value(node) -> object:
    """A node as written: None for null, strings, lists and mappings of them (bounded by check_bounds)."""
    import yaml

    if isinstance(node, yaml.ScalarNode):
        return None if node.tag == "tag:yaml.org,2002:null" else node.value
    if isinstance(node, yaml.SequenceNode):
        return [_value(v) for v in node.value]
    return {str(_value(k)): _value(v) for k, v in node.value}


def parse_front_matter(text: str, path: str | Path,
                       warn=lambda message, line: None) -> tuple[list[tuple[str, object, int]], int]:
    """Front matter of ``text`` as (key, value, file line) items, and the body offset.

    No front matter gives ``([], 0)``. Raises InputError located at the offending line for YAML
    errors, a front matter that is not a mapping, keys that are not plain names, and the bounds
    of :func:`check_bounds`; a repeated key is a warning (the last one counts, as in YAML).
    """
    source, offset = split_front_matter(text, path)
    if source is None:
        return [], 0
    check_bounds(source, path)
    yaml, loader = _loader()
    try:
        node = yaml.compose(source, Loader=loader)
    except yaml.YAMLError as e:
        raise _yaml_error(e, source, path) from None
    if node is None:
        return [], offset
    if not isinstance(node, yaml.MappingNode):
        raise InputError("front matter must be a mapping of key: value", path, _line(node.start_mark))
    items: dict[str, tuple[str, object, int]] = {}
    for k, v in node.value:
        line = _line(k.start_mark)
        if not isinstance(k, yaml.ScalarNode) or not k.value.strip():
            raise InputError("front matter keys must be plain names", path, line)
        key = k.value.strip()
        if key in items:
            warn(f"front matter key {key!r} repeated (first on line {items[key][2]}); the last one counts", line)
            del items[key]
        items[key] = (key, _value(v), line)
    return list(items.values()), offset
