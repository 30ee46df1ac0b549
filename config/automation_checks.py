"""Load the automation files and check what no single file can: their references.

Each of ``fields.yaml``, ``surveys.yaml``, ``rules.yaml`` and ``teams.yaml`` is optional (a
missing file is an empty one). Cross-file problems are located on the line that holds the
bad reference and, where a name is close to a known one, say which was meant.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from config.automation_types import LocalText, did_you_mean
from config.errors import ConfigError, Problem
from config.fields import CHOICE_TYPES, FieldsFile
from config.hub import HubFile
from config.inboxes import INBOX_KINDS
from config.rules import (
    MAP_SUBJECTS,
    VALUE_SUBJECTS,
    Condition,
    Rule,
    RulesFile,
    SendParams,
    Test,
    operators_for,
)
from config.source import Location, SourceFile, load_yaml
from config.surveys import SurveysFile
from config.team_checks import check_teams
from config.teams import TeamsFile
from config.validation import StrictModel, validate_source

FIELDS_FILE = "fields.yaml"
SURVEYS_FILE = "surveys.yaml"
RULES_FILE = "rules.yaml"
TEAMS_FILE = "teams.yaml"
AUTOMATION_FILES: dict[str, type[StrictModel]] = {
    FIELDS_FILE: FieldsFile,
    SURVEYS_FILE: SurveysFile,
    RULES_FILE: RulesFile,
    TEAMS_FILE: TeamsFile,
}

#: attributes of a conversation and of a contact that conditions may test
CONVERSATION_ATTRIBUTES = frozenset(
    {"status", "priority", "team", "assignee", "topic", "labels", "language"}
)
CONTACT_ATTRIBUTES = frozenset({"name", "email", "phone", "language", "tier"})
#: which events carry the message text, the intent and the pressed button
_CARRIES = {
    "text": frozenset({"message_received", "intent_matched"}),
    "intent": frozenset({"message_received", "intent_matched"}),
    "confidence": frozenset({"message_received", "intent_matched"}),
    "button": frozenset({"button_pressed"}),
}
_POSITIVE_OPERATORS = frozenset(
    {"equals", "in", "contains_any", "matches", "gt", "gte", "lt", "lte"}
)
DEFAULT_NOTIFIERS = frozenset({"inbox", "log"})


@dataclass(frozen=True)
class AutomationConfig:
    """The four automation files, validated; an absent file is an empty model."""

    fields: FieldsFile = field(default_factory=FieldsFile)
    surveys: SurveysFile = field(default_factory=SurveysFile)
    rules: RulesFile = field(default_factory=RulesFile)
    teams: TeamsFile = field(default_factory=TeamsFile)
    #: file name (``rules.yaml``) -> its parsed source, for locating later problems
    sources: Mapping[str, SourceFile] = field(default_factory=dict, repr=False)

    def source(self, name: str) -> SourceFile:
        return self.sources.get(name) or SourceFile(name, {}, {(): 1})


def load_automation_files(
    directory: Path | str, display_root: str | None = None
) -> tuple[AutomationConfig | None, list[Problem]]:
    """Parse and validate each automation file of ``directory``.

    Returns ``(None, problems)`` when any file is unusable, so reference checks never run
    on half a config (they would report every reference into the broken file).
    """
    directory = Path(directory)
    root = (display_root or directory.as_posix()).rstrip("/")
    problems: list[Problem] = []
    models: dict[str, StrictModel] = {}
    sources: dict[str, SourceFile] = {}
    for name, model in AUTOMATION_FILES.items():
        path = directory / name
        display = f"{root}/{name}"
        if not path.is_file():
            sources[name] = SourceFile(display, {}, {(): 1})
            models[name] = model()
            continue
        try:
            source = load_yaml(path, display)
        except ConfigError as exc:
            problems += exc.problems
            continue
        sources[name] = source
        if source.data is None or source.data == {}:
            models[name] = model()
            continue
        loaded, errors = validate_source(model, source)
        problems += sorted(errors, key=lambda p: p.line)
        if loaded is not None:
            models[name] = loaded
    if len(models) < len(AUTOMATION_FILES):
        return None, problems
    config = AutomationConfig(
        fields=models[FIELDS_FILE],  # type: ignore[arg-type]
        surveys=models[SURVEYS_FILE],  # type: ignore[arg-type]
        rules=models[RULES_FILE],  # type: ignore[arg-type]
        teams=models[TEAMS_FILE],  # type: ignore[arg-type]
        sources=sources,
    )
    return config, problems


def check_automations(
    hub: HubFile,
    config: AutomationConfig,
    *,
    snippets: Collection[str] | None = None,
    intents: Collection[str] | None = None,
    notifiers: Collection[str] = DEFAULT_NOTIFIERS,
    extra_buttons: Collection[str] = (),
) -> list[Problem]:
    """Every cross-file problem of the automation files, in file order.

    ``snippets``/``intents`` are the names their own files define; ``None`` skips those
    checks (the loader passes None for a file that did not load, and for intents when
    there is no ``intents.yaml``). ``notifiers`` are the ``via`` names the hub
    registered for the ``notify`` action. ``extra_buttons`` are payloads other files offer
    (FAQ answer buttons, the NLU's "did this answer your question?" buttons).
    """
    checker = _Checker(hub, config, snippets, intents, notifiers)
    checker.buttons = checker.buttons | frozenset(extra_buttons)
    checker.fields()
    checker.surveys()
    checker.teams()
    checker.rules()
    order = {name: index for index, name in enumerate(AUTOMATION_FILES)}
    return sorted(checker.problems, key=lambda p: (order.get(Path(p.file).name, 99), p.line))


class _Checker:
    def __init__(
        self,
        hub: HubFile,
        config: AutomationConfig,
        snippets: Collection[str] | None,
        intents: Collection[str] | None,
        notifiers: Collection[str],
    ) -> None:
        self.hub = hub
        self.config = config
        self.snippets = snippets
        self.intents = intents
        self.notifiers = notifiers
        self.problems: list[Problem] = []
        self.languages = tuple(hub.languages)
        self.field_names = config.fields.names
        self.buttons = self._offered_buttons()

    # -- helpers ---------------------------------------------------------------------

    def report(self, file: str, loc: Location, message: str, severity: str = "error") -> None:
        self.problems.append(self.config.source(file).problem(loc, message, severity))

    def unknown(
        self, file: str, loc: Location, kind: str, name: str, known: Collection[str]
    ) -> None:
        self.report(file, loc, f"unknown {kind} '{name}'{did_you_mean(name, known)}")

    def text(self, file: str, loc: Location, text: LocalText | None, *, customer: bool) -> None:
        """Language keys must be hub languages; customer-facing texts need the default."""
        if text is None or isinstance(text, str):
            return
        for lang in text:
            if lang not in self.languages:
                self.report(
                    file,
                    (*loc, lang),
                    f"language '{lang}' is not in hub.yaml languages {list(self.languages)}",
                )
        if customer and self.hub.default_language not in text:
            self.report(
                file, loc, f"needs a text in the default language '{self.hub.default_language}'"
            )

    def duplicates(self, file: str, key: str, names: list[str]) -> None:
        first: dict[str, int] = {}
        for index, name in enumerate(names):
            if name in first:
                line = self.config.source(file).line_of((key, first[name], "name"))
                self.report(
                    file, (key, index, "name"), f"duplicate name '{name}' (first on line {line})"
                )
            first.setdefault(name, index)

    def _offered_buttons(self) -> frozenset[str]:
        ids = {b.id for b in self.hub.greeting.buttons} if self.hub.greeting else set()
        for rule in self.config.rules.rules:
            for step in rule.then:
                if step.send is not None:
                    ids.update(b.id for b in step.send.buttons)
        return frozenset(ids)

    # -- fields.yaml -----------------------------------------------------------------

    def fields(self) -> None:
        fields = self.config.fields.fields
        self.duplicates(FIELDS_FILE, "fields", [f.name for f in fields])
        for i, spec in enumerate(fields):
            self.text(FIELDS_FILE, ("fields", i, "label"), spec.label, customer=False)
            self.text(
                FIELDS_FILE, ("fields", i, "invalid_message"), spec.invalid_message, customer=True
            )
            for j, choice in enumerate(spec.choices):
                self.text(
                    FIELDS_FILE, ("fields", i, "choices", j, "label"), choice.label, customer=True
                )

    # -- surveys.yaml ----------------------------------------------------------------

    def surveys(self) -> None:
        surveys = self.config.surveys.surveys
        self.duplicates(SURVEYS_FILE, "surveys", [s.name for s in surveys])
        for i, survey in enumerate(surveys):
            loc: Location = ("surveys", i)
            self.text(SURVEYS_FILE, (*loc, "intro"), survey.intro, customer=True)
            self.text(SURVEYS_FILE, (*loc, "outro"), survey.outro, customer=True)
            for lang in survey.human_phrases or {}:
                if lang not in self.languages:
                    self.report(
                        SURVEYS_FILE,
                        (*loc, "human_phrases", lang),
                        f"language '{lang}' is not in hub.yaml languages {list(self.languages)}",
                    )
            for j, question in enumerate(survey.questions):
                qloc: Location = (*loc, "questions", j)
                if question.field not in self.field_names:
                    self.unknown(
                        SURVEYS_FILE, (*qloc, "field"), "field", question.field, self.field_names
                    )
                self.text(SURVEYS_FILE, (*qloc, "text"), question.text, customer=True)
                self.text(SURVEYS_FILE, (*qloc, "retry_text"), question.retry_text, customer=True)

    # -- teams.yaml ------------------------------------------------------------------

    def teams(self) -> None:
        teams = self.config.teams
        self.duplicates(TEAMS_FILE, "teams", [t.name for t in teams.teams])
        for i, team in enumerate(teams.teams):
            self.text(TEAMS_FILE, ("teams", i, "title"), team.title, customer=False)
            for j, lang in enumerate(team.languages):
                if lang not in self.languages:
                    self.report(
                        TEAMS_FILE,
                        ("teams", i, "languages", j),
                        f"language '{lang}' is not in hub.yaml languages {list(self.languages)}",
                    )
        if teams.default_team is not None and teams.default_team not in teams.names:
            self.unknown(TEAMS_FILE, ("default_team",), "team", teams.default_team, teams.names)
        self.problems += check_teams(teams, self.config.source(TEAMS_FILE), self.languages)

    # -- rules.yaml ------------------------------------------------------------------

    def rules(self) -> None:
        rules = self.config.rules.rules
        self.duplicates(RULES_FILE, "rules", [r.name for r in rules])
        for i, rule in enumerate(rules):
            loc: Location = ("rules", i)
            self.trigger(rule, loc)
            if rule.if_ is not None:
                self.condition(rule.if_, (*loc, "if"))
                self.unreachable_subjects(rule, loc)
            for j, step in enumerate(rule.then):
                self.action(rule, step.name, step.params, (*loc, "then", j, step.name))
        self.shadowed(rules)

    def trigger(self, rule: Rule, loc: Location) -> None:
        when = rule.when
        wloc: Location = (*loc, "when")
        if when.field is not None and when.field not in self.field_names:
            self.unknown(RULES_FILE, wloc, "field", when.field, self.field_names)
        if when.survey is not None and when.survey not in self.config.surveys.names:
            self.unknown(RULES_FILE, wloc, "survey", when.survey, self.config.surveys.names)
        if when.intent is not None and self.intents is not None and when.intent not in self.intents:
            self.unknown(RULES_FILE, wloc, "intent", when.intent, self.intents)
        if when.button is not None and when.button not in self.buttons:
            self.report(
                RULES_FILE,
                wloc,
                f"no message offers button '{when.button}'"
                f"{did_you_mean(when.button, self.buttons)}",
            )
        if when.event == "conversation_opened" and self.hub.greeting is not None:
            self.report(
                RULES_FILE,
                wloc,
                "hub.yaml's greeting is replaced by rules on conversation_opened; "
                "remove it from hub.yaml",
                "warning",
            )

    def condition(self, cond: Condition, loc: Location) -> None:
        for key, child in (("all", cond.all_), ("any", cond.any_)):
            for index, sub in enumerate(child or ()):
                self.condition(sub, (*loc, key, index))
        if cond.not_ is not None:
            self.condition(cond.not_, (*loc, "not"))
        for subject in MAP_SUBJECTS:
            mapping: dict[str, Test] | None = getattr(cond, subject)
            for name, test in (mapping or {}).items():
                self.subject_test(subject, name, test, (*loc, subject, name))
        for subject in VALUE_SUBJECTS:
            test = getattr(cond, subject)
            if test is not None:
                self.subject_test(subject, None, test, (*loc, subject))

    def subject_test(self, subject: str, name: str | None, test: Test, loc: Location) -> None:
        allowed = operators_for(subject)
        label = f"{subject}.{name}" if name else subject
        for op in test.operators:
            if op not in allowed:
                self.report(
                    RULES_FILE,
                    (*loc, op),
                    f"operator '{op}' does not apply to {label} "
                    f"(use one of {', '.join(sorted(allowed))})",
                )
        values = _compared_values(test)
        if subject == "field" and name is not None:
            spec = self.config.fields.get(name)
            if spec is None:
                self.unknown(RULES_FILE, loc, "field", name, self.field_names)
            elif spec.type in CHOICE_TYPES:
                choices = [c.value for c in spec.choices]
                for op, value in values:
                    if str(value) not in choices:
                        self.report(
                            RULES_FILE,
                            (*loc, op),
                            f"'{value}' is not a choice of field '{name}'"
                            f"{did_you_mean(str(value), choices)}",
                        )
        elif subject == "conversation" and name not in CONVERSATION_ATTRIBUTES:
            self.unknown(
                RULES_FILE, loc, "conversation attribute", str(name), CONVERSATION_ATTRIBUTES
            )
        elif subject == "contact" and name not in CONTACT_ATTRIBUTES:
            self.unknown(RULES_FILE, loc, "contact attribute", str(name), CONTACT_ATTRIBUTES)
        elif subject == "language":
            for op, value in values:
                if value not in self.languages:
                    self.report(
                        RULES_FILE,
                        (*loc, op),
                        f"language '{value}' is not in hub.yaml languages {list(self.languages)}",
                    )
        elif subject == "channel":
            configured = {inbox.kind for inbox in self.hub.inboxes}
            for op, value in values:
                if value not in INBOX_KINDS:
                    self.unknown(RULES_FILE, (*loc, op), "channel", str(value), INBOX_KINDS)
                elif value not in configured and op in {"equals", "in"}:
                    self.report(
                        RULES_FILE,
                        (*loc, op),
                        f"no inbox of kind '{value}' in hub.yaml, so this is never true",
                    )
        elif subject == "inbox":
            slugs = [inbox.slug for inbox in self.hub.inboxes]
            for op, value in values:
                if value not in slugs:
                    self.unknown(RULES_FILE, (*loc, op), "inbox", str(value), slugs)
        elif subject == "intent" and self.intents is not None:
            for op, value in values:
                if value not in self.intents:
                    self.unknown(RULES_FILE, (*loc, op), "intent", str(value), self.intents)
        elif subject == "button":
            for op, value in values:
                if value not in self.buttons:
                    self.report(
                        RULES_FILE,
                        (*loc, op),
                        f"no message offers button '{value}'"
                        f"{did_you_mean(str(value), self.buttons)}",
                    )

    def unreachable_subjects(self, rule: Rule, loc: Location) -> None:
        """A condition that needs what the rule's event never carries cannot be true."""
        assert rule.if_ is not None
        for path, subject in _required_subjects(rule.if_, (*loc, "if")):
            events = _CARRIES.get(subject)
            if events is not None and rule.when.event not in events:
                self.report(
                    RULES_FILE,
                    path,
                    f"rule '{rule.name}' can never fire: "
                    f"'{rule.when.event}' events carry no {subject}",
                )

    def shadowed(self, rules: tuple[Rule, ...]) -> None:
        for i, rule in enumerate(rules):
            if not rule.enabled:
                continue
            for j in range(i):
                earlier = rules[j]
                if (
                    earlier.enabled
                    and earlier.stop
                    and earlier.if_ is None
                    and earlier.when.event == rule.when.event
                    and earlier.when.filter_value in (None, rule.when.filter_value)
                    and earlier.max_fires is None
                ):
                    line = self.config.source(RULES_FILE).line_of(("rules", j))
                    self.report(
                        RULES_FILE,
                        ("rules", i, "name"),
                        f"rule '{rule.name}' can never fire: rule '{earlier.name}' (line {line}) "
                        f"always fires first on '{rule.when.event}' and stops",
                    )
                    break

    def action(self, rule: Rule, name: str, params: Any, loc: Location) -> None:
        fields = self.config.fields
        teams = self.config.teams
        if name == "send":
            self.send(params, loc)
        elif name == "start_survey" and params.survey not in self.config.surveys.names:
            self.unknown(RULES_FILE, loc, "survey", params.survey, self.config.surveys.names)
        elif name == "set_field":
            spec = fields.get(params.field)
            if spec is None:
                self.unknown(RULES_FILE, loc, "field", params.field, self.field_names)
            elif spec.type in CHOICE_TYPES and not _is_template(params.value):
                choices = [c.value for c in spec.choices]
                values = params.value if isinstance(params.value, tuple) else (params.value,)
                for value in values:
                    if str(value) not in choices:
                        self.report(
                            RULES_FILE,
                            (*loc, "value"),
                            f"'{value}' is not a choice of field '{params.field}'"
                            f"{did_you_mean(str(value), choices)}",
                        )
        elif name == "clear_field" and params not in self.field_names:
            self.unknown(RULES_FILE, loc, "field", params, self.field_names)
        elif name == "assign_team":
            self.assign_team(params, loc)
        elif name == "assign_agent" and params.lower() not in teams.agent_emails:
            self.report(
                RULES_FILE,
                loc,
                f"agent '{params}' is not listed in any team of teams.yaml",
                "warning",
            )
        elif name == "notify" and params.via not in self.notifiers:
            self.unknown(RULES_FILE, (*loc, "via"), "notifier", params.via, self.notifiers)
        elif name == "set_language":
            if params.language is not None and params.language not in self.languages:
                self.report(
                    RULES_FILE,
                    loc,
                    f"language '{params.language}' is not in hub.yaml languages "
                    f"{list(self.languages)}",
                )
            if params.from_field is not None and params.from_field not in self.field_names:
                self.unknown(
                    RULES_FILE, (*loc, "from_field"), "field", params.from_field, self.field_names
                )

    def send(self, params: SendParams, loc: Location) -> None:
        if (
            params.snippet is not None
            and self.snippets is not None
            and params.snippet not in self.snippets
        ):
            self.unknown(RULES_FILE, (*loc, "snippet"), "snippet", params.snippet, self.snippets)
        text_loc: Location = (
            (*loc, "text") if (*loc, "text") in self.config.source(RULES_FILE).lines else loc
        )
        self.text(RULES_FILE, text_loc, params.text, customer=True)
        for template_lang, template in _texts(params.text):
            try:
                _TEMPLATES.from_string(template)
            except TemplateError as exc:
                where: Location = (*text_loc, template_lang) if template_lang else text_loc
                self.report(RULES_FILE, where, f"template error: {exc.message}")
        for index, button in enumerate(params.buttons):
            self.text(RULES_FILE, (*loc, "buttons", index, "title"), button.title, customer=True)

    def assign_team(self, params: Any, loc: Location) -> None:
        teams = self.config.teams
        if params.team is not None and params.team not in teams.names:
            self.unknown(RULES_FILE, loc, "team", params.team, teams.names)
        if params.language_from is not None:
            spec = self.config.fields.get(params.language_from)
            if spec is None:
                self.unknown(
                    RULES_FILE,
                    (*loc, "language_from"),
                    "field",
                    params.language_from,
                    self.field_names,
                )
                return
            for choice in spec.choices:
                if teams.for_language(choice.value) is None:
                    self.report(
                        RULES_FILE,
                        (*loc, "language_from"),
                        f"no team speaks '{choice.value}' (a choice of field '{spec.name}')",
                    )


_TEMPLATES = SandboxedEnvironment()


def _texts(text: LocalText | None) -> Iterator[tuple[str | None, str]]:
    if isinstance(text, str):
        yield None, text
    elif text is not None:
        yield from text.items()


def _is_template(value: object) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def _compared_values(test: Test) -> list[tuple[str, Any]]:
    """(operator, value) pairs a test compares the subject against for equality."""
    pairs: list[tuple[str, Any]] = []
    for op, arg in test.operators.items():
        if op in {"equals", "not_equals"}:
            pairs.append((op, arg))
        elif op in {"in", "not_in"}:
            pairs += [(op, value) for value in arg]
    return pairs


def _required_subjects(cond: Condition, loc: Location) -> Iterator[tuple[Location, str]]:
    """Subjects that must be present for the condition to hold (``any``/``not`` skipped)."""
    for index, sub in enumerate(cond.all_ or ()):
        yield from _required_subjects(sub, (*loc, "all", index))
    for subject in _CARRIES:
        test: Test | None = getattr(cond, subject)
        if test is None:
            continue
        ops = test.operators
        if _POSITIVE_OPERATORS & set(ops) or ops.get("is_set") is True:
            yield (*loc, subject), subject
