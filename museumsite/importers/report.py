"""The report an import prints: what was imported, what was dropped and why, what to fix.

One shape for every importer: WordPress and Disqus count posts, comments and what they
dropped; schedules count their files per content folder (``kinds``) and where the talks'
links went; all end with the files written, what the site's own edits and decisions kept
(a later import merges, never clobbers), and the warnings (printed apart, on stderr).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from museumsite.errors import Problem, counted
from museumsite.importers.archivemerge import Merged
from museumsite.importers.contentfile import WriteReport

# What the importers count, singular and plural: '1 post', '2 uploads copied'.
NOUNS = {"posts": ("post", "posts"), "pages": ("page", "pages"), "drafts": ("draft", "drafts"),
         "redirects": ("redirect", "redirects"), "uploads copied": ("upload copied", "uploads copied"),
         "threads matched": ("thread matched", "threads matched")}


@dataclass(slots=True)
class ImportReport:
    """Counts gathered while importing; ``lines()`` is what the command prints."""

    source: str
    dry_run: bool = False
    counts: Counter[str] = field(default_factory=Counter)  # posts, pages, drafts, redirects...
    comments_by_status: Counter[str] = field(default_factory=Counter)
    comments_by_lang: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)  # why -> how many
    redacted: Counter[str] = field(default_factory=Counter)  # e-mail addresses cut: field -> how many
    images_linked: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # Disqus threads without an entry
    notes: list[str] = field(default_factory=list)
    entries_by_lang: Counter[str] = field(default_factory=Counter)  # posts and pages by the language written
    rewritten: Counter[str] = field(default_factory=Counter)  # links to the old site rewritten: 'entries', 'uploads', 'comments'
    files: WriteReport = field(default_factory=WriteReport)
    kinds: tuple[str, ...] = ()  # content folders whose files get a line each: "events", "talks", "speakers"
    # Where a schedule's talk links went: "slides", "video" (the one the page plays), "links", and "links:<kind>".
    links: Counter[str] = field(default_factory=Counter)
    warnings: list[Problem] = field(default_factory=list)  # what the input lacked or had wrong; nothing stopped

    def lines(self) -> list[str]:
        verb = "Would import" if self.dry_run else "Imported"
        out = [f"{verb} {self.source}:"]
        if self.counts:
            out.append("  " + ", ".join(counted(n, *NOUNS.get(what, (what, what))) for what, n in sorted(self.counts.items())))
        out += self._comment_lines()
        if self.entries_by_lang:
            out.append("  posts and pages by language: "
                       + ", ".join(f"{lang} {n}" for lang, n in sorted(self.entries_by_lang.items())))
        if self.rewritten:
            out.append(f"  links to the old site rewritten: {self.rewritten['entries']} to imported entries' content "
                       f"files, {self.rewritten['uploads']} to copied uploads, {self.rewritten['comments']} in comments")
        for why, n in sorted(self.dropped.items()):
            out.append(f"  dropped {n}: {why}")
        if self.images_linked:
            out.append(f"  {counted(len(set(self.images_linked)), 'image')} not copied, now plain links "
                       "(pass --uploads DIR with the old wp-content/uploads folder to copy them):")
            out.extend(f"    {url}" for url in sorted(set(self.images_linked)))
        if self.unmatched:
            out.append(f"  {counted(len(self.unmatched), 'thread')} matched no entry of the site (not imported):")
            out.extend(f"    {url}" for url in self.unmatched)
        out.extend(f"  {kind}: {self._files_line(f'content/{kind}/')}" for kind in self.kinds)
        if any(self.links.values()):
            out.append(f"  {links_line(self.links)}")
        out.extend(f"  note: {note}" for note in self.notes)
        out.append(f"  files: {self._files_line('')}")
        would = "would be " if self.dry_run else ""
        if self.dry_run:
            out.extend(f"    {would}created {p}" for p in self.files.created)
            out.extend(f"    {would}changed {p}" for p in self.files.changed)
        out.extend(f"    {line}" for line in self.files.kept_lines(would))
        out.extend(f"    skipped {path}: {why}" for path, why in self.files.skipped)
        out.extend(comment_lines(self.files.archives))
        if self.warnings:
            out.append(f"  {counted(len(self.warnings), 'warning')}")
        return out

    def _comment_lines(self) -> list[str]:
        out = []
        total = sum(self.comments_by_status.values())
        if total:
            statuses = ", ".join(f"{n} {s}" for s, n in sorted(self.comments_by_status.items()))
            langs = ", ".join(f"{lang} {n}" for lang, n in sorted(self.comments_by_lang.items()))
            out.append(f"  comments: {statuses}" + (f"; by language: {langs}" if langs else ""))
        cut = {what: n for what, n in sorted(self.redacted.items()) if n}
        if total or cut:
            where = ", ".join(f"{n} from {what}" for what, n in cut.items())
            out.append(f"  e-mail addresses cut from comments: {sum(cut.values())}" + (f" ({where})" if cut else ""))
        return out

    def _files_line(self, prefix: str) -> str:
        """'2 created, 0 changed, 5 unchanged, 1 skipped' of the files whose path starts with ``prefix``."""
        files = self.files
        would = "would be " if self.dry_run else ""

        def number(paths: list[str]) -> int:
            return sum(1 for path in paths if path.startswith(prefix))

        return (f"{number(files.created)} {would}created, {number(files.changed)} {would}changed, "
                f"{number(files.unchanged)} unchanged, {number([k.path for k in files.kept])} kept as edited on the "
                f"site, {number([p for p, _ in files.skipped])} skipped")


def links_line(links: Mapping[str, int]) -> str:
    """'talk links: 3 as slides, 1 as video, 4 under links (2 schedule, 1 feedback, 1 without a kind)'."""
    kinds = sorted((key.split(":", 1)[1], n) for key, n in links.items() if key.startswith("links:") and n)
    detail = ", ".join(f"{n} {kind or 'without a kind'}" for kind, n in sorted(kinds, key=lambda item: item[0] == ""))
    return (f"talk links: {links.get('slides', 0)} as slides, {links.get('video', 0)} as video, "
            f"{links.get('links', 0)} under links" + (f" ({detail})" if detail else ""))


def comment_lines(archives: dict[str, Merged]) -> list[str]:
    """What the merge of each archive kept of the site's decisions, and why."""
    added = sum(len(m.added) for m in archives.values())
    updated = sum(len(m.updated) for m in archives.values())
    lines = [f"  comments merged: {added} new, {updated} updated from the export"] if archives else []
    for path, merged in sorted(archives.items()):
        entry = path.removeprefix("content/comments/").rsplit(".", 1)[0]
        lines += [f"    {entry}: {key} was rejected on the site: not brought back" for key in merged.kept_out]
        lines += [f"    {entry}#{i}: approved on the site, pending in the export: stays approved"
                  for i in merged.kept_approved]
        lines += [f"    {entry}#{i}: edited on the site: kept as edited, the export's version not taken"
                  for i in merged.kept_edited]
        lines += [f"    {entry}#{i}: {key} is the same comment (same author, same instant): merged, shown once"
                  for key, i in merged.merged]
        lines += [f"    {entry}#{new}: was #{old} (a comment written on the site, or one from WordPress, has that id)"
                  for old, new in merged.renamed]
        if merged.site_kept:
            lines.append(f"    {entry}: {counted(merged.site_kept, 'comment')} written on the site, kept as written")
    return lines
