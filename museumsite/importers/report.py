"""The report an import prints: what was imported, what was dropped and why, what to fix."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from museumsite.errors import counted
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
    files: WriteReport = field(default_factory=WriteReport)

    def lines(self) -> list[str]:
        verb = "Would import" if self.dry_run else "Imported"
        out = [f"{verb} {self.source}:"]
        if self.counts:
            out.append("  " + ", ".join(counted(n, *NOUNS.get(what, (what, what))) for what, n in sorted(self.counts.items())))
        total = sum(self.comments_by_status.values())
        if total:
            statuses = ", ".join(f"{n} {s}" for s, n in sorted(self.comments_by_status.items()))
            langs = ", ".join(f"{lang} {n}" for lang, n in sorted(self.comments_by_lang.items()))
            out.append(f"  comments: {statuses}" + (f"; by language: {langs}" if langs else ""))
        cut = {what: n for what, n in sorted(self.redacted.items()) if n}
        if total or cut:
            where = ", ".join(f"{n} from {what}" for what, n in cut.items())
            out.append(f"  e-mail addresses cut from comments: {sum(cut.values())}" + (f" ({where})" if cut else ""))
        for why, n in sorted(self.dropped.items()):
            out.append(f"  dropped {n}: {why}")
        if self.images_linked:
            out.append(f"  {counted(len(set(self.images_linked)), 'image')} not copied, now plain links "
                       "(pass --uploads DIR with the old wp-content/uploads folder to copy them):")
            out.extend(f"    {url}" for url in sorted(set(self.images_linked)))
        if self.unmatched:
            out.append(f"  {counted(len(self.unmatched), 'thread')} matched no entry of the site (not imported):")
            out.extend(f"    {url}" for url in self.unmatched)
        out.extend(f"  note: {note}" for note in self.notes)
        files = self.files
        would = "would be " if self.dry_run else ""
        out.append(f"  files: {len(files.created)} {would}created, {len(files.changed)} {would}changed, "
                   f"{len(files.unchanged)} unchanged, {len(files.skipped)} skipped")
        if self.dry_run:
            out.extend(f"    {would}created {p}" for p in files.created)
            out.extend(f"    {would}changed {p}" for p in files.changed)
        out.extend(f"    skipped {path}: {why}" for path, why in files.skipped)
        return out
