"""The one YAML reader: config, front matter, and later comment archives and imports.

Input: the text of one YAML document (or a file holding one). Output: a ``str``-keyed
mapping and the file line of every key, so later stages can say ``path:line``.

Why not ``yaml.load``: its composer recurses (libyaml builds without a nesting limit
overflow the C stack at ~30,000 ``[``, the Python constructor raises RecursionError
at ~1,000 levels), and it expands aliases into values whose ``repr`` can be gigabytes
(a "billion laughs" of 9 levels). Here libyaml only produces the event stream, which
it does without recursion, and a small loop composes the nodes, so every limit is
checked while parsing, before anything is built:

- size: at most ``max_bytes`` (1 MiB) of YAML per document;
- depth: at most ``max_depth`` (50) nested lists or mappings;
- nodes: at most ``max_nodes`` (100,000) values, so that 1 MiB of ``[1,1,1,...`` cannot
  cost seconds and hundreds of megabytes;
- aliases: allowed (``<<: *defaults`` in a config is ordinary YAML), but everything
  reached through aliases counts against ``max_alias_weight`` (100,000 nodes and
  characters). That caps the expanded size of any value at the size of the input plus
  the budget, so neither memory nor an error message that prints the value can blow
  up; an alias that refers to a value containing itself is refused.

Duplicate keys are errors naming both lines, at any depth. Values that cannot be
built (``2025-02-30``, a 5,000-digit number) are errors at their line, not
tracebacks. Control characters are refused with their line and column, whether raw
or written as escapes (``"\\e"``): they are invisible and not allowed in XML feeds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# "10:00" is a sexagesimal integer (600) in YAML 1.1; an author writing a time
# means a time, so such scalars stay strings and the date parser reads them.
_TIME_LIKE = re.compile(r"^[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?$")
# Characters no text of ours may hold: C0 controls but tab, LF and CR; DEL; C1 but
# NEL; lone surrogates; U+FFFE/U+FFFF. YAML refuses them raw, XML refuses most of them.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_MERGE = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"

# libyaml's parser is ~15x faster than the pure-Python one and keeps the same marks.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """SafeLoader that keeps clock times as strings and reports unbuildable values by line."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            # PyYAML lets the ValueError of datetime.date(2025, 2, 30) or int() escape unmarked.
            raise _ValueProblem(node, exc) from None
        except (AttributeError, KeyError):
            # An explicit tag on a value it does not fit ('!!timestamp x', '!!bool x') makes
            # PyYAML's constructors fail on a regex miss or a missing table entry.
            raise _ValueProblem(node, ValueError(f"not a valid {node.tag.rsplit(':', 1)[-1]}")) from None


_Loader.yaml_implicit_resolvers = {
    first: ([(_STR, _TIME_LIKE)] if first.isdigit() else []) + list(resolvers)
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _ValueProblem(Exception):
    def __init__(self, node: yaml.Node, cause: Exception):
        super().__init__(str(cause))
        self.node = node
        self.cause = cause


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """What one YAML document may cost; the defaults are far above any real file."""

    max_bytes: int = 1 << 20
    max_depth: int = 50
    max_alias_weight: int = 100_000
    max_nodes: int = 100_000  # each costs ~500 bytes and ~5 µs; a big comment archive has ~30,000


LIMITS = Limits()


class YamlProblem(Exception):
    """A problem at a line of a YAML-bearing file; the caller adds the path."""

    def __init__(self, line: int, message: str, hint: str = ""):
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


def read_yaml_file(path: Path, limits: Limits = LIMITS) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse a whole file as one YAML mapping; never reads more than the size limit."""
    with path.open("rb") as stream:
        data = stream.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise _too_big(1, limits)
    return parse_yaml(decode_text(data), 1, limits=limits)


def decode_text(data: bytes) -> str:
    """UTF-8 bytes to text with one kind of line end; a byte order mark is dropped.

    Invalid UTF-8 is reported at its line and column (an author's editor shows
    lines, not byte offsets).
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start:exc.start].decode("utf-8", "replace")) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        raise YamlProblem(line, f"not valid UTF-8 text ({exc.reason}, byte 0x{data[exc.start]:02x} "
                          f"at column {column})", "save the file as UTF-8") from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def find_control(text: str, first_line: int = 1) -> tuple[int, int, str] | None:
    """(line, column, character) of the first control character in ``text``, or None."""
    found = CONTROL_CHARS.search(text)
    if found is None:
        return None
    line, column = position(text, found.start())
    return first_line - 1 + line, column, found.group()


