"""Edit a comment archive as text: append a comment, change one value, delete a comment.

Archives are written and touched up by hand, so moderation never re-serialises one:
each edit changes only the characters it must, and every other byte (other comments,
their order, YAML comments, quoting, blank lines, line endings) stays as it was.

Positions come from PyYAML's pure-Python composer, whose marks count characters of
the very string we edit (libyaml's count bytes in some versions). These functions are
pure; each returns None for a layout it cannot edit safely (a flow-style list, an item
without its '-' where expected), and the caller parses the result back anyway before
writing anything (``moderate``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence

import yaml

NUMBER = re.compile(r"[1-9][0-9]{0,17}")

# item(dash_column, key_column) -> the text of one list item, ending with "\n"
ItemText = Callable[[int, int], str]


def scalar(value: str) -> str:
    """``value`` as one YAML flow scalar: plain when that reads back the same, else quoted."""
    if NUMBER.fullmatch(value):
        return value
    out = yaml.safe_dump(value, allow_unicode=True, width=1 << 30)
    out = out.removesuffix("\n").removesuffix("\n...").removesuffix("\n")
    return out if "\n" not in out else json.dumps(value, ensure_ascii=False)


def item_text(fields: Sequence[tuple[str, str]], body: str, dash: int, key: int, block: bool) -> str:
    """One comment as a block list item: ``fields`` are (name, YAML scalar) pairs, then the body.

    The body is a literal block (``|``, with an indentation indicator when it starts
    with spaces) so it reads as typed, or, when ``block`` is false, one quoted string.
    """
    pad = " " * key
    lines = [f"{' ' * dash}-{' ' * (key - dash - 1)}{name}: {value}" if number == 0 else f"{pad}{name}: {value}"
             for number, (name, value) in enumerate(fields)]
    if block:
        lines.append(f"{pad}body: |{'2' if body.startswith(' ') else ''}")
        lines += [f"{pad}  {line}" if line else "" for line in body.split("\n")]
    else:
        lines.append(f"{pad}body: {json.dumps(body, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def append(old: str | None, item: ItemText) -> str | None:
    """``old`` with ``item`` added as the last comment: at the end of the list, usually of the file."""
    if old is None or not old.strip():
        return (old or "") + "comments:\n" + item(2, 4)
    tree, seq = _compose(old)
    if tree is None:
        return None
    newline = "\r\n" if "\r\n" in old else "\n"
    if isinstance(seq, yaml.SequenceNode) and seq.flow_style and not seq.value:  # "comments: []"
        start = seq.start_mark.index - (1 if old[seq.start_mark.index - 1:seq.start_mark.index] == " " else 0)
        text = old[:start] + old[seq.end_mark.index:]
        cut = text.find("\n", start)
        if cut < 0:
            text += newline
        at = len(text) if cut < 0 else cut + 1
        return text[:at] + item(2, 4).replace("\n", newline) + text[at:]
    if not isinstance(seq, yaml.SequenceNode) or seq.flow_style or not seq.value:
        return None
    dash, key = seq.start_mark.column, seq.value[0].start_mark.column
    at = len(old) if tree.value[-1][1] is seq else _line_start(old, seq.end_mark.index)
    text = old[:at]
    if text and not text.endswith("\n"):
        text += newline
    return text + item(dash, key).replace("\n", newline) + old[at:]


def replace_value(text: str, index: int, key: str, value: str) -> tuple[str, int] | None:
    """``text`` with the scalar value of ``key`` in comment ``index`` replaced, and its line."""
    node = _item(text, index)
    if not isinstance(node, yaml.MappingNode):
        return None
    for name, found in node.value:
        if name.value == key and isinstance(found, yaml.ScalarNode):
            new = text[:found.start_mark.index] + value + text[found.end_mark.index:]
            return new, found.start_mark.line + 1
    return None


def item_line(text: str, index: int) -> int:
    """The line where comment ``index`` starts (1 if it cannot be found)."""
    node = _item(text, index)
    return node.start_mark.line + 1 if node is not None else 1


def delete(text: str, index: int) -> str | None:
    """``text`` without the lines of comment ``index``.

    Its lines run from its '-' to the next item's; blank lines and YAML comment lines
    at its end, outside its fields, are left in place (they separate or introduce the
    next comment). Deleting the last comment leaves ``comments: []``.
    """
    tree, seq = _compose(text)
    if tree is None or not isinstance(seq, yaml.SequenceNode) or seq.flow_style:
        return None
    node = seq.value[index]
    start = _dash_line(text, node.start_mark.index)
    if index + 1 < len(seq.value):
        end = _dash_line(text, seq.value[index + 1].start_mark.index)
    else:
        end = _line_start(text, seq.end_mark.index)
        end = end if not text[end:seq.end_mark.index].strip() else seq.end_mark.index
    if start < 0 or end < start:
        return None
    new = text[:start] + text[_trim(text, start, end, node.start_mark.column):]
    return _empty_list(new) if len(seq.value) == 1 else new


def _compose(text: str) -> tuple[yaml.MappingNode | None, yaml.Node | None]:
    """The archive's top mapping and its ``comments`` value, or (None, None)."""
    try:
        tree = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None, None
    if not isinstance(tree, yaml.MappingNode):
        return None, None
    for key, value in tree.value:
        if key.value == "comments":
            return tree, value
    return tree, None


