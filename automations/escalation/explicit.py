"""The explicit request for a person: "talk to a human", "parler à un conseiller", "转人工".

Rules over the word lists of ``lexicon_request.py`` rather than a learned model, because the
agent must be shown *why* (the matched phrase) and the operator must be able to fix a miss
with one line of config. Each clause is read separately, so "I don't need a bot, I need a
human" is a request and "no need for an agent" is not. The lists are compiled, and typos
corrected, by ``request_matcher.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from automations.escalation.request_matcher import RequestMatcher, Tokens, normalise
from automations.escalation.signals import DetectorInput, Evidence, Signal, quiet
from automations.escalation.text import clauses, entries, find, fold

_PRONOUNS = frozenset({"i", "je", "j", "yo", "please", "thanks", "merci", "gracias", "svp"})
_BEING = frozenset({"am", "m", "suis", "soy"})
_MAX_SKIP = 6
_NEAR_SKIP = 3
_NEGATION_WINDOW = 4
_BOT_WINDOW = 6
_PAST_WINDOW = 2
#: words between the person and what it should do ("a human *who* can help")
_AFTER_GAP = 1
#: what may stand before "a person who can help" for it to be asked for
_ASKING = frozenset(
    entries(
        """
        a, algun, alguna, any, available, besoin, ce, el, est, get, hay, il, is, la, necesito, need,
        qu, quiero, some, t, there, un, une, veux, want, y, ya
        """
    )
)
_MAX_STANDALONE = 8

CUE_SCORE = 0.95
NEAR_SCORE = 0.9
VAGUE_SCORE = 0.45
STANDALONE_SCORE = 0.85
BOT_SCORE = 0.85
PHRASE_SCORE = 0.95
NEGATED_SCORE = 0.1
TYPO_FACTOR = 0.95


@dataclass(frozen=True, slots=True)
class Match:
    score: float
    matched: str
    detail: str = ""


def _masked(tokens: Tokens, topics: tuple[Tokens, ...]) -> set[int]:
    masked: set[int] = set()
    present = set(tokens)
    for topic in topics:
        if topic[0] not in present:
            continue
        start = find(tokens, topic)
        while start >= 0:
            masked.update(range(start, start + len(topic)))
            start = find(tokens, topic, start + 1)
    return masked


def _ends_at(tokens: Tokens, end: int, phrases: tuple[Tokens, ...]) -> Tokens | None:
    for phrase in phrases:
        start = end - len(phrase) + 1
        if start >= 0 and tokens[start : end + 1] == phrase:
            return phrase
    return None


def _negation(tokens: Tokens, before: int, m: RequestMatcher, window: int) -> str | None:
    """The negation in the ``window`` tokens before index ``before`` that is not an
    inability ("can't", "n'arrive pas") and not an interjection ("no, I want...")."""
    low = max(0, before - window)
    for neg in m.negations:
        start = find(tokens, neg, low)
        while 0 <= start < before:
            near = tokens[max(0, start - 2) : start + len(neg) + 2]
            interjection = (
                start == 0
                and neg in (("no",), ("non",))
                and len(tokens) > 1
                and tokens[1] in _PRONOUNS
            )
            after = tokens[start - 1] if start > 0 else ""
            subject = after in ("am", "m", "suis", "soy")
            if not (interjection or subject or any(w in m.inabilities for w in near)):
                return " ".join(neg)
            start = find(tokens, neg, start + 1)
    return None


def _person_request(tokens: Tokens, m: RequestMatcher, masked: set[int]) -> Match | None:
    best: Match | None = None
    taken: set[int] = set()
    present = set(tokens)
    for person in m.persons:
        if person[0] not in present:
            continue
        start = find(tokens, person)
        while start >= 0:
            span = set(range(start, start + len(person)))
            if not (span & masked or span & taken):
                taken |= span
                found = _judge(tokens, start, person, m)
                if found is not None and (best is None or found.score > best.score):
                    best = found
            start = find(tokens, person, start + 1)
    return best


def _judge(tokens: Tokens, start: int, person: Tokens, m: RequestMatcher) -> Match | None:
    """Is this mention of a person a request for one? Three readings, strongest first: a
    cue before it ("talk to a human"), a question about someone who can help ("is there a
    human who can help me"), or a message that is nothing but the request ("agent please")."""
    k = start - 1
    skipped = 0
    while k >= 0 and tokens[k] in m.fillers and skipped < _MAX_SKIP:
        if _ends_at(tokens, k, m.cues) is not None:  # a cue that is also a filler
            break
        k -= 1
        skipped += 1
    said = " ".join(tokens[max(0, k - 2) : start + len(person)])
    return (
        _cued(tokens, k, skipped, person, said, m)
        or _asked_after(tokens, k, start, person, said, m)
        or _standalone(tokens, start, person, said, m)
    )


def _cued(
    tokens: Tokens, k: int, skipped: int, person: Tokens, said: str, m: RequestMatcher
) -> Match | None:
    """A request cue ends at ``k``, only fillers between it and the person."""
    for phrases, score, limit in (
        (m.cues, CUE_SCORE, _MAX_SKIP),
        (m.near_cues, NEAR_SCORE, _NEAR_SKIP),
    ):
        cue = _ends_at(tokens, k, phrases) if k >= 0 else None
        if cue is None or skipped > limit:
            continue
        cue_start = k - len(cue) + 1
        negated = _negation(tokens, cue_start, m, _NEGATION_WINDOW)
        if negated is not None:
            return Match(NEGATED_SCORE, said, f"negated by '{negated}'")
        if any(w in m.past for w in tokens[max(0, cue_start - _PAST_WINDOW) : cue_start]):
            return Match(NEGATED_SCORE, said, "told in the past")
        # right before the cue: "do I have to call someone?" asks whether, while
        # "what do I have to do to speak to an operator" asks how (a request)
        if any(tokens[max(0, cue_start - len(r)) : cue_start] == r for r in m.requirement):
            return Match(VAGUE_SCORE, said, "asks whether a person is needed")
        vague = person in m.cue_only and phrases is m.near_cues
        return Match(VAGUE_SCORE if vague else score, said)
    return None


def _asked_after(
    tokens: Tokens, k: int, start: int, person: Tokens, said: str, m: RequestMatcher
) -> Match | None:
    """ "Is there a human who can help me", "quelqu'un peut m'aider ?"."""
    asking = tokens[k] in _ASKING if k >= 0 else person in m.cue_only
    if not asking:
        return None
    end = start + len(person)
    follows = tokens[end : end + _AFTER_GAP + 4]
    for phrase in m.after:
        at = find(follows, phrase)
        if 0 <= at <= _AFTER_GAP:
            negated = _negation(tokens, start, m, _NEGATION_WINDOW)
            if negated is not None:
                return Match(NEGATED_SCORE, said, f"negated by '{negated}'")
            asked = " ".join(tokens[max(0, start - 2) : end + at + len(phrase)])
            return Match(NEAR_SCORE, asked, "asks for a person who can help")
    return None


def _standalone(
    tokens: Tokens, start: int, person: Tokens, said: str, m: RequestMatcher
) -> Match | None:
    """A short message that is only a person and politeness ("AGENT!!!", "un humain svp")."""
    if person in m.cue_only or len(tokens) > _MAX_STANDALONE:
        return None
    rest = tokens[:start] + tokens[start + len(person) :]
    if not all(w in m.standalone or w in m.fillers for w in rest):
        return None
    negated = _negation(tokens, start, m, _NEGATION_WINDOW)
    if negated is not None:
        return Match(NEGATED_SCORE, said, f"negated by '{negated}'")
    return Match(STANDALONE_SCORE, " ".join(tokens), "the message is a request by itself")


def _bot_refusal(tokens: Tokens, m: RequestMatcher, masked: set[int]) -> Match | None:
    for index, word in enumerate(tokens):
        if word not in m.bots or index in masked:
            continue
        low = max(0, index - _BOT_WINDOW)
        said = " ".join(tokens[low : index + 1])
        if any(0 <= find(tokens, r, low) < index for r in m.refusals):
            return Match(BOT_SCORE, said, "refuses the bot")
        if any(w in _BEING for w in tokens[low:index]):
            continue  # "I am not a robot" is about the customer
        if _negation(tokens, index, m, _BOT_WINDOW) is not None:
            return Match(BOT_SCORE, said, "refuses the bot")
    return None


def _phrase(tokens: Tokens, m: RequestMatcher, masked: set[int]) -> Match | None:
    for phrase in m.phrases:
        start = find(tokens, phrase)
        if start >= 0 and not set(range(start, start + len(phrase))) & masked:
            negated = _negation(tokens, start, m, _NEGATION_WINDOW)
            if negated is not None:
                return Match(NEGATED_SCORE, " ".join(phrase), f"negated by '{negated}'")
            return Match(PHRASE_SCORE, " ".join(phrase))
    return None


def _substring(folded: str, m: RequestMatcher) -> Match | None:
    """Chinese: phrases, negations and topics as substrings."""
    covered: set[int] = set()
    for topic in m.raw_topics:
        at = folded.find(topic)
        while at >= 0:
            covered.update(range(at, at + len(topic)))
            at = folded.find(topic, at + 1)
    for bot in m.raw_bots:
        at = folded.find(bot)
        if at >= 0 and any(r in folded[max(0, at - 5) : at] for r in m.raw_refusals):
            return Match(BOT_SCORE, folded[max(0, at - 5) : at + len(bot)], "refuses the bot")
    for phrase in m.raw_phrases:
        at = folded.find(phrase)
        while at >= 0:
            if not set(range(at, at + len(phrase))) & covered:
                before = folded[max(0, at - 4) : at]
                negated = next((n for n in m.raw_negations if n in before), None)
                if negated is not None:
                    return Match(NEGATED_SCORE, phrase, f"negated by '{negated}'")
                return Match(PHRASE_SCORE, phrase)
            at = folded.find(phrase, at + 1)
    return None


def match_request(text: str, m: RequestMatcher) -> Match | None:
    """The strongest request in ``text`` for one language's lists (None: no mention)."""
    folded = fold(text)
    if m.substring:
        return _substring(folded, m)
    best: Match | None = None
    for raw in clauses(folded, m.splitters):
        tokens, typo = normalise(raw, m)
        masked = _masked(tokens, m.topics)
        for found in (
            _phrase(tokens, m, masked),
            _person_request(tokens, m, masked),
            _bot_refusal(tokens, m, masked),
        ):
            if found is None:
                continue
            if typo and found.score > NEGATED_SCORE:
                found = Match(found.score * TYPO_FACTOR, found.matched, "typo forgiven")
            if best is None or found.score > best.score:
                best = found
    return best


def detect_explicit_request(
    inp: DetectorInput, matchers: tuple[RequestMatcher, ...], threshold: float
) -> Signal:
    """Score the current message against the matchers of its language (then English)."""
    best: Match | None = None
    for matcher in matchers:
        found = match_request(inp.message.text, matcher)
        if found is not None and (best is None or found.score > best.score):
            best = found
        if best is not None and best.score >= threshold:
            break
    if best is None:
        return quiet("explicit_request", threshold)
    evidence = Evidence((inp.message.id,), best.matched, best.detail)
    return Signal("explicit_request", best.score, threshold, (evidence,))
