"""The simulation package's errors: one base, so the CLI catches them at once."""

from automations.errors import AutomationError


class SimulationError(AutomationError):
    """Base of the simulator's errors."""


class GateError(SimulationError):
    """A ``--fail-if`` expression the simulator cannot read (unknown metric, bad operator)."""


__all__ = ["GateError", "SimulationError"]
