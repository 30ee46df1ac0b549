"""The registry builds every provider adapter from config + environment."""

from __future__ import annotations

import pytest

from channels.base import AdapterServices
from channels.errors import MissingSecret
from channels.registry import build_adapter, secret_env_names
from tests.channels import adapters


@pytest.mark.parametrize("kind", sorted(adapters.FACTORIES))
def test_build_adapter_resolves_secrets_by_env_name(kind: str) -> None:
    inbox = adapters.FACTORIES[kind]().inbox
    names = secret_env_names(inbox)
    adapter_cls = type(adapters.FACTORIES[kind]())
    assert set(names) == set(adapter_cls.secret_names)
    environ = {env: f"value-of-{role}" for role, env in names.items()}
    adapter = build_adapter(inbox, environ, AdapterServices(http=None))
    assert type(adapter) is adapter_cls
    assert adapter.secrets == {role: f"value-of-{role}" for role in names}
    with pytest.raises(MissingSecret):
        build_adapter(inbox, {}, AdapterServices(http=None))
