"""The shape of one language's word lists for the explicit request for a person
(``lexicon_request.py`` explains each part; ``escalation.yaml`` can extend or trim them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RequestWords:
    persons: tuple[str, ...]
    cues: tuple[str, ...]
    #: cues that must be right before the person ("want an agent", not "want to know if
    #: someone..."): only articles may stand between
    near_cues: tuple[str, ...]
    fillers: tuple[str, ...]
    #: what may surround a person in a message that is only a request ("agent please")
    standalone: tuple[str, ...]
    bots: tuple[str, ...]
    #: words that turn a mention of the bot into a refusal of it ("stop", "tired of")
    bot_refusals: tuple[str, ...]
    negations: tuple[str, ...]
    #: words right after a negation that make it an inability, not a refusal
    inabilities: tuple[str, ...]
    topics: tuple[str, ...]
    #: whole phrases that are requests by themselves
    phrases: tuple[str, ...] = ()
    #: words that end a clause (a negation does not reach past them)
    splitters: tuple[str, ...] = ()
    #: person words that are also ordinary words; they count only after a cue
    cue_only: tuple[str, ...] = ()
    #: words just before a cue that put it in the past ("I was talking to an agent")
    past: tuple[str, ...] = ()
    #: what may follow a person to make a request of it ("is there a human who can help me")
    after: tuple[str, ...] = ()
    #: questions about whether a person is needed ("do I have to call someone?"): weak
    requirement: tuple[str, ...] = ()
