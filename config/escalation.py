"""Model of ``escalation.yaml``: what each escalation signal does, and where it is live.

Per signal an ``action`` (``escalate`` now, ``offer`` a person first, raise ``priority``, or
``record`` only), a ``threshold`` in [0, 1] and the signal's own parameters; ``combinations``
of weaker signals within a window; a gradual ``rollout`` by channel, inbox, topic or team;
detectors switched off per inbox; per-language word-list additions and removals.

Names the operator types (signals, detectors, languages, word lists, inboxes) are checked
before pydantic sees the file, so each mistake is reported once, on its own line, with a
did-you-mean; the cleaned document is then validated as usual.
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from config.automation_types import Duration, Name, did_you_mean
from config.errors import ConfigError, Problem
from config.hub import HubFile
from config.inboxes import INBOX_KINDS
from config.rules import Priority
from config.source import Location, SourceFile, load_yaml
from config.validation import StrictModel, validate_source

ESCALATION_FILE = "escalation.yaml"

SignalKind = Literal[
    "explicit_request",
    "frustration",
    "repetition",
    "burst",
    "out_of_scope",
    "loop",
    "integration_failure",
    "vip",
    "sales_moment",
    "sensitive",
]
SIGNAL_KINDS: tuple[str, ...] = SignalKind.__args__  # type: ignore[attr-defined]
Action = Literal["escalate", "offer", "priority", "record"]
#: strongest first: when several signals fire, the strongest action wins
ACTIONS: tuple[str, ...] = ("escalate", "offer", "priority", "record")
#: the word lists a language may extend or trim (see automations/escalation/lexicon_*.py)
WordListName = Literal[
    "explicit_request", "not_request", "negation", "frustration", "sensitive", "sales_moment"
]
WORD_LISTS: tuple[str, ...] = WordListName.__args__  # type: ignore[attr-defined]
#: the channels a rollout rule may name: the inbox kinds
CHANNELS: tuple[str, ...] = INBOX_KINDS

Phrase = str


class SignalPolicy(StrictModel):
    """What one signal does when its score reaches ``threshold``."""

    enabled: bool = True
    action: Action = "record"
    threshold: float = Field(default=0.5, ge=0, le=1)
    #: the conversation's priority when this signal decides (escalate, offer or priority)
    priority: Priority | None = None


class FrustrationPolicy(SignalPolicy):
    #: customer turns the trend is read over (the current one included)
    turns: int = Field(default=4, ge=1, le=20)


class RepetitionPolicy(SignalPolicy):
    threshold: float = Field(default=0.8, ge=0, le=1)
    #: how many earlier customer turns are compared with the current one
    turns: int = Field(default=6, ge=1, le=50)
    #: cosine similarity of the NLU's sentence vectors counted as "the same question"
    similarity: float = Field(default=0.9, ge=0, le=1)


class BurstPolicy(SignalPolicy):
    messages: int = Field(default=4, ge=2, le=50)
    within: Duration = timedelta(seconds=30)
    #: only messages up to this length count (a burst is many short messages)
    max_chars: int = Field(default=40, ge=1, le=10_000)


class OutOfScopePolicy(SignalPolicy):
    #: consecutive out-of-scope customer turns (the current one included)
    times: int = Field(default=2, ge=1, le=20)


class LoopPolicy(SignalPolicy):
    #: the same bot answer sent this many times, or "no" to "did this help?" this many times
    times: int = Field(default=2, ge=2, le=20)
    #: how many recent turns are looked at
    turns: int = Field(default=12, ge=2, le=100)


class VipPolicy(SignalPolicy):
    tiers: tuple[str, ...] = ()
    #: custom field -> values that make a contact VIP (``plan: [enterprise]``)
    fields: dict[Name, tuple[str, ...]] = Field(default_factory=dict)


class SalesPolicy(SignalPolicy):
    intents: tuple[str, ...] = ()
    buttons: tuple[str, ...] = ()
    #: extra keywords per language, beside the word list ``sales_moment``
    keywords: dict[str, tuple[Phrase, ...]] = Field(default_factory=dict)


SensitiveCategory = Literal["fraud", "hacked", "stolen_card", "double_charge", "legal", "custom"]


class SensitivePolicy(SignalPolicy):
    #: NLU intents that are sensitive whatever the wording (``lost_or_stolen_card``)
    intents: tuple[str, ...] = ()
    #: categories that escalate at once whatever ``action`` says (a legal threat)
    escalate: tuple[SensitiveCategory, ...] = ("legal",)


class Signals(StrictModel):
    explicit_request: SignalPolicy = SignalPolicy(action="escalate")
    frustration: FrustrationPolicy = FrustrationPolicy(threshold=0.6)
    repetition: RepetitionPolicy = RepetitionPolicy()
    burst: BurstPolicy = BurstPolicy()
    out_of_scope: OutOfScopePolicy = OutOfScopePolicy()
    loop: LoopPolicy = LoopPolicy()
    integration_failure: SignalPolicy = SignalPolicy(action="offer")
    vip: VipPolicy = VipPolicy(action="priority", priority="high")
    sales_moment: SalesPolicy = SalesPolicy()
    sensitive: SensitivePolicy = SensitivePolicy(action="offer", priority="high")

    def of(self, kind: str) -> SignalPolicy:
        policy: SignalPolicy = getattr(self, kind)
        return policy


class Combination(StrictModel):
    """``at_least`` distinct signals scoring ``min_score`` or more within ``within``."""

    name: Name | None = None
    #: which signals count (empty: every signal)
    signals: tuple[SignalKind, ...] = ()
    at_least: int = Field(default=2, ge=1, le=10)
    min_score: float = Field(default=0.3, ge=0, le=1)
    within: Duration = timedelta(minutes=10)
    action: Action = "escalate"
    priority: Priority | None = None


class RolloutRule(StrictModel):
    """The first rule whose every given key matches sets the percentage."""

    channel: str | None = None
    inbox: str | None = None
    topic: Name | None = None
    team: Name | None = None
    percent: float = Field(ge=0, le=100)


class Rollout(StrictModel):
    percent: float = Field(default=100, ge=0, le=100)
    rules: tuple[RolloutRule, ...] = ()


class InboxDetectors(StrictModel):
    disabled: tuple[SignalKind, ...] = ()


class WordOverride(StrictModel):
    add: tuple[Phrase, ...] = ()
    remove: tuple[Phrase, ...] = ()


class EscalationFile(StrictModel):
    version: Literal[1] = 1
    signals: Signals = Signals()
    combinations: tuple[Combination, ...] = ()
    rollout: Rollout = Rollout()
    #: inbox slug -> detectors switched off there
    inboxes: dict[str, InboxDetectors] = Field(default_factory=dict)
    #: language -> word list -> additions and removals to the shipped defaults
    words: dict[str, dict[WordListName, WordOverride]] = Field(default_factory=dict)


class _NameCheck:
    """Finds misspelt names in the raw document and removes them, so that pydantic reports
    the rest of the file and each mistake appears once."""

    def __init__(self, source: SourceFile, hub: HubFile) -> None:
        self.source = source
        self.hub = hub
        self.problems: list[Problem] = []
        self.data: Any = copy.deepcopy(source.data)

    def report(self, loc: Location, message: str) -> None:
        self.problems.append(self.source.problem(loc, message))

    def keys(self, loc: Location, what: str, known: Collection[str], hint: str = "") -> None:
        node = self._node(loc)
        if not isinstance(node, dict):
            return
        for key in list(node):
            if key not in known:
                self.report((*loc, key), f"unknown {what} '{key}'{did_you_mean(key, known)}{hint}")
                del node[key]

    def items(self, loc: Location, what: str, known: Collection[str]) -> None:
        node = self._node(loc)
        if not isinstance(node, list):
            return
        keep = []
        for index, item in enumerate(node):
            if isinstance(item, str) and item not in known:
                self.report((*loc, index), f"unknown {what} '{item}'{did_you_mean(item, known)}")
            else:
                keep.append(item)
        node[:] = keep

    def _node(self, loc: Location) -> Any:
        node = self.data
        for part in loc:
            if isinstance(node, dict) and isinstance(part, str):
                node = node.get(part)
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return None
        return node

    def run(self) -> None:
        languages = self.hub.languages
        in_hub = f" (languages of hub.yaml: {', '.join(languages)})"
        inboxes = [i.slug for i in self.hub.inboxes]
        self.keys(("signals",), "signal", SIGNAL_KINDS)
        combos = self._node(("combinations",))
        for index in range(len(combos) if isinstance(combos, list) else 0):
            self.items(("combinations", index, "signals"), "signal", SIGNAL_KINDS)
        self.keys(("inboxes",), "inbox", inboxes)
        node = self._node(("inboxes",))
        for slug in list(node) if isinstance(node, dict) else []:
            self.items(("inboxes", slug, "disabled"), "detector", SIGNAL_KINDS)
        self.keys(("words",), "language", languages, in_hub)
        node = self._node(("words",))
        for lang in list(node) if isinstance(node, dict) else []:
            self.keys(("words", lang), "word list", WORD_LISTS)
        self.keys(("signals", "sales_moment", "keywords"), "language", languages, in_hub)
        rules = self._node(("rollout", "rules"))
        for index, rule in enumerate(rules if isinstance(rules, list) else []):
            if not isinstance(rule, dict):
                continue
            for key, known, what in (("inbox", inboxes, "inbox"), ("channel", CHANNELS, "channel")):
                value = rule.get(key)
                if isinstance(value, str) and value not in known:
                    self.report(
                        ("rollout", "rules", index, key),
                        f"unknown {what} '{value}'{did_you_mean(value, known)}",
                    )
                    del rule[key]


def load_escalation(
    path: Path, display: str, hub: HubFile
) -> tuple[EscalationFile | None, list[Problem], SourceFile | None]:
    """Load, name-check and validate one ``escalation.yaml``; problems are never raised."""
    try:
        source = load_yaml(path, display)
    except ConfigError as exc:
        return None, list(exc.problems), None
    if source.data is None or source.data == {}:
        return EscalationFile(), [], source
    if not isinstance(source.data, dict):
        return None, [source.problem((), "escalation.yaml must be a mapping")], source
    check = _NameCheck(source, hub)
    check.run()
    model, errors = validate_source(
        EscalationFile, SourceFile(source.path, check.data, source.lines)
    )
    problems = sorted(check.problems + errors, key=lambda p: p.line)
    if check.problems:
        return None, problems, source
    return model, problems, source


def check_vip_fields(
    file: EscalationFile, source: SourceFile, fields: Collection[str]
) -> list[Problem]:
    """VIP field names must be fields of ``fields.yaml`` (a typo would never match)."""
    return [
        source.problem(
            ("signals", "vip", "fields", name),
            f"unknown field '{name}'{did_you_mean(name, fields)}",
        )
        for name in file.signals.vip.fields
        if name not in fields
    ]


def check_intents(
    file: EscalationFile, source: SourceFile, intents: Collection[str]
) -> list[Problem]:
    """Intents named by ``sales_moment`` and ``sensitive`` must be intents of intents.yaml."""
    problems = []
    for signal in ("sales_moment", "sensitive"):
        named: tuple[str, ...] = getattr(file.signals, signal).intents
        for index, name in enumerate(named):
            if name not in intents:
                problems.append(
                    source.problem(
                        ("signals", signal, "intents", index),
                        f"unknown intent '{name}'{did_you_mean(name, intents)}",
                    )
                )
    return problems
