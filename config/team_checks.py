"""Cross-checks of ``teams.yaml`` that no single model can make: references and hours.

An unknown agent, team, calendar, SLA policy or notice target; overlapping or malformed
opening periods; an unknown time zone; a per-channel capacity for a channel that does not
exist. Each problem is located on the line that holds it and, where a name is close to a
known one, says which was meant (``hub check`` prints them as ``file:line: message``).
"""

from __future__ import annotations

from collections.abc import Collection
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.automation_types import did_you_mean
from config.calendars import DAYS, CalendarDef, parse_days, parse_period
from config.errors import Problem
from config.inboxes import INBOX_KINDS
from config.source import Location, SourceFile
from config.teams import TOTAL, TeamsFile
from config.wait_texts import DEFAULT_TEXTS, KEYS, PLACEHOLDERS, placeholders


def check_teams(teams: TeamsFile, source: SourceFile, languages: Collection[str]) -> list[Problem]:
    """Every reference and hours problem of ``teams.yaml``, in no particular order."""
    return _TeamChecks(teams, source, tuple(languages)).run()


class _TeamChecks:
    def __init__(self, teams: TeamsFile, source: SourceFile, languages: tuple[str, ...]) -> None:
        self.teams = teams
        self.source = source
        self.languages = languages
        self.problems: list[Problem] = []

    def report(self, loc: Location, message: str, severity: str = "error") -> None:
        self.problems.append(self.source.problem(loc, message, severity))

    def unknown(self, loc: Location, kind: str, name: str, known: Collection[str]) -> None:
        self.report(loc, f"unknown {kind} '{name}'{did_you_mean(name, known)}")

    def run(self) -> list[Problem]:
        self.agents()
        self.team_references()
        self.overflow_cycles()
        for name, calendar in self.teams.calendars.items():
            self.calendar(name, calendar)
        self.notices()
        self.sla_policies()
        self.messages()
        return self.problems

    def messages(self) -> None:
        for key, texts in self.teams.messages.items():
            loc: Location = ("messages", key)
            if key not in PLACEHOLDERS:
                self.unknown(loc, "message", key, KEYS)
                continue
            for lang, text in texts.items():
                if lang not in self.languages:
                    known = list(self.languages)
                    self.report(
                        (*loc, lang), f"language '{lang}' is not in hub.yaml languages {known}"
                    )
                try:
                    used = placeholders(text)
                except ValueError as exc:
                    self.report((*loc, lang), f"malformed placeholder: {exc}")
                    continue
                extra = used - PLACEHOLDERS[key]
                if extra:
                    allowed = ", ".join(f"{{{n}}}" for n in sorted(PLACEHOLDERS[key])) or "none"
                    self.report(
                        (*loc, lang),
                        f"'{key}' has no placeholder {', '.join(f'{{{n}}}' for n in sorted(extra))}"
                        f" (it offers: {allowed})",
                    )
        for lang in self.languages:
            if lang in DEFAULT_TEXTS:
                continue
            missing = [k for k in KEYS if lang not in self.teams.messages.get(k, {})]
            if missing:
                self.report(
                    ("messages",),
                    f"no default wait messages in '{lang}': customers writing in it get English "
                    f"for {', '.join(missing)} (add messages.KEY.{lang})",
                    "warning",
                )

    def sla_policies(self) -> None:
        first: dict[str, int] = {}
        for i, policy in enumerate(self.teams.sla_policies):
            if policy.name in first:
                line = self.source.line_of(("sla_policies", first[policy.name], "name"))
                self.report(
                    ("sla_policies", i, "name"),
                    f"duplicate SLA policy '{policy.name}' (first on line {line})",
                )
            first.setdefault(policy.name, i)

    # -- agents ----------------------------------------------------------------------

    def agents(self) -> None:
        first: dict[str, int] = {}
        for i, agent in enumerate(self.teams.agents):
            loc: Location = ("agents", i)
            key = agent.email.lower()
            if key in first:
                line = self.source.line_of(("agents", first[key], "email"))
                self.report(
                    (*loc, "email"), f"duplicate agent '{agent.email}' (first on line {line})"
                )
            first.setdefault(key, i)
            for team in agent.teams:
                if team not in self.teams.names:
                    self.unknown((*loc, "teams"), "team", team, self.teams.names)
            if agent.hours is not None and agent.hours not in self.teams.calendars:
                self.unknown((*loc, "hours"), "calendar", agent.hours, tuple(self.teams.calendars))
            self.language_list((*loc, "languages"), agent.languages)
            self.capacity((*loc, "capacity"), agent.capacity)

    def language_list(self, loc: Location, languages: tuple[str, ...]) -> None:
        for j, lang in enumerate(languages):
            if lang not in self.languages:
                known = list(self.languages)
                self.report((*loc, j), f"language '{lang}' is not in hub.yaml languages {known}")

    def capacity(self, loc: Location, capacity: dict[str, int] | None) -> None:
        if not capacity:
            return
        for channel, limit in capacity.items():
            if channel != TOTAL and channel not in INBOX_KINDS:
                self.report(
                    (*loc, channel),
                    f"unknown channel '{channel}' in capacity"
                    f"{did_you_mean(channel, (TOTAL, *INBOX_KINDS))}",
                )
            elif TOTAL in capacity and channel != TOTAL and limit > capacity[TOTAL]:
                self.report(
                    (*loc, channel),
                    f"capacity '{channel}' ({limit}) is above the total ({capacity[TOTAL]})",
                    "warning",
                )

    # -- teams -----------------------------------------------------------------------

    def team_references(self) -> None:
        defined = [a.email.lower() for a in self.teams.agents]
        calendars = tuple(self.teams.calendars)
        policies = tuple(p.name for p in self.teams.sla_policies)
        targets = self.teams.notices.target_names
        for i, team in enumerate(self.teams.teams):
            loc: Location = ("teams", i)
            if defined:  # with an agents section, members must be defined agents
                for j, email in enumerate(team.agents):
                    if email.lower() not in defined:
                        self.unknown((*loc, "agents", j), "agent", email, defined)
            if team.hours is not None and team.hours not in calendars:
                self.unknown((*loc, "hours"), "calendar", team.hours, calendars)
            if team.sla is not None and team.sla not in policies:
                self.unknown((*loc, "sla"), "SLA policy", team.sla, policies)
            if team.overflow is not None and team.overflow not in self.teams.names:
                self.unknown((*loc, "overflow"), "team", team.overflow, self.teams.names)
            if team.notify is not None and team.notify not in targets:
                self.unknown((*loc, "notify"), "notice target", team.notify, targets)
            self.capacity((*loc, "capacity"), team.capacity)

    def overflow_cycles(self) -> None:
        for i, team in enumerate(self.teams.teams):
            seen = [team.name]
            current = team.overflow
            while current is not None:
                if current == team.name:
                    chain = " -> ".join([*seen, current])
                    message = f"overflow goes round in a circle: {chain}"
                    self.report(("teams", i, "overflow"), message)
                    break
                found = self.teams.get(current)
                if found is None or current in seen:
                    break
                seen.append(current)
                current = found.overflow

    # -- calendars -------------------------------------------------------------------

    def calendar(self, name: str, calendar: CalendarDef) -> None:
        loc: Location = ("calendars", name)
        if calendar.timezone:
            try:
                ZoneInfo(calendar.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                self.report((*loc, "timezone"), f"unknown timezone '{calendar.timezone}'")
        if not any(calendar.hours.values()):
            self.report((*loc, "hours"), f"calendar '{name}' is never open (add hours)")
        taken: list[list[tuple[int, int, str, str]]] = [[] for _ in DAYS]
        for key, periods in calendar.hours.items():
            try:
                days = parse_days(key)
            except ValueError as exc:
                self.report((*loc, "hours", key), str(exc))
                continue
            for j, text in enumerate(periods):
                start, end = parse_period(text)
                clashes: dict[tuple[str, str], list[str]] = {}
                for day in days:
                    for other_start, other_end, other_key, other in taken[day]:
                        if start < other_end and other_start < end:
                            clashes.setdefault((other, other_key), []).append(DAYS[day])
                    taken[day].append((start, end, key, text))
                for (other, other_key), on in clashes.items():
                    indexes = [DAYS.index(d) for d in on]
                    consecutive = indexes == list(range(indexes[0], indexes[-1] + 1))
                    when = f"{on[0]}-{on[-1]}" if consecutive and len(on) > 1 else ",".join(on)
                    self.report(
                        (*loc, "hours", key, j),
                        f"'{text}' overlaps '{other}' ({other_key}) on {when}",
                    )

    # -- notices ---------------------------------------------------------------------

    def notices(self) -> None:
        notices = self.teams.notices
        first: dict[str, int] = {}
        for i, target in enumerate(notices.targets):
            if target.name in first:
                line = self.source.line_of(("notices", "targets", first[target.name], "name"))
                self.report(
                    ("notices", "targets", i, "name"),
                    f"duplicate notice target '{target.name}' (first on line {line})",
                )
            first.setdefault(target.name, i)
        previous = None
        for i, step in enumerate(notices.ladder):
            if previous is not None and step.after < previous:
                self.report(
                    ("notices", "ladder", i, "after"),
                    "ladder delays must not go down (each rung is counted from the alert)",
                )
            previous = step.after
            if step.target is not None and step.target not in notices.target_names:
                self.unknown(
                    ("notices", "ladder", i, "target"),
                    "notice target",
                    step.target,
                    notices.target_names,
                )
                continue
            if step.target is not None:
                continue
            if step.notify in {"team", "here"} and not any(t.notify for t in self.teams.teams):
                self.report(
                    ("notices", "ladder", i, "notify"),
                    f"rung '{step.notify}' needs a team with a 'notify' target",
                    "warning",
                )
            if step.notify == "manager" and not any(t.manager for t in self.teams.teams):
                self.report(
                    ("notices", "ladder", i, "notify"),
                    "rung 'manager' needs a team with a 'manager' address",
                    "warning",
                )
