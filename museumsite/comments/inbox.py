"""New comments from outside: a form's JSON file or an e-mail, read into a ``Submission``.

A static site cannot take comments itself, so something else does: a small serverless
function or a form service that drops one JSON file per comment into a folder, or a
mailbox fetched into ``.eml`` files. This module reads one such file and says which
entry it is for; ``moderate`` appends it to that entry's archive as pending.

Nothing here is trusted. The archive format keeps only what it publishes: fields a
form adds (``email``, ``ip``, ``user_agent``...) are dropped by name, an e-mail's From
address is never read beyond its display name, quoted and forwarded messages (with
their headers and other people's addresses) are left out, and addresses left in a body
or a name are cut out by the one redaction (``redact``). The date is kept in the
site's time zone, not the sender's. The body stays Markdown text; the build sanitizes
it like every other comment. A form's JSON that fills in ``HONEYPOT``,
the field of the default theme's form that only robots see, is spam and is refused.

How an e-mail names its entry, first match wins:
1. an ``X-Museumsite-Entry:`` header (an entry key or a page URL), which a form or a
   notification mail can set;
2. a reference ``[posts/hello#12]`` in the Subject, as the default theme's "reply by
   e-mail" links write it (``subjects.mail_subject``): the entry, and the comment answered;
3. the Subject, ``Re: <title>`` with any ``Re:``/``Fwd:`` prefixes, equal to the title
   of exactly one entry (in any of its languages);
4. the URLs in the Subject and the body (quoted lines included, since replies quote the
   notification that linked the page), when all those that are pages of the site name
   the same entry.
Anything else is an error that says to add the header.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zoneinfo
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from museumsite.bounds import JsonProblem, load_json
from museumsite.comments.mailcheck import check_mail
from museumsite.comments.subjects import subject_reference
from museumsite.content.urlmatch import EntryIndex
from museumsite.errors import BuildError, Problem, UsageError, did_you_mean
from museumsite.model import Site
from museumsite.redact import find, redact_name, redact_text, url_holds_address
from museumsite.sanitize import clean_text, safe_url

MAX_BYTES = 1_000_000  # a comment is a few kilobytes; anything this big is not one
MAX_BODY = 65_525  # characters of text, WordPress's own limit for a comment
# A trap for robots: the default theme's form has a field of this name that people never see (nor fill in).
HONEYPOT = "website"
FORM_FIELDS = ("entry", "url", "author", "author_url", "body", "parent", "date", "lang", HONEYPOT)
# What the default theme's "Leave a comment" form posts; a collector keeps them as one JSON object.
THEME_FORM_FIELDS = ("entry", "parent", "author", "author_url", "body", HONEYPOT)
_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|aw|wg|tr|rv|sv|vs)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)
# "On Mon, 1 Jan 2024, Ana <ana@x.org> wrote:", "Le ... a écrit :", "El ... escribió:"...
_ATTRIBUTION = re.compile(r"(wrote|écrit|escribió|escrit|escriure|schrieb|scritto|escreveu|schreef)\s*:\s*$", re.IGNORECASE)
# An original or forwarded message below the reply: everything from there on is someone else's.
_ORIGINAL = re.compile(r"^\s*(?:-{2,}\s*(?:original message|message d'origine|mensaje original|missatge original"
                       r"|ursprüngliche nachricht|messaggio originale|forwarded message|message transféré"
                       r"|mensaje reenviado|missatge reenviat|weitergeleitete nachricht|messaggio inoltrato)"
                       r"|(?:begin forwarded message|début du message réexpédié|inicio del mensaje reenviado"
                       r"|anfang der weitergeleiteten nachricht)\s*:)", re.IGNORECASE)
# Outlook quotes the original under a block of its headers, in the mailer's language:
# "From: Ana <ana@x.org>" then "Sent:", "To:", "Subject:"... ("De :", "Envoyé :", "À :"...).
_HEADER_FROM = re.compile(r"^\s*\*?(?:from|de|von|da|van)\s*\*?\s*:", re.IGNORECASE)
_HEADER_NEXT = re.compile(r"^\s*\*?(?:sent|date|to|cc|subject|envoyé|à|objet|gesendet|datum|an|betreff|enviado|fecha"
                          r"|para|asunto|enviat|data|per a|tema|inviato|oggetto|a|verzonden|aan|onderwerp)"
                          r"\s*\*?\s*:", re.IGNORECASE)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Submission:
    """One new comment, checked, ready to be appended as pending. Never an address."""

    target: str  # entry key: "posts/recap-of-the-day"
    author: str
    author_url: str
    body: str  # Markdown text as written, normalised line breaks, no trailing blank lines
    parent: str | None
    date: dt.datetime  # aware
    lang: str  # "" when the source did not say: detected when appended
    notes: tuple[str, ...] = ()  # what was dropped or cut, for the moderator


def read_submission(path: Path, site: Site) -> Submission:
    """The comment in ``path``: JSON when it ends in .json or starts with '{', else an e-mail.

    Raises UsageError when the file cannot be read, BuildError (with the file and the
    line where known) when it is not a usable comment.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise _fail(str(path), None, f"{len(data)} bytes is too big for a comment (at most {MAX_BYTES})",
                    "this is not a comment; delete it")
    suffix = path.suffix.lower()
    if suffix == ".json" or (suffix != ".eml" and data.lstrip()[:1] == b"{"):
        submission = _from_json(data, str(path), site)
    else:
        submission = _from_mail(data, str(path), site)
    if len(submission.body) > MAX_BODY:  # what follows (language, YAML, Markdown) is slow on megabytes
        raise _fail(str(path), None, f"the comment is {len(submission.body):,} characters long (at most {MAX_BODY:,})",
                    "a longer text is not a comment: publish it as a post, or shorten it")
    return submission


