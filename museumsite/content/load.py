"""Stage 1: read content files into ``Document``s. The only stage that reads content.

Input: the site root and its config. Output: documents (front matter parsed, with
the line of every key, so later stages can point at ``path:line``) and the static
files to copy. Kind and language come from the path: ``talks/keynote.fr.md`` is the
French version of the talk ``keynote``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from pathlib import Path
from typing import Any, Literal, Protocol, overload

from museumsite.content.stat import settled, stat_key
from museumsite.errors import Problems, counted
from museumsite.model import KINDS, Archive, Document, StaticFile
from museumsite.yamlfile import (
    CONTROL_CHARS,
    Limits,
    YamlProblem,
    decode_text,
    find_control,
    parse_yaml,
    position,
    read_yaml_file,
)

FENCE = "---"
# A comment archive holds every comment of a popular post: a larger budget than front matter.
ARCHIVE_LIMITS = Limits(max_bytes=32 << 20, max_nodes=2_000_000, max_alias_weight=100_000)
_LANG_SUFFIX = re.compile(r"[a-z]{2,3}(-[A-Za-z]{2,4})?")
# Front matter fields read as text: their scalars are kept as written, so 'tags: 1.10'
# is the tag '1.10' (not the number 1.1) and 'title: yes' the word, not True.
TEXT_FIELDS = frozenset({
    "title", "slug", "summary", "description", "template", "tags", "event", "speakers", "room",
    "track", "video", "language", "name", "affiliation", "photo", "venue", "city", "timezone",
    "rooms", "tracks", "authors", "author", "lang", "image", "captions", "transcript", "sort_as",
})


def split_front_matter(text: str) -> tuple[str | None, int, str, int]:
    """Return (front matter or None, its first line, body, body's first line)."""
    text = text.removeprefix("\ufeff")
    # Only LF ends a line, as for YAML and editors: str.splitlines() would also split
    # at form feeds and other separators and shift every line number after them.
    lines = text.split("\n")
    if lines[0].rstrip() != FENCE:
        return None, 1, text, 1
    for index in range(1, len(lines)):
        if lines[index].rstrip() in (FENCE, "..."):
            front = "".join(line + "\n" for line in lines[1:index])
            return front, 2, "\n".join(lines[index + 1 :]), index + 2
    raise YamlProblem(1, "front matter starts with '---' but never ends")


class FrontMatterStore(Protocol):
    """Front matter parsed by earlier builds (incremental/frontmatter.py), by its text and first line."""

    def get(self, front: str, line: int) -> tuple[dict[str, Any], dict[str, int]] | None: ...
    def put(self, front: str, line: int, meta: dict[str, Any], lines: dict[str, int]) -> None: ...


class DocumentMemo:
    """Documents parsed by earlier loads, each with the stat of the file it came from.

    A file whose size, times and inode are the ones recorded is not read again: ``serve``
    keeps one memo for its whole session, so a save re-reads only the files it changed.
    Files that gave a problem (a warning or an error) are never kept, so their problems
    are found, and reported, again. ``read`` lists the files the last load actually read.
    """

    def __init__(self) -> None:
        self.documents: dict[str, tuple[tuple[Any, ...], Document]] = {}
        self.read: list[str] = []
        self._languages: tuple[tuple[str, ...], str] | None = None

    def start(self, languages: tuple[str, ...], default_language: str) -> None:
        """A new load: documents parsed for other languages are forgotten (a file's language depends on them)."""
        self.read = []
        if self._languages != (languages, default_language):
            self.documents.clear()
        self._languages = (languages, default_language)


def load_documents(
    root: Path, content_dir: Path, languages: tuple[str, ...], default_language: str, problems: Problems,
    memo: DocumentMemo | None = None, fronts: FrontMatterStore | None = None,
) -> list[Document]:
    """Read every ``content/<kind>/**/*.md`` file, sorted by path for stable output (unchanged ones from ``memo``)."""
    if memo is not None:
        memo.start(languages, default_language)
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
        for name in walk_files(folder, root, root, problems, as_text=True):
            rel = site_relative(name, root)
            if not name.endswith(".md"):
                problems.warn(rel, None, "not a Markdown file, ignored",
                              "content files end in .md; put other files in content/static/")
                continue
            document = _load_memo(name, rel, kind, folder, languages, default_language, problems, memo, fronts)
            if document is not None:
                documents.append(document)
    if memo is not None:
        seen = {doc.path for doc in documents}
        for gone in [rel for rel in memo.documents if rel not in seen]:
            del memo.documents[gone]
    return documents


def _load_memo(
    name: str, rel: str, kind: str, folder: Path, languages: tuple[str, ...],
    default_language: str, problems: Problems, memo: DocumentMemo | None, fronts: FrontMatterStore | None,
) -> Document | None:
    """``_load_one`` of the file ``name``, through ``memo`` when there is one."""
    if memo is None:
        return _load_one(Path(name), rel, kind, folder, languages, default_language, problems, fronts)
    key = stat_key(name)
    known = memo.documents.get(rel)
    if key is not None and known is not None and known[0] == key and known[1].kind == kind:
        return known[1]
    path = Path(name)
    memo.read.append(rel)
    before, read_at = len(problems.items), time.time_ns()
    document = _load_one(path, rel, kind, folder, languages, default_language, problems, fronts)
    clean = len(problems.items) == before
    if document is not None and key is not None and settled(key, read_at) and clean and stat_key(path) == key:
        memo.documents[rel] = (key, document)
    else:
        memo.documents.pop(rel, None)
    return document


def _load_one(
    path: Path, rel: str, kind: str, folder: Path, languages: tuple[str, ...],
    default_language: str, problems: Problems, fronts: FrontMatterStore | None = None,
) -> Document | None:
    body, body_line, unreadable = "", 1, False
    try:
        text = _read_content(path, rel, problems)
        front, front_line, body, body_line = split_front_matter(text)
        meta, meta_lines = _parse_front(front, front_line, fronts) if front is not None else ({}, {})
    except YamlProblem as exc:
        problems.error(rel, exc.line, exc.message, exc.hint or
                       "check the indentation and quote values that contain ': ' or start with '[', '{', '*', '&', '@'")
        # Kept, marked: its translations are not blamed for what they cannot inherit, and its body's
        # links are still checked, so one run reports every problem (see assemble.py).
        meta, meta_lines, unreadable = {}, {}, True
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
                    meta_lines=meta_lines, body=body, body_line=body_line, unreadable=unreadable)


