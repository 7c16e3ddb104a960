"""`shopguide shoppers link`: an orders export's customers (hashed e-mails) become the chat shoppers the shop
says they are; their history then shows in /profile and /forget erases it. No address is stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.app import Assistant
from assistant.config import Settings
from assistant.personal.events import hashed_email
from assistant.types import IncomingMessage
from bots.cli import app

runner = CliRunner()


def dm(text: str, user: str = "42") -> IncomingMessage:
    return IncomingMessage(platform="telegram", chat_id=user, user_id=user, text=text)


async def test_linked_customers_history_personalises_their_chat(
    settings: Settings,
    scripted_assistant: Assistant,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    restore_logging: None,
) -> None:
    monkeypatch.setenv("SHOPGUIDE_DATA_DIR", str(settings.data_dir))
    orders = tmp_path / "orders_export.csv"
    orders.write_text(
        "Name,Email,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem sku\n"
        "#1001,Ann@Example.com,paid,2024-05-14 10:22:01 +0800,1,AeroRun 2,SG-RUN-0001\n"
        "#1001,,,,2,Socks,SG-BTL-0003\n"
        "#1002,bo@example.com,paid,2024-06-01 09:00:00 +0800,1,Tent,SG-BAG-0001\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["shoppers", "import", str(orders)]).exit_code == 0
    assert scripted_assistant.profile(dm("/profile")) == "I keep nothing about you yet."

    links = tmp_path / "links.csv"
    links.write_text("email,shopper\nann@example.com,telegram:42\nnobody@example.com,slack:U7\n", encoding="utf-8")
    linked = runner.invoke(app, ["shoppers", "link", str(links)])
    assert linked.exit_code == 0, linked.output
    assert "2 pairs read; 1 customers had imported history: 2 events now belong to their chat identity" in linked.output
    assert "Shopping history: 2 events (latest 2024-05-14)" in scripted_assistant.profile(dm("/profile"))
    store = scripted_assistant.personaliser.store
    assert store.events(hashed_email("ann@example.com")) == []
    assert len(store.events(hashed_email("bo@example.com"))) == 1, "an unlinked customer keeps their hash"
    again = runner.invoke(app, ["shoppers", "link", str(links)])
    assert "0 customers had imported history" in again.output

    conn = sqlite3.connect(settings.memory_db)
    dump = "\n".join(conn.iterdump())
    conn.close()
    assert "example.com" not in dump.lower(), "no address is stored"

    scripted_assistant.forget(dm("/forget"))
    assert store.events("telegram:42") == []


def test_a_bad_link_file_is_refused_whole_without_echoing_addresses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_logging: None
) -> None:
    monkeypatch.setenv("SHOPGUIDE_DATA_DIR", str(tmp_path / "data"))
    links = tmp_path / "links.csv"
    links.write_text("email,shopper\nann@example.com,42\nnot-an-address,telegram:43\n", encoding="utf-8")
    refused = runner.invoke(app, ["shoppers", "link", str(links)])
    assert refused.exit_code == 1
    assert f"{links}:2: shopper '42' is not platform:user_id (telegram:42)" in refused.output
    assert f"{links}:3: no e-mail address" in refused.output
    assert "nothing linked" in refused.output and "not-an-address" not in refused.output
