"""What the "Leave a comment" block asks: whether a page offers it, and its "reply by e-mail" links."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from museumsite.comments.subjects import mail_subject
from museumsite.render.api.context import HelperContext, shows_entries


@shows_entries
def comment_intake(helpers: HelperContext, entry: Any) -> bool:
    """Whether the entry's page offers to leave a comment (``comments.form``/``email``, ``kinds``)."""
    comments = helpers.config.comments
    return bool(comments.form or comments.email) and getattr(entry, "kind", "") in comments.kinds


@shows_entries
def comment_mailto(helpers: HelperContext, entry: Any, parent: str = "") -> str:
    """A "reply by e-mail" link, or "": its subject names the entry and the comment answered, as
    ``comments add`` reads them back (``subjects.mail_subject``)."""
    email = helpers.config.comments.email
    if not email:
        return ""
    return f"mailto:{email}?subject={quote(mail_subject(entry.title, entry.key, parent), safe='')}"