def _parse_front(front: str, line: int, fronts: FrontMatterStore | None) -> tuple[dict[str, Any], dict[str, int]]:
    """The front matter's fields and their lines: from ``fronts`` when an earlier build parsed the same text."""
    found = fronts.get(front, line) if fronts is not None else None
    if found is None:
        found = parse_yaml(front, line, text_keys=TEXT_FIELDS)  # raises YamlProblem: nothing is kept
        if fronts is not None:
            fronts.put(front, line, *found)
    return found


def load_comment_archives(root: Path, content_dir: Path, problems: Problems) -> list[Archive]:
    """Read every ``content/comments/<kind>/<slug>.yaml``: the comment archive of one entry."""
    archives: list[Archive] = []
    folder = content_dir / "comments"
    if not folder.is_dir():
        return archives
    for path in walk_files(folder, root, root, problems):
        rel = site_relative(path, root)
        if path.suffix not in (".yaml", ".yml"):
            problems.warn(rel, None, "not a comment archive, ignored",
                          "comment archives are content/comments/<kind>/<slug>.yaml")
            continue
        try:
            data, lines = read_yaml_file(path, ARCHIVE_LIMITS)
        except YamlProblem as exc:
            problems.error(rel, exc.line, exc.message, exc.hint or "check the indentation; write bodies with '|'")
            continue
        target = path.relative_to(folder).with_suffix("").as_posix()
        archives.append(Archive(path=rel, target=target, data=data, lines=lines))
    return archives