def position(text: str, index: int) -> tuple[int, int]:
    """(line, column) of ``text[index]``, both counted from 1."""
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


def describe_char(char: str) -> str:
    return "a NUL character" if char == "\x00" else f"the control character U+{ord(char):04X}"


def parse_yaml(text: str, first_line: int = 1, *, limits: Limits = LIMITS,
               text_keys: frozenset[str] = frozenset()) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse a YAML mapping; also return the file line of each key.

    ``first_line`` is the line of the file where ``text`` starts, so lines in front
    matter count from the top of the Markdown file. Under the top-level keys in
    ``text_keys``, scalars are read as written: ``tags: 1.10`` is the text '1.10',
    not the number 1.1 (null stays null).
    """
    if len(text) > limits.max_bytes // 4 and len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes:
        raise _too_big(first_line, limits)
    if control := find_control(text, first_line):
        line, column, char = control
        raise YamlProblem(line, f"{describe_char(char)} at column {column} is not allowed",
                          "delete it (most editors do not show it), or save the file as UTF-8 text")
    loader = _Loader(text)
    try:
        node = _Composer(loader, first_line, limits, text_keys).compose()
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            raise YamlProblem(first_line + node.start_mark.line,
                              "expected 'key: value' lines, found a single value")
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise YamlProblem(first_line + key.start_mark.line, "a key must be a name, not a list or mapping",
                                  "write 'name: value'")
        lines = _key_lines(node, first_line)
        loader.flatten_mapping(node)
        data = {_key_name(key): loader.construct_object(value, deep=True) for key, value in node.value}
    except _ValueProblem as exc:
        raise _value_problem(exc, first_line) from None
    except yaml.MarkedYAMLError as exc:
        mark = _mistake_mark(exc, text)
        line = first_line + mark.line if mark else first_line
        if "maximum nesting depth" in str(exc.problem):  # libyaml >= 0.2.5 stops at 1,000 levels
            raise _too_deep(line, limits) from None
        problem = "; ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise YamlProblem(line, _short(f"invalid YAML: {problem}")) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(first_line, _short(f"invalid YAML: {exc}")) from None
    finally:
        loader.dispose()
    return data, lines


def _mistake_mark(exc: yaml.MarkedYAMLError, text: str) -> Any:
    """Where the author made the mistake, which is not always where PyYAML noticed it.

    At the end of the text the problem mark points past the last line: where the unclosed
    bracket or quote began is what the author needs to see. A key without its colon, or a
    list or mapping left open, is noticed on a later line (the next key): the mistake is
    where that key or bracket began.
    """
    mark, context = exc.problem_mark, exc.context_mark
    if context is None:
        return mark
    if mark is None or mark.index >= len(text.rstrip()):
        return context
    if mark.line > context.line and str(exc.context).startswith(("while scanning a simple key", "while parsing a flow")):
        return context
    return mark


def _too_big(line: int, limits: Limits) -> YamlProblem:
    return YamlProblem(line, f"more than {limits.max_bytes // 1024} KiB of YAML",
                       "keep long text in the Markdown body, not in the YAML")


def _too_deep(line: int, limits: Limits) -> YamlProblem:
    return YamlProblem(line, f"YAML nested more than {limits.max_depth} levels deep",
                       "flatten the structure; no museumsite file needs this depth")


def _short(message: str, limit: int = 300) -> str:
    """Messages may quote the input (a tag, a value); never let them grow with it."""
    return message if len(message) <= limit else message[:limit] + "…"


def _value_problem(exc: _ValueProblem, first_line: int) -> YamlProblem:
    node = exc.node
    line = first_line + node.start_mark.line
    written = _short(str(node.value), 60) if isinstance(node, yaml.ScalarNode) else ""
    if node.tag == "tag:yaml.org,2002:timestamp":
        return YamlProblem(line, f"not a date: {written} ({exc.cause})",
                           "write a real day as YYYY-MM-DD, or quote the value if it is not a date")
    cause = str(exc.cause).split(":", 1)[0]  # Python's advice on int() limits is not for authors
    return YamlProblem(line, _short(f"cannot read the value {written} ({cause})"),
                       "quote the value to keep it as text")


def _key_name(key: yaml.Node) -> str:
    """Keys as written: 'yes:' is the key 'yes', not 'True'."""
    return str(key.value) if isinstance(key, yaml.ScalarNode) else f"line {key.start_mark.line + 1}"


def _key_lines(node: yaml.MappingNode, first_line: int, prefix: str = "") -> dict[str, int]:
    """Lines of every key, nested ones as dotted paths ('feeds.limit')."""
    lines: dict[str, int] = {}
    for key, value in node.value:
        name = prefix + _key_name(key)
        lines[name] = first_line + key.start_mark.line
        if isinstance(value, yaml.MappingNode):
            lines.update(_key_lines(value, first_line, name + "."))
        elif isinstance(value, yaml.SequenceNode):
            for index, item in enumerate(value.value):
                lines[f"{name}.{index}"] = first_line + item.start_mark.line
                if isinstance(item, yaml.MappingNode):  # comments.3.parent
                    lines.update(_key_lines(item, first_line, f"{name}.{index}."))
    return lines


@dataclass(slots=True)
class _Open:
    """A list or mapping being composed."""

    node: yaml.SequenceNode | yaml.MappingNode
    anchor: str | None
    as_text: bool
    weight: int = 1
    key: yaml.Node | None = None  # a mapping's key waiting for its value
    seen: dict[str, int] = field(default_factory=dict)  # key as written -> its line


class _Composer:
    """Events to nodes without recursion, checking every limit as the events arrive."""

    def __init__(self, loader: _Loader, first_line: int, limits: Limits, text_keys: frozenset[str]):
        self.loader = loader
        self.first_line = first_line
        self.limits = limits
        self.text_keys = text_keys
        self.anchors: dict[str, tuple[yaml.Node, int | None]] = {}
        self.alias_weight = 0

    def line(self, mark: Any) -> int:
        return self.first_line + int(mark.line)

    def compose(self) -> yaml.Node | None:
        loader = self.loader
        loader.get_event()  # StreamStart
        if loader.check_event(yaml.StreamEndEvent):
            return None
        loader.get_event()  # DocumentStart
        root = self._compose_root()
        loader.get_event()  # DocumentEnd
        if not loader.check_event(yaml.StreamEndEvent):
            event = loader.get_event()
            raise YamlProblem(self.line(event.start_mark), "expected one YAML document, found another",
                              "remove the '---' line, or the second document")
        return root

    def _compose_root(self) -> yaml.Node:
        stack: list[_Open] = []
        nodes = 0
        while True:
            event = self.loader.get_event()
            nodes += not isinstance(event, yaml.CollectionEndEvent)
            if nodes > self.limits.max_nodes:
                raise YamlProblem(self.line(event.start_mark), f"more than {self.limits.max_nodes:,} YAML values",
                                  "split the data into several files")
            parent = stack[-1] if stack else None
            as_text = parent is not None and (parent.as_text or self._is_text_value(parent, len(stack)))
            if isinstance(event, yaml.AliasEvent):
                node, weight = self._alias(event)
            elif isinstance(event, yaml.ScalarEvent):
                node, weight = self._scalar(event, as_text), 1 + len(event.value)
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                if len(stack) >= self.limits.max_depth:
                    raise _too_deep(self.line(event.start_mark), self.limits)
                stack.append(self._open(event, as_text))
                continue
            else:  # SequenceEnd or MappingEnd
                done = stack.pop()
                node, weight = done.node, done.weight
                done.node.end_mark = event.end_mark
                if done.anchor is not None:
                    self.anchors[done.anchor] = (node, weight)
            if not stack:
                return node
            self._add(stack[-1], node, weight)

    def _is_text_value(self, parent: _Open, depth: int) -> bool:
        key = parent.key
        return depth == 1 and isinstance(key, yaml.ScalarNode) and key.value in self.text_keys

    def _scalar(self, event: yaml.ScalarEvent, as_text: bool) -> yaml.ScalarNode:
        if found := CONTROL_CHARS.search(event.value):
            raise YamlProblem(self.line(event.start_mark), f"{describe_char(found.group())} in a value",
                              "remove the escape (\\e, \\x1b, \\0 ...): control characters are not text")
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            if as_text and event.implicit[0] and tag != _NULL:
                tag = _STR
        marks: tuple[Any, Any] = (event.start_mark, event.end_mark)  # libyaml's or PyYAML's Mark
        node = yaml.ScalarNode(tag, event.value, *marks, style=event.style)
        if event.anchor is not None:
            self.anchors[event.anchor] = (node, 1 + len(event.value))
        return node

    def _open(self, event: yaml.SequenceStartEvent | yaml.MappingStartEvent, as_text: bool) -> _Open:
        tag = event.tag
        start: Any = event.start_mark  # libyaml's or PyYAML's Mark
        node: yaml.SequenceNode | yaml.MappingNode
        if isinstance(event, yaml.SequenceStartEvent):
            if tag is None or tag == "!":
                tag = self.loader.resolve(yaml.SequenceNode, None, event.implicit)
            node = yaml.SequenceNode(tag, [], start, None, flow_style=event.flow_style)
        else:
            if tag is None or tag == "!":
                tag = self.loader.resolve(yaml.MappingNode, None, event.implicit)
            node = yaml.MappingNode(tag, [], start, None, flow_style=event.flow_style)
        if event.anchor is not None:
            self.anchors[event.anchor] = (node, None)  # not complete: an alias to it would loop
        return _Open(node, event.anchor, as_text)

    def _alias(self, event: yaml.AliasEvent) -> tuple[yaml.Node, int]:
        line = self.line(event.start_mark)
        if event.anchor not in self.anchors:
            raise YamlProblem(line, _short(f"invalid YAML: found undefined alias '*{event.anchor}'"),
                              "define the anchor ('&name value') before using '*name'")
        node, weight = self.anchors[event.anchor]
        if weight is None:
            raise YamlProblem(line, f"alias '*{event.anchor}' refers to a value that contains it",
                              "a value cannot contain itself; copy what you need instead")
        self.alias_weight += weight
        if self.alias_weight > self.limits.max_alias_weight:
            raise YamlProblem(line, f"YAML aliases expand to more than {self.limits.max_alias_weight:,} "
                              "nodes and characters", "write the values out instead of nesting aliases")
        return node, weight

    def _add(self, parent: _Open, node: yaml.Node, weight: int) -> None:
        parent.weight += weight
        if isinstance(parent.node, yaml.SequenceNode):
            parent.node.value.append(node)
        elif parent.key is None:
            parent.key = node
            if isinstance(node, yaml.ScalarNode) and node.tag != _MERGE:
                line = self.line(node.start_mark)
                if node.value in parent.seen:
                    raise YamlProblem(line, _short(f"duplicate key '{node.value}' "
                                                   f"(first at line {parent.seen[node.value]})"),
                                      "remove one of them: YAML would silently keep only the last")
                parent.seen[node.value] = line
        else:
            parent.node.value.append((parent.key, node))
            parent.key = None
