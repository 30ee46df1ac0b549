"""The operator's language: validated models of every config file and the env settings."""

from config.errors import ConfigError, Problem, SettingsError
from config.loader import AppConfig, load_config
from config.settings import Settings, load_settings

__all__ = [
    "AppConfig",
    "ConfigError",
    "Problem",
    "Settings",
    "SettingsError",
    "load_config",
    "load_settings",
]
