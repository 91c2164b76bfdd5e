"""``museumsite check``: reports on a site that a build does not fail for.

``--translations``: per language, the entries that have no version in it and the
interface strings its catalogues do not translate. The list of interface strings is
the theme's ``messages.pot``, which ``pybabel extract`` makes from the templates. A
missing translation is not an error (lists link the original, and the interface falls
back to English), so the report is informative unless ``--strict`` asks for a clean one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from museumsite.assemble import assemble_site
from museumsite.config import load_config
from museumsite.errors import Problems
from museumsite.i18n import load_interface
from museumsite.load import load_documents
from museumsite.theme import default_theme_dir, locale_dirs


@dataclass(frozen=True, slots=True)
class LanguageReport:
    lang: str
    untranslated_entries: tuple[str, ...]  # source paths of the originals
    missing_strings: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.untranslated_entries and not self.missing_strings


def check_translations(root: Path) -> list[LanguageReport]:
    """What each language of the site lacks, the default language included (for its strings)."""
    config = load_config(root.resolve())
    problems = Problems()
    documents = load_documents(config.root, config.content_dir, config.all_languages, config.language, problems)
    site = assemble_site(documents, config, problems, drafts=False)
    interface, _ = load_interface(locale_dirs(config), config.all_languages, config.root)
    messages = interface_messages()
    reports = []
    for lang in config.all_languages:
        untranslated = tuple(sorted(
            original.source.path for original in (site.original(e.key) for e in site.entries)
            if original is not None and all(v.lang != lang for v in site.versions(original))))
        missing = tuple(m for m in messages if not interface.translated(lang, m))
        reports.append(LanguageReport(lang=lang, untranslated_entries=tuple(dict.fromkeys(untranslated)),
                                      missing_strings=missing))
    return reports


def interface_messages() -> tuple[str, ...]:
    """Every interface string of the default theme, from its catalogue template."""
    from babel.messages.pofile import read_po

    with (default_theme_dir() / "locales" / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    return tuple(m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id)


def format_report(reports: list[LanguageReport]) -> str:
    lines = []
    for report in reports:
        state = "complete" if report.complete else (
            f"{len(report.untranslated_entries)} entries without a translation, "
            f"{len(report.missing_strings)} interface strings missing")
        lines.append(f"{report.lang}: {state}")
        lines += [f"  untranslated: {path}" for path in report.untranslated_entries]
        lines += [f"  missing string: {message!r}" for message in report.missing_strings]
    return "\n".join(lines)