def _fail(where: str, line: int | None, message: str, hint: str = "") -> BuildError:
    return BuildError([Problem(where, line, message, hint)])


def _from_json(data: bytes, where: str, site: Site) -> Submission:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(where, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})", "save it as UTF-8") from None
    try:
        doc = load_json(text)
    except JsonProblem as exc:
        raise _fail(where, exc.line, f"invalid JSON: {exc.message}",
                    'a comment is one JSON object: {"entry": "posts/<slug>", "author": "...", "body": "..."}') from None
    if not isinstance(doc, dict):
        raise _fail(where, 1, "a comment is a JSON object, not a list or a single value",
                    'write {"entry": "posts/<slug>", "author": "...", "body": "..."}')
    problems: list[Problem] = []

    def line(key: str) -> int | None:
        found = re.search(r'"' + re.escape(key) + r'"\s*:', text)
        return text.count("\n", 0, found.start()) + 1 if found else None

    def field(key: str, strip: bool = True) -> str:
        value = doc.get(key)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            problems.append(Problem(where, line(key), f"'{key}' must be text, not {type(value).__name__}"))
            return ""
        return str(value).strip() if strip else str(value)

    trapped = doc.get(HONEYPOT)
    if trapped is not None and (not isinstance(trapped, str) or trapped.strip()):
        raise _fail(where, line(HONEYPOT), f"the hidden field '{HONEYPOT}' is filled in: spam from a robot "
                    "(people never see that field); not added", "delete the file")
    notes = []
    dropped = sorted(describe(k)[:40] for k in doc if k not in FORM_FIELDS)
    if dropped:
        notes.append(f"dropped fields not in the archive format: {', '.join(dropped)}")
    body = field("body", strip=False)
    if not body.strip() and not any(p.message.startswith("'body'") for p in problems):
        problems.append(Problem(where, line("body"), "the comment has no body", "a form must send the text as 'body'"))
    target = None
    entry, url = field("entry"), field("url")
    if entry:
        target = _entry_by_key(entry, site, where, line("entry"), problems)
    elif url:
        target = entry_by_url(url, site)
        if target is None:
            problems.append(Problem(where, line("url"), f"the URL {describe(url)[:200]} is not a page of an entry of the site",
                                    "send the page's URL, or 'entry': 'posts/<slug>'"))
    else:
        problems.append(Problem(where, None, "the comment does not say which entry it is for",
                                "add 'entry': 'posts/<slug>' or 'url': the page's URL"))
    date = _date(field("date"), where, line("date"), problems)
    lang = field("lang")
    if lang and lang != "und" and not _LANG.fullmatch(lang):
        problems.append(Problem(where, line("lang"), f"'{describe(lang)[:40]}' is not a language code",
                                "use a code such as ca, fr, en, or leave it out to detect it"))
    parent = _parent(field("parent"), where, line("parent"), problems)
    author, author_url = _author(field("author"), field("author_url"), notes)
    if problems:
        raise BuildError(problems)
    assert target is not None
    body, cut = redact_text(body)
    if cut:
        notes.append(f"{cut} e-mail address{'es' if cut > 1 else ''} cut from the body")
    return Submission(target=target, author=author, author_url=author_url, body=normalise_body(body),
                      parent=parent, date=date.astimezone(_zone(site)), lang=lang, notes=tuple(notes))


