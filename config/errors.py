"""Errors of the config package: every problem carries the file and line it comes from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One config problem, printed as ``file:line: message`` like a compiler error."""

    file: str
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}: {prefix}{self.message}"


class ConfigError(Exception):
    """Raised when a config directory or file cannot be used; holds every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class SettingsError(ConfigError):
    """Raised when environment settings are invalid."""
