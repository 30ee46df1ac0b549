"""The simulator: past conversations replayed through ``decide`` with a new config.

Pure and offline: readers turn history text into :class:`History` (the plain JSONL and
the hub's export, :func:`read_jsonl`; Chatwoot's API JSON, :func:`read_chatwoot`), each
conversation's customer turns run through the brain on a virtual clock
(:func:`replay`), and :func:`simulate` builds the :class:`Report` (with a per-conversation
diff against a baseline config). The ``hub simulate`` command reads the files and writes
the outputs; nothing here touches a database, a socket or the wall clock.
"""

from automations.simulation.chatwoot import read_chatwoot
from automations.simulation.diff import compare
from automations.simulation.errors import GateError, SimulationError
from automations.simulation.gate import Gate, crossed, metrics_of, parse_gate
from automations.simulation.history import (
    Contact,
    History,
    HistoryConversation,
    HistoryMessage,
    Problem,
    read_jsonl,
)
from automations.simulation.replay import Replayed, Settings, Verdict, replay
from automations.simulation.report import Report, build_report
from automations.simulation.run import Target, replay_all, simulate, since

__all__ = [
    "Contact",
    "Gate",
    "GateError",
    "History",
    "HistoryConversation",
    "HistoryMessage",
    "Problem",
    "Replayed",
    "Report",
    "Settings",
    "SimulationError",
    "Target",
    "Verdict",
    "build_report",
    "compare",
    "crossed",
    "metrics_of",
    "parse_gate",
    "read_chatwoot",
    "read_jsonl",
    "replay",
    "replay_all",
    "simulate",
    "since",
]
