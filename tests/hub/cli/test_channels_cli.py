"""``hub channels check`` and ``hub channels register telegram`` through click's CliRunner."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hub.cli.main import main
from tests.fakes.providers import FakeTelegram

BOT_TOKEN = "123:ABC"
HUB_YAML = """\
name: CLI test hub
languages: [en]
default_language: en
inboxes:
  - {{slug: web, kind: webchat}}
  - slug: wa
    kind: whatsapp_cloud
    phone_number_id: "1122334455667"
    secrets: {{app_secret: T_WA_APP_SECRET, access_token: T_WA_TOKEN, verify_token: T_WA_VERIFY}}
  - slug: sms
    kind: twilio
    from_number: "+14155238886"
    secrets: {{account_sid: T_TWILIO_SID, auth_token: T_TWILIO_TOKEN}}
  - slug: fb
    kind: messenger
    page_id: "404217156637689"
    secrets:
      app_secret: T_FB_APP_SECRET
      page_access_token: T_FB_PAGE_TOKEN
      verify_token: T_FB_VERIFY
  - slug: tg
    kind: telegram
    api_url: {telegram_url}
    secrets: {{bot_token: T_TG_TOKEN, webhook_secret: T_TG_SECRET}}
"""
SECRET_VALUES = {
    "T_WA_APP_SECRET": "wa-app-secret-value",
    "T_WA_TOKEN": "wa-token-value",
    "T_WA_VERIFY": "wa-verify-value",
    "T_TWILIO_SID": "ACsid-value",
    "T_TWILIO_TOKEN": "twilio-token-value",
    "T_FB_APP_SECRET": "fb-app-secret-value",
    "T_FB_PAGE_TOKEN": "fb-page-token-value",
    "T_FB_VERIFY": "fb-verify-value",
    "T_TG_TOKEN": BOT_TOKEN,
    "T_TG_SECRET": "tg-secret-value",
}


@pytest.fixture
async def telegram_api() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=BOT_TOKEN) as fake:
        yield fake  # type: ignore[misc]


def write_config(tmp_path: Path, telegram_url: str = "http://127.0.0.1:9") -> Path:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "hub.yaml").write_text(HUB_YAML.format(telegram_url=telegram_url))
    return config_dir


def run(config_dir: Path, args: list[str], env: dict[str, str]) -> Result:
    environ = {name: "" for name in SECRET_VALUES}  # unset unless the test sets it
    environ.update({"HUB_CONFIG_DIR": str(config_dir), "HUB_PUBLIC_URL": "https://support.example"})
    environ.update(env)
    return CliRunner().invoke(main, ["channels", *args], env=environ, catch_exceptions=False)


def test_check_prints_urls_secret_presence_and_console_steps(tmp_path: Path) -> None:
    config_dir = write_config(tmp_path)
    present = {k: v for k, v in SECRET_VALUES.items() if not k.startswith("T_FB")}
    result = run(config_dir, ["check"], present)
    assert result.exit_code == 0, result.output
    out = result.output
    for slug in ("wa", "sms", "fb", "tg"):
        assert f"https://support.example/webhooks/{slug}" in out
    # Meta: callback URL and the verify token's env var name; Twilio: the incoming-message URL
    assert "Callback URL: https://support.example/webhooks/wa" in out
    assert "Verify token: the value of $T_WA_VERIFY" in out
    assert "'A message comes in': Webhook, HTTP POST, https://support.example/webhooks/sms" in out
    assert "hub channels register telegram tg" in out
    # presence per env var, never the values
    lines = {
        line.split()[1]: line
        for line in out.splitlines()
        if line.strip().startswith(
            (
                "app_secret",
                "access_token",
                "verify_token",
                "account_sid",
                "auth_token",
                "page_access_token",
                "bot_token",
                "webhook_secret",
            )
        )
    }
    assert "NOT SET" in lines["T_FB_APP_SECRET"]
    assert "NOT SET" in lines["T_FB_PAGE_TOKEN"]
    assert "NOT SET" not in lines["T_WA_APP_SECRET"]
    assert "set" in lines["T_WA_APP_SECRET"]
    assert "fb (messenger): missing secrets" in out
    assert "wa (whatsapp_cloud): ready" in out
    for value in SECRET_VALUES.values():
        assert value not in out
    assert "3 secret env var(s) not set" in out


def test_check_warns_when_the_public_url_is_not_https(tmp_path: Path) -> None:
    config_dir = write_config(tmp_path)
    result = run(config_dir, ["check"], {"HUB_PUBLIC_URL": "http://127.0.0.1:8080"})
    assert result.exit_code == 0, result.output
    assert "only call https:// URLs" in result.output
    assert "http://127.0.0.1:8080/webhooks/tg" in result.output
    assert "10 secret env var(s) not set" in result.output


def test_check_on_the_demo_config_passes() -> None:
    demo = Path(__file__).parents[3] / "config" / "demo"
    result = run(demo, ["check"], {"HUB_DEMO_API_SECRET": "x"})
    assert result.exit_code == 0, result.output
    for slug in ("whatsapp", "twilio", "messenger", "telegram"):
        assert f"https://support.example/webhooks/{slug}" in result.output
    assert "DEMO_TELEGRAM_WEBHOOK_SECRET" in result.output


async def test_register_telegram_calls_set_webhook_with_the_secret(
    tmp_path: Path, telegram_api: FakeTelegram
) -> None:
    config_dir = write_config(tmp_path, telegram_api.base_url)
    result = await asyncio.to_thread(
        run, config_dir, ["register", "telegram", "tg", "--drop-pending"], SECRET_VALUES
    )
    assert result.exit_code == 0, result.output
    assert "https://support.example/webhooks/tg" in result.output
    [call] = telegram_api.calls("setWebhook")
    assert call.path == f"/bot{BOT_TOKEN}/setWebhook"
    fields = call.fields
    assert fields["url"] == "https://support.example/webhooks/tg"
    assert fields["secret_token"] == "tg-secret-value"
    assert fields["allowed_updates"] == [
        "message",
        "edited_message",
        "callback_query",
        "my_chat_member",
    ]
    assert fields["drop_pending_updates"] in (True, "true", "True")
    assert "tg-secret-value" not in result.output


async def test_register_telegram_reports_the_api_error(
    tmp_path: Path, telegram_api: FakeTelegram
) -> None:
    config_dir = write_config(tmp_path, telegram_api.base_url)
    telegram_api.permanent(400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")
    result = await asyncio.to_thread(run, config_dir, ["register", "telegram", "tg"], SECRET_VALUES)
    assert result.exit_code == 1
    assert "setWebhook failed" in result.output
    assert "https url must be provided" in result.output.lower()


def test_register_telegram_needs_its_secrets(tmp_path: Path) -> None:
    config_dir = write_config(tmp_path)
    result = run(config_dir, ["register", "telegram", "tg"], {})
    assert result.exit_code == 1
    assert "T_TG_TOKEN" in result.output
    assert "T_TG_SECRET" in result.output


def test_register_telegram_refuses_another_kind(tmp_path: Path) -> None:
    config_dir = write_config(tmp_path)
    result = run(config_dir, ["register", "telegram", "wa"], SECRET_VALUES)
    assert result.exit_code == 1
    assert "'wa' is not a telegram inbox (telegram inboxes: tg)" in result.output
