"""Knowing a file by its stat: the same size, times, inode and device mean the same bytes, once it has settled.

Apart from ``load.py`` so that the no-op check (``incremental/noop.py``), which knows every input
this way, imports none of the model it does not build.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# Nanoseconds: a file changed this close to the moment it was read may change again within the same tick of
# the file system's clock, keeping its stat; it is not trusted by its stat (git calls such entries racy).
RACY = 50_000_000


def stat_key(path: Path | str) -> tuple[Any, ...] | None:
    """What says a file is the same one with the same bytes: size, modification and change times, inode."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)


def settled(key: tuple[Any, ...] | None, read_at: int) -> bool:
    """Whether a file with stat ``key``, read at ``read_at`` (``time.time_ns()``), may be known by that stat later."""
    return key is not None and max(key[1], key[2]) < read_at - RACY


# Files' digests by name, each with its file's key when it was read: an input's stat (``stat_key``), a page's
# size, time and inode (``incremental/shards.py``'s ``FileKey``).
DigestMemo = dict[str, tuple[tuple[Any, ...], bytes]]


def digests_of(listed: Any, fields: int) -> DigestMemo:
    """The digests a record lists (``digests_record``'s form), each with the ``fields`` integers of its file's
    key; an entry not in that form is left out (a damaged entry is no entry: the file is read)."""
    found: DigestMemo = {}
    for name, entry in listed.items() if isinstance(listed, dict) else ():
        if (isinstance(entry, list) and len(entry) == fields + 1 and all(type(n) is int for n in entry[:fields])
                and isinstance(entry[fields], str) and len(entry[fields]) == 64):
            try:
                found[name] = (tuple(entry[:fields]), bytes.fromhex(entry[fields]))
            except ValueError:
                continue
    return found


def digests_record(known: DigestMemo) -> dict[str, list[Any]]:
    """``known`` as JSON: each name with its file's key and its digest in hex, in name order."""
    return {name: [*key, digest.hex()] for name, (key, digest) in sorted(known.items())}
