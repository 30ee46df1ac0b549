"""Load a whole config directory, validate every file and cross-check references.

Every problem in every file is collected before anything is raised, so ``hub check``
shows the operator the full list at once, each as ``file:line: message``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.automation_checks import AutomationConfig, check_automations, load_automation_files
from config.errors import ConfigError, Problem
from config.escalation import (
    ESCALATION_FILE,
    EscalationFile,
    check_intents,
    check_vip_fields,
    load_escalation,
)
from config.hub import HubFile
from config.inboxes import InboxConfig
from config.intents import CONFIRM_NO, CONFIRM_YES, INTENTS_FILE, IntentsFile, load_intents
from config.knowledge import KnowledgeArticle, load_knowledge
from config.snippets import SNIPPETS_FILE, SnippetsFile, check_intent_snippets, load_snippets
from config.source import SourceFile, load_yaml
from config.validation import validate_source

HUB_FILE = "hub.yaml"


@dataclass(frozen=True)
class AppConfig:
    """Everything the operator configured, validated; shared read-only by every layer."""

    directory: Path
    hub: HubFile
    automation: AutomationConfig = field(default_factory=AutomationConfig)
    intents: IntentsFile | None = None
    snippets: SnippetsFile = field(default_factory=SnippetsFile)
    knowledge: tuple[KnowledgeArticle, ...] = ()
    #: None when the directory has no escalation.yaml (no detector runs)
    escalation: EscalationFile | None = None
    sources: dict[str, SourceFile] = field(default_factory=dict, repr=False)
    warnings: tuple[Problem, ...] = ()
    digest: str = ""

    def inbox(self, slug: str) -> InboxConfig | None:
        for inbox in self.hub.inboxes:
            if inbox.slug == slug:
                return inbox
        return None


def _check_timezone(source: SourceFile, loc: tuple[str | int, ...], name: str) -> list[Problem]:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return [source.problem(loc, f"unknown timezone '{name}'")]
    return []


def _cross_check_hub(hub: HubFile, source: SourceFile) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, inbox in enumerate(hub.inboxes):
        if inbox.slug in seen:
            problems.append(
                source.problem(
                    ("inboxes", index, "slug"),
                    f"duplicate inbox slug '{inbox.slug}' (first at item {seen[inbox.slug]})",
                )
            )
        seen.setdefault(inbox.slug, index)
        if inbox.timezone:
            problems += _check_timezone(source, ("inboxes", index, "timezone"), inbox.timezone)
        if inbox.language and inbox.language not in hub.languages:
            problems.append(
                source.problem(
                    ("inboxes", index, "language"),
                    f"language '{inbox.language}' is not in languages {list(hub.languages)}",
                )
            )
    problems += _check_timezone(source, ("timezone",), hub.timezone)
    if hub.greeting is not None:
        problems += _check_languages(hub, source, ("greeting", "text"), hub.greeting.text)
        for index, button in enumerate(hub.greeting.buttons):
            problems += _check_languages(
                hub, source, ("greeting", "buttons", index, "title"), button.title
            )
    return problems


def _check_languages(
    hub: HubFile, source: SourceFile, loc: tuple[str | int, ...], texts: dict[str, str]
) -> list[Problem]:
    problems = [
        source.problem((*loc, lang), f"language '{lang}' is not in languages {list(hub.languages)}")
        for lang in texts
        if lang not in hub.languages
    ]
    if hub.default_language not in texts:
        problems.append(
            source.problem(loc, f"needs a text in the default language '{hub.default_language}'")
        )
    return problems


def _digest(directory: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file() and path.suffix in {".yaml", ".yml", ".md"}:
            h.update(path.relative_to(directory).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def load_config(directory: Path | str) -> AppConfig:
    """Load and validate ``directory``; raise :class:`ConfigError` with every problem."""
    directory = Path(directory)
    display_root = directory.as_posix().rstrip("/")
    hub_path = directory / HUB_FILE
    if not hub_path.is_file():
        raise ConfigError([Problem(f"{display_root}/{HUB_FILE}", 1, "file not found")])
    problems: list[Problem] = []
    sources: dict[str, SourceFile] = {}
    source = load_yaml(hub_path, f"{display_root}/{HUB_FILE}")
    sources[HUB_FILE] = source
    hub, errors = validate_source(HubFile, source)
    problems += errors
    if hub is not None:
        problems += _cross_check_hub(hub, source)
    intents: IntentsFile | None = None
    articles: tuple[KnowledgeArticle, ...] = ()
    if hub is not None:
        if (directory / INTENTS_FILE).is_file():
            intents, errors, intents_source = load_intents(
                directory / INTENTS_FILE, f"{display_root}/{INTENTS_FILE}", hub
            )
            problems += errors
            if intents_source is not None:
                sources[INTENTS_FILE] = intents_source
        loaded, errors = load_knowledge(directory, display_root, hub)
        articles = tuple(loaded)
        problems += errors
    automation, errors = load_automation_files(directory, display_root)
    problems += errors
    snippets: SnippetsFile | None = SnippetsFile()
    if hub is not None and (directory / SNIPPETS_FILE).is_file():
        fields = automation.fields.names if automation is not None else None
        snippets, errors, snippets_source = load_snippets(
            directory / SNIPPETS_FILE, f"{display_root}/{SNIPPETS_FILE}", hub, fields
        )
        problems += errors
        if snippets_source is not None:
            sources[SNIPPETS_FILE] = snippets_source
    escalation: EscalationFile | None = None
    if hub is not None and (directory / ESCALATION_FILE).is_file():
        escalation, errors, escalation_source = load_escalation(
            directory / ESCALATION_FILE, f"{display_root}/{ESCALATION_FILE}", hub
        )
        problems += errors
        if escalation_source is not None:
            sources[ESCALATION_FILE] = escalation_source
        if escalation is not None and escalation_source is not None and automation is not None:
            names = automation.fields.names
            problems += check_vip_fields(escalation, escalation_source, names)
        if escalation is not None and escalation_source is not None and intents is not None:
            known = [i.name for i in intents.intents]
            problems += check_intents(escalation, escalation_source, known)
    # a broken snippets.yaml skips the reference checks: every reference would be reported
    snippet_names = snippets.names if snippets is not None else None
    if intents is not None and snippet_names is not None:
        problems += check_intent_snippets(intents, sources[INTENTS_FILE], snippet_names)
    if hub is not None and automation is not None:
        intent_names = {i.name for i in intents.intents} if intents is not None else None
        offered = (
            {CONFIRM_YES, CONFIRM_NO} | {b.id for i in intents.intents for b in i.answer.buttons}
            if intents is not None
            else set()
        )
        if snippets is not None:
            offered |= {b.id for s in snippets.snippets for b in s.buttons}
        problems += check_automations(
            hub, automation, snippets=snippet_names, intents=intent_names, extra_buttons=offered
        )
        sources.update(automation.sources)
    errors_only = [p for p in problems if p.severity == "error"]
    if errors_only or hub is None or automation is None or snippets is None:
        raise ConfigError(problems)
    return AppConfig(
        directory=directory,
        hub=hub,
        automation=automation,
        intents=intents,
        snippets=snippets,
        knowledge=articles,
        escalation=escalation,
        sources=sources,
        warnings=tuple(p for p in problems if p.severity == "warning"),
        digest=_digest(directory),
    )