def _from_mail(data: bytes, where: str, site: Site) -> Submission:
    check_mail(data, where)  # hostile headers and nesting are refused before the parser sees them
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    hint = "an e-mail comment is an RFC 822 message (.eml) with From, Subject and a text/plain part"
    try:
        sender = message["From"]
        addresses = sender.addresses if sender is not None else ()
    except (ValueError, IndexError, AttributeError):
        addresses = ()
    if not addresses:
        raise _fail(where, None, "not an e-mail message: no From header with a sender", hint)
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        raise _fail(where, None, "the e-mail has no text/plain part", "ask the sender to send plain text, or "
                    "copy the text into a JSON file and add that")
    try:
        raw = part.get_content()
    except (LookupError, ValueError) as exc:
        raise _fail(where, None, f"cannot decode the e-mail's text: {exc}", "save it as UTF-8") from None
    notes = ["e-mail: only the sender's display name was kept"]
    text = str(raw).replace("\r\n", "\n").replace("\r", "\n")
    body = mail_body(text)
    if not body.strip():
        raise _fail(where, None, "the e-mail has no text once quoted lines and the signature are removed",
                    "nothing to add")
    subject = str(message.get("Subject", "") or "")
    reference = subject_reference(subject)
    target = _mail_target(message, subject, text, site, where, reference)
    problems: list[Problem] = []
    date = dt.datetime.now(dt.timezone.utc)
    try:
        header = message["Date"]
        stamp = getattr(header, "datetime", None) if header is not None else None
    except (ValueError, TypeError, IndexError):
        stamp = None
    if isinstance(stamp, dt.datetime):
        date = stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=dt.timezone.utc)
    lang = str(message.get("X-Museumsite-Lang", "") or message.get("Content-Language", "") or "").strip()
    lang = lang.split(",")[0].strip().lower() if _LANG.fullmatch(lang.split(",")[0].strip().lower()) else ""
    parent = _parent(str(message.get("X-Museumsite-Parent", "") or "").strip()
                     or (reference[1] if reference and reference[0] == target else ""), where, None, problems)
    if problems:
        raise BuildError(problems)
    author, _ = _author(str(addresses[0].display_name or ""), "", notes)
    body, cut = redact_text(body)
    if cut:
        notes.append(f"{cut} e-mail address{'es' if cut > 1 else ''} cut from the body")
    return Submission(target=target, author=author, author_url="", body=normalise_body(body), parent=parent,
                      date=date.astimezone(_zone(site)), lang=lang, notes=tuple(notes))


def mail_body(text: str) -> str:
    """The reply itself: without quoted lines, their "On ..., X wrote:" line, the signature,
    an original or forwarded message below it (Outlook's header block included)."""
    kept: list[str] = []
    checked = -1  # len(kept) when kept[-1] was last found not to be an attribution: not searched again
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if line.rstrip() == "--" or _ORIGINAL.match(line) or _quoted_headers(lines, number):
            while kept and (not kept[-1].strip() or re.fullmatch(r"\s*[_\-=]{4,}\s*", kept[-1])):
                kept.pop()  # the blank lines and the "_____" rule Outlook puts above its headers
            break  # a signature ("-- ") or someone else's message: the rest is not the comment
        if line.lstrip().startswith(">"):
            while kept and not kept[-1].strip():
                kept.pop()
            if kept and len(kept) != checked:
                if (_ATTRIBUTION.search(kept[-1]) or find(kept[-1])) and kept[-1].rstrip().endswith(":"):
                    kept.pop()
                else:
                    checked = len(kept)
            continue
        kept.append(line)
        checked = -1
    return "\n".join(kept)


def _quoted_headers(lines: list[str], number: int) -> bool:
    """Whether ``lines[number]`` starts a quoted message's header block: "From:" then "Sent:"..."""
    if not _HEADER_FROM.match(lines[number]):
        return False
    following = [line for line in lines[number + 1:number + 5] if line.strip()][:3]
    return any(_HEADER_NEXT.match(line) for line in following)


def _zone(site: Site) -> dt.tzinfo:
    """The site's time zone: a comment's date keeps no trace of where its sender was."""
    return zoneinfo.ZoneInfo(site.config.timezone)


