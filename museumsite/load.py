"""Stage 1: read content files into ``Document``s. The only stage that reads content.

Input: the site root and its config. Output: documents (front matter parsed, with
the line of every key, so later stages can point at ``path:line``) and the static
files to copy. Kind and language come from the path: ``talks/keynote.fr.md`` is the
French version of the talk ``keynote``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from museumsite.errors import Problems
from museumsite.model import KINDS, Archive, Document, StaticFile

FENCE = "---"
_LANG_SUFFIX = re.compile(r"[a-z]{2,3}(-[A-Za-z]{2,4})?")
# "10:00" is a sexagesimal integer (600) in YAML 1.1; an author writing a time
# means a time, so such scalars stay strings and the date parser reads them.
_TIME_LIKE = re.compile(r"^[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?$")


# libyaml's parser is ~15x faster than the pure-Python one and keeps the same marks.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """SafeLoader that keeps clock times as strings."""


_Loader.yaml_implicit_resolvers = {
    first: ([("tag:yaml.org,2002:str", _TIME_LIKE)] if first.isdigit() else []) + list(resolvers)
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class YamlProblem(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def parse_yaml(text: str, first_line: int = 1) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse a YAML mapping; also return the file line of each top-level key.

    ``first_line`` is the line of the file where ``text`` starts, so lines in
    front matter count from the top of the Markdown file.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            raise YamlProblem(
                first_line + node.start_mark.line, "expected 'key: value' lines, found a single value"
            )
        lines = _key_lines(node, first_line)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        # At the end of the text the problem mark points past the last line; where the
        # unclosed bracket or quote began is what the author needs to see.
        mark = exc.problem_mark
        if exc.context_mark and (mark is None or mark.index >= len(text.rstrip())):
            mark = exc.context_mark
        line = first_line + mark.line if mark else first_line
        problem = "; ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise YamlProblem(line, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(first_line, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return {str(k): v for k, v in data.items()}, lines


def _key_lines(node: yaml.MappingNode, first_line: int, prefix: str = "") -> dict[str, int]:
    """Lines of every key, nested ones as dotted paths ('feeds.limit')."""
    lines: dict[str, int] = {}
    for key, value in node.value:
        name = prefix + str(key.value)
        lines[name] = first_line + key.start_mark.line
        if isinstance(value, yaml.MappingNode):
            lines.update(_key_lines(value, first_line, name + "."))
        elif isinstance(value, yaml.SequenceNode):
            for index, item in enumerate(value.value):
                lines[f"{name}.{index}"] = first_line + item.start_mark.line
                if isinstance(item, yaml.MappingNode):  # comments.3.parent
                    lines.update(_key_lines(item, first_line, f"{name}.{index}."))
    return lines


def split_front_matter(text: str) -> tuple[str | None, int, str, int]:
    """Return (front matter or None, its first line, body, body's first line)."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != FENCE:
        return None, 1, text, 1
    for index in range(1, len(lines)):
        if lines[index].rstrip() in (FENCE, "..."):
            front = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            return front, 2, body, index + 2
    raise YamlProblem(1, "front matter starts with '---' but never ends")


def load_documents(
    root: Path, content_dir: Path, languages: tuple[str, ...], default_language: str, problems: Problems
) -> list[Document]:
    """Read every ``content/<kind>/**/*.md`` file, sorted by path for stable output."""
    documents: list[Document] = []
    if not content_dir.is_dir():
        problems.error(site_relative(content_dir, root), None, "the content folder does not exist",
                       "create it, or run 'museumsite init' to start a site")
        return documents
    for child in sorted(content_dir.iterdir()):
        if child.is_dir() and child.name not in (*KINDS, "static", "comments"):
            problems.warn(site_relative(child, root), None, f"unknown content folder '{child.name}' is ignored",
                          f"content folders are: {', '.join(KINDS)}, static")
    for kind in KINDS:
        folder = content_dir / kind
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_dir() or path.name.startswith("."):
                continue
            rel = site_relative(path, root)
            if path.suffix != ".md":
                problems.warn(rel, None, "not a Markdown file, ignored",
                              "content files end in .md; put other files in content/static/")
                continue
            document = _load_one(path, rel, kind, folder, languages, default_language, problems)
            if document is not None:
                documents.append(document)
    return documents


def _load_one(
    path: Path, rel: str, kind: str, folder: Path, languages: tuple[str, ...],
    default_language: str, problems: Problems,
) -> Document | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.error(rel, None, f"not valid UTF-8 text ({exc.reason} at byte {exc.start})",
                       "save the file as UTF-8")
        return None
    try:
        front, front_line, body, body_line = split_front_matter(text)
        meta, meta_lines = parse_yaml(front, front_line) if front is not None else ({}, {})
    except YamlProblem as exc:
        problems.error(rel, exc.line, exc.message,
                       "check the indentation and quote values that contain ': ' or start with '[', '{', '*', '&', '@'")
        return None
    stem = path.relative_to(folder).with_suffix("").as_posix()
    slug, lang = stem, default_language
    base, dot, suffix = stem.rpartition(".")
    # "post.de.md" on a site without German is still meant as German: treating it as
    # such lets assemble say "add de to languages" instead of "bad slug 'post.de'".
    if dot and (suffix in languages or _LANG_SUFFIX.fullmatch(suffix)):
        slug, lang = base, suffix
    if isinstance(meta.get("lang"), str):
        lang = meta["lang"]
    # Versions of one entry share a key: the base name, or translation_key when the
    # translated file has its own name ("compte-rendu.fr.md" of "recap.md").
    key = meta.get("translation_key")
    key = str(key).strip() if isinstance(key, (str, int)) and str(key).strip() else slug
    return Document(path=rel, kind=kind, slug=slug, lang=lang, meta=meta, key=f"{kind}/{key}",
                    meta_lines=meta_lines, body=body, body_line=body_line)


def load_comment_archives(root: Path, content_dir: Path, problems: Problems) -> list[Archive]:
    """Read every ``content/comments/<kind>/<slug>.yaml``: the comment archive of one entry."""
    archives: list[Archive] = []
    folder = content_dir / "comments"
    if not folder.is_dir():
        return archives
    for path in sorted(folder.rglob("*")):
        if path.is_dir() or path.name.startswith("."):
            continue
        rel = site_relative(path, root)
        if path.suffix not in (".yaml", ".yml"):
            problems.warn(rel, None, "not a comment archive, ignored",
                          "comment archives are content/comments/<kind>/<slug>.yaml")
            continue
        try:
            data, lines = parse_yaml(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            problems.error(rel, None, f"not valid UTF-8 text ({exc.reason} at byte {exc.start})", "save it as UTF-8")
            continue
        except YamlProblem as exc:
            problems.error(rel, exc.line, exc.message, "check the indentation; quote bodies with '|'")
            continue
        target = path.relative_to(folder).with_suffix("").as_posix()
        archives.append(Archive(path=rel, target=target, data=data, lines=lines))
    return archives


def list_static(root: Path, folder: Path, prefix: str = "") -> list[StaticFile]:
    """Files to copy as is, sorted; hidden files (``.DS_Store``, ``.git``) are skipped."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            found.append(StaticFile(source=path, path=prefix + rel.as_posix()))
    return found


def site_relative(path: Path, root: Path) -> str:
    """How an author sees a path in messages: relative to the site root, with forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def to_date(value: Any) -> dt.date | dt.datetime | None:
    """Read a YAML date, datetime or ISO string ('2009-10-16 09:30'); None if unreadable."""
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    return None