def _read_content(path: Path, rel: str, problems: Problems) -> str:
    """The text of a content file, without the control characters no page or feed may hold.

    They are removed with a warning rather than refused: form feeds come with text
    pasted from PDFs and ESC with terminal output, invisible in the author's editor
    and in a browser, so removing them loses nothing a reader could see. A NUL is
    refused: it means a binary or UTF-16 file, where removing it would publish garbage.
    """
    text = decode_text(path.read_bytes())
    if (nul := text.find("\x00")) >= 0:
        line, column = position(text, nul)
        raise YamlProblem(line, f"a NUL character at column {column} is not allowed",
                          "this looks like a binary or UTF-16 file; save it as UTF-8 text")
    control = find_control(text)
    if control is not None:
        line, column, char = control
        count = len(CONTROL_CHARS.findall(text))
        problems.warn(rel, line, f"removed {counted(count, 'control character')} "
                      f"(the first, U+{ord(char):04X}, at column {column})",
                      "they are invisible and not allowed in feeds; delete them in your editor")
        text = CONTROL_CHARS.sub("", text)
    return text


def list_static(root: Path, folder: Path, problems: Problems, prefix: str = "",
                boundary: Path | None = None) -> list[StaticFile]:
    """Files to copy as is, sorted; hidden files (``.DS_Store``, ``.git``) are skipped."""
    if not folder.is_dir():
        return []
    return [StaticFile(source=path, path=prefix + path.relative_to(folder).as_posix(), size=path.stat().st_size)
            for path in walk_files(folder, boundary or root, root, problems)]


@overload
def walk_files(folder: Path, boundary: Path, root: Path, problems: Problems) -> list[Path]: ...
@overload
def walk_files(folder: Path, boundary: Path, root: Path, problems: Problems, *, as_text: Literal[True]) -> list[str]: ...


def walk_files(folder: Path, boundary: Path, root: Path, problems: Problems,
               *, as_text: bool = False) -> list[Path] | list[str]:
    """Every file under ``folder`` in path order; hidden names ('.git', '.DS_Store') skipped.
    ``as_text``: as strings (a serve session walks 10,000 posts a save: making Paths was a third of it).

    A symbolic link is followed only when it points inside ``boundary`` (the site)
    and to no hidden path there: a link that leaves it would publish what it points
    at (``static/passwd -> /etc/passwd``, a post linked from a private folder), and
    one to ``../../.env`` or ``../../.git`` the secrets the hidden-name rule keeps
    out of the walk; each is an error naming the link and its target, as is a link
    to nothing. Only parts below the boundary count, so a site kept in a hidden
    folder still builds. Links to folders inside the site are walked once each, so
    a loop of links ends.
    """
    limit = boundary.resolve()
    found: list[str] = []

    def refuse(path: str, message: str, hint: str) -> None:
        problems.error(site_relative(path, root), None, message, hint)

    def visit(directory: str, seen: frozenset[Path]) -> None:
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            refuse(directory, f"cannot read this folder: {exc.strerror}", "check its permissions")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = entry.path
            if entry.is_symlink():
                target = Path(os.path.realpath(path))
                if not target.exists():
                    refuse(path, f"a symbolic link to {os.readlink(path)}, which does not exist",
                           "remove the link, or fix its target")
                    continue
                if not target.is_relative_to(limit):
                    refuse(path, f"a symbolic link to {target}, outside the site; not published",
                           f"copy the file into the site; links are followed only inside {limit}")
                    continue
                inside = target.relative_to(limit)
                if any(part.startswith(".") for part in inside.parts):
                    refuse(path, f"a symbolic link to {inside.as_posix()}, a hidden path of the site; not published",
                           "hidden files and folders (.env, .git) are never published; remove the link, "
                           "or copy what you mean to publish to a visible name")
                    continue
                if target.is_dir():
                    if target not in seen:
                        visit(path, seen | {target})
                elif target.is_file():
                    found.append(path)
            elif entry.is_dir(follow_symlinks=False):
                visit(path, seen | {Path(os.path.realpath(path))})
            elif entry.is_file(follow_symlinks=False):
                found.append(path)

    if folder.is_dir():
        visit(os.fspath(folder), frozenset({Path(os.path.realpath(folder))}))
    return found if as_text else [Path(name) for name in found]


def site_relative(path: str | Path, root: Path) -> str:
    """How an author sees a path in messages: relative to the site root, with forward slashes."""
    text, prefix = os.fspath(path), os.fspath(root) + "/"
    if os.sep == "/" and text.startswith(prefix):  # what relative_to gives, without making two Paths (10,000 a save)
        return text[len(prefix):]
    try:
        return Path(path).relative_to(root).as_posix()
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