def _mail_target(message: EmailMessage, subject: str, text: str, site: Site, where: str,
                 reference: tuple[str, str] | None) -> str:
    problems: list[Problem] = []
    named = str(message.get("X-Museumsite-Entry", "") or "").strip()
    if not named and reference is not None:
        named = reference[0]  # written by the theme's "reply by e-mail" link
    if named:
        if named.lower().startswith(("http://", "https://", "/")):
            found = entry_by_url(named, site)
            if found is None:
                raise _fail(where, None, f"X-Museumsite-Entry: {describe(named)[:200]} is not a page of an entry of the site")
            return found
        target = _entry_by_key(named, site, where, None, problems)
        if problems:
            raise BuildError(problems)
        assert target is not None
        return target
    title = " ".join(_REPLY_PREFIX.sub("", subject).split()).casefold()
    by_title = sorted({e.key for e in site.entries if " ".join(e.title.split()).casefold() == title}) if title else []
    if len(by_title) == 1:
        return by_title[0]
    index = EntryIndex(site)
    by_url = sorted({key for url in set(_URL.findall(subject + "\n" + text)) if (key := index.match(url))})
    if len(by_url) == 1:
        return by_url[0]
    named_many = by_title if len(by_title) > 1 else by_url
    if named_many:
        raise _fail(where, None, f"the e-mail could be about several entries: {', '.join(named_many)}",
                    "add a header 'X-Museumsite-Entry: posts/<slug>' to the message")
    raise _fail(where, None, f"the e-mail does not say which entry it is for (Subject: {clean_text(subject)!r})",
                "add a header 'X-Museumsite-Entry: posts/<slug>', or reply to a subject 'Re: <title of the entry>'")


def _entry_by_key(name: str, site: Site, where: str, line: int | None, problems: list[Problem]) -> str | None:
    key = name.strip().strip("/").removeprefix("content/").removesuffix(".md")
    if site.original(key) is not None:
        return key
    if key.lower().startswith(("http:", "https:")):
        found = entry_by_url(key, site)
        if found:
            return found
    keys = sorted({e.key for e in site.entries})
    hint = did_you_mean(key, keys) or "an entry is named by kind and slug, e.g. posts/recap-of-the-day"
    problems.append(Problem(where, line, f"'{describe(name)[:200]}' is not an entry of the site", hint))
    return None


def entry_by_url(url: str, site: Site) -> str | None:
    """The key of the entry whose page, or old permalink, is ``url``: any scheme and host, with or
    without the trailing slash, query, fragment, ``index.html`` or language prefix (``urlmatch``, the
    matcher of the Disqus importer)."""
    return EntryIndex(site).match(url)


def _date(text: str, where: str, line: int | None, problems: list[Problem]) -> dt.datetime:
    if not text:
        return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    try:
        value = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        problems.append(Problem(where, line, f"'date' {describe(text)[:60]!r} is not an ISO date and time",
                                "write 2024-05-11T10:00:00+02:00, or leave it out to use the time of adding"))
        return dt.datetime.now(dt.timezone.utc)
    if value.tzinfo is None:
        problems.append(Problem(where, line, f"'date' {text!r} has no time zone", "add it: 2024-05-11T10:00:00+02:00"))
    return value


def _parent(text: str, where: str, line: int | None, problems: list[Problem]) -> str | None:
    text = text.removeprefix("#").removeprefix("comment-")
    if not text or text in ("0", "null"):
        return None
    if not _ID.fullmatch(text):
        problems.append(Problem(where, line, f"'parent' {describe(text)[:40]!r} is not a comment id", "use the id, e.g. 12"))
    return text


def _author(name: str, url: str, notes: list[str]) -> tuple[str, str]:
    name, cut = redact_name(" ".join(clean_text(name).split()))
    if cut:
        notes.append("an e-mail address was cut from the author's name")
    checked = safe_url(url, site_paths=False) if url else None
    if url and (checked is None or "@" in urlsplit(checked).netloc):
        notes.append("dropped author_url: not an http(s) link without a user name")
        checked = None
    elif checked and url_holds_address(checked):
        notes.append("dropped author_url: it holds an e-mail address")
        checked = None
    return name, checked or ""


def normalise_body(text: str) -> str:
    """Line breaks as "\\n", no control characters or YAML line separators, no blank lines around."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = clean_text(text).replace("\ufeff", "")
    lines = [line if line.strip() else "" for line in text.split("\n")]
    return "\n".join(lines).strip("\n").rstrip()


def describe(value: Any) -> str:
    """A one-line, control-free rendering of untrusted text for the terminal."""
    return " ".join(clean_text(str(value)).split())
