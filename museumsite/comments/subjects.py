"""The Subject of a "reply by e-mail" link, written by the theme and read back by ``comments add``.

Apart from ``inbox.py``, which reads whole messages (Python's ``email`` package): every
build prints these links, and loading that package cost each build about 15 ms.
"""

from __future__ import annotations

import re

from museumsite.model import KINDS

_REFERENCE = re.compile(r"\[((?:" + "|".join(KINDS) + r")/[^\[\]\s#]+)(?:#([A-Za-z0-9][A-Za-z0-9_.:-]{0,63}))?\]")


def mail_subject(title: str, key: str, parent: str = "") -> str:
    """The Subject of a "reply by e-mail" link: the entry's title, then ``[posts/hello#12]``.

    The reference in brackets is what ``subject_reference`` reads back: the entry key,
    and the id of the comment answered, in the form ``comments approve`` takes.
    """
    return f"{' '.join(title.split())} [{key}{'#' + parent if parent else ''}]"


def subject_reference(subject: str) -> tuple[str, str] | None:
    """(entry key, comment id or "") from the last ``[posts/hello#12]`` of a Subject, or None."""
    found = _REFERENCE.findall(subject)
    return (found[-1][0], found[-1][1]) if found else None
