"""SLA policies of ``teams.yaml``: reply and resolution targets per priority or tier.

::

    sla_warning: 10m                  # default lead time of the sla_warning event
    sla_policies:
      - name: standard
        business_hours: true          # count only while the team's calendar is open
        targets:
          - {first_response: 1h, next_response: 2h, resolution: 2d}
          - {when: {priority: [urgent]}, first_response: 10m, next_response: 30m}
          - {when: {tier: [vip]}, first_response: 20m}

A conversation's target for each clock comes from the first target in file order whose
``when`` matches it; targets with a ``when`` are tried before the plain ones, so the
catch-all line may sit anywhere (most files put it first, as above). A clock no matching
target sets has no SLA.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from config.automation_types import Duration, Name
from config.rules import Priority
from config.validation import StrictModel

SLA_CLOCKS = ("first_response", "next_response", "resolution")


class SlaWhen(StrictModel):
    """Which conversations a target is for: every listed attribute must match."""

    priority: tuple[Priority, ...] = ()
    tier: tuple[str, ...] = ()

    def matches(self, priority: str, tier: str | None) -> bool:
        if self.priority and priority not in self.priority:
            return False
        return not (self.tier and tier not in self.tier)


class SlaTarget(StrictModel):
    when: SlaWhen | None = None
    first_response: Duration | None = None
    next_response: Duration | None = None
    resolution: Duration | None = None


class SlaPolicyDef(StrictModel):
    name: Name
    #: count targets in the team's business hours (false: wall-clock time)
    business_hours: bool = True
    #: lead time of ``sla_warning`` for this policy (default: the file's ``sla_warning``)
    warning: Duration | None = None
    targets: tuple[SlaTarget, ...] = Field(min_length=1)

    def target(self, clock: str, priority: str, tier: str | None) -> timedelta | None:
        """The ``clock`` target (one of :data:`SLA_CLOCKS`) for this priority and tier."""
        specific = [t for t in self.targets if t.when is not None]
        general = [t for t in self.targets if t.when is None]
        for target in (*specific, *general):
            if target.when is not None and not target.when.matches(priority, tier):
                continue
            value: timedelta | None = getattr(target, clock)
            if value is not None:
                return value
        return None