def _item(text: str, index: int) -> yaml.Node | None:
    _, seq = _compose(text)
    if not isinstance(seq, yaml.SequenceNode) or not 0 <= index < len(seq.value):
        return None
    node: yaml.Node = seq.value[index]
    return node


def _empty_list(text: str) -> str | None:
    """``comments:`` made ``comments: []`` once its last item is gone."""
    tree, value = _compose(text)
    if tree is None:
        return None
    for name, found in tree.value:
        if found is value and isinstance(value, yaml.ScalarNode) and value.value == "":
            colon = text.index(":", name.end_mark.index)
            return text[:colon + 1] + " []" + text[colon + 1:]
    return text


def _dash_line(text: str, index: int) -> int:
    """The start of the line holding the '-' of the item that starts at ``index``; -1 if none."""
    pos = index - 1
    while pos >= 0 and text[pos] in " \t\r\n":
        pos -= 1
    return _line_start(text, pos) if pos >= 0 and text[pos] == "-" else -1


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _trim(text: str, start: int, end: int, column: int) -> int:
    """``end`` moved back over blank lines and YAML comment lines that are not inside the item."""
    while end > start:
        line_start = _line_start(text, end - 1)
        line = text[line_start:end]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" "))
        if stripped and not (stripped.startswith("#") and indent <= column):
            break
        end = line_start
    return end


def remember_rejected(text: str, keys: Sequence[str]) -> str | None:
    """``text`` with ``keys`` ('wordpress:57') added to the archive's top-level ``rejected:`` list.

    An absent list is added at the end of the file, in block style; an existing block list
    gets its new items after its last; a flow or empty one (``rejected: []``) is rewritten
    as a flow list. The keys are quoted: ``a:b`` is no plain scalar in every YAML reader.
    """
    tree, _ = _compose(text)
    if tree is None:
        return None
    newline = "\r\n" if "\r\n" in text else "\n"
    quoted = [json.dumps(key, ensure_ascii=False) for key in keys]
    for name, value in tree.value:
        if name.value != "rejected":
            continue
        if isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
            dash = value.start_mark.column
            at = len(text) if tree.value[-1][1] is value else _line_start(text, value.end_mark.index)
            head = text[:at] if text[:at].endswith("\n") or not text[:at] else text[:at] + newline
            return head + "".join(f"{' ' * dash}- {q}{newline}" for q in quoted) + text[at:]
        if isinstance(value, yaml.SequenceNode) and value.flow_style:
            items = [text[v.start_mark.index:v.end_mark.index] for v in value.value] + quoted
            return text[:value.start_mark.index] + "[" + ", ".join(items) + "]" + text[value.end_mark.index:]
        if isinstance(value, yaml.ScalarNode) and value.value == "":
            colon = text.index(":", name.end_mark.index)
            end = text.find("\n", colon)
            end = len(text) if end < 0 else end
            return text[:colon + 1] + " [" + ", ".join(quoted) + "]" + text[end:]
        return None
    head = text if text.endswith("\n") or not text else text + newline
    return head + f"rejected:{newline}" + "".join(f"  - {q}{newline}" for q in quoted)
