"""Drives the real slack-bolt app over HTTP with signed requests, against the fake Slack Web API."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from assistant.app import Assistant
from assistant.config import Settings
from assistant.handoff import HandoffService
from assistant.ports import Generator
from bots.serve import build_slack_service
from bots.slack.app import SlackBot
from bots.slack.commands import KbOperations
from bots.slack.dedupe import SeenEvents
from bots.slack.transport import EVENTS_PATH
from knowledge.store import KnowledgeStore
from shopguide_testkit.fake_slack_api import TEAM_ID, FakeSlackApi

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SUPPORT_CHANNEL = "CSUPPORT"
ADMIN = "UADMIN"


def sign(body: str, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    """Slack's v0 signature: HMAC-SHA256 of ``v0:<timestamp>:<raw body>`` with the signing secret."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Delivery:
    status: int
    ack_ms: float
    body: str


@dataclass
class SlackHarness:
    api: FakeSlackApi
    bot: SlackBot
    assistant: Assistant
    handoff: HandoffService
    http: aiohttp.ClientSession
    settings: Settings
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.bot.http_port}{EVENTS_PATH}"

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str = SIGNING_SECRET,
        retry_num: int | None = None,
        signature: str | None = None,
    ) -> Delivery:
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature or sign(body, ts, secret),
        }
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        started = time.perf_counter()
        async with self.http.post(self.url, data=body.encode(), headers=headers) as response:
            text = await response.text()
        return Delivery(response.status, (time.perf_counter() - started) * 1000, text)

    def event_body(self, event: dict[str, Any], event_id: str | None = None) -> tuple[str, str]:
        event_id = event_id or f"Ev{next(self._ids):08d}"
        payload = {
            "token": "legacy",
            "team_id": TEAM_ID,
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
        }
        return json.dumps(payload), event_id

    async def send_event(self, event: dict[str, Any], *, event_id: str | None = None, **kw: Any) -> Delivery:
        body, _ = self.event_body(event, event_id)
        return await self.post(body, "application/json", **kw)

    async def mention(self, text: str, *, user: str = "U1", channel: str = "CGENERAL", ts: str, **kw: Any) -> Delivery:
        event = {"type": "app_mention", "user": user, "text": f"<@UBOT> {text}", "ts": ts, "channel": channel}
        event.update({k: v for k, v in kw.items() if k == "thread_ts"})
        rest = {k: v for k, v in kw.items() if k != "thread_ts"}
        return await self.send_event(event, **rest)

    async def dm(
        self, text: str, *, user: str = "U1", channel: str = "D1", ts: str, thread_ts: str | None = None
    ) -> Delivery:
        event: dict[str, Any] = {
            "type": "message",
            "channel_type": "im",
            "user": user,
            "text": text,
            "ts": ts,
            "channel": channel,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return await self.send_event(event)

    async def channel_message(self, text: str, *, user: str, channel: str, ts: str, thread_ts: str) -> Delivery:
        event = {
            "type": "message",
            "channel_type": "channel",
            "user": user,
            "text": text,
            "ts": ts,
            "channel": channel,
            "thread_ts": thread_ts,
        }
        return await self.send_event(event)

    async def slash(self, text: str, *, user: str = "U1", channel: str = "CGENERAL", rid: str = "r1") -> Delivery:
        form = {
            "token": "legacy",
            "team_id": TEAM_ID,
            "channel_id": channel,
            "user_id": user,
            "command": "/shopguide",
            "text": text,
            "response_url": self.api.response_url(rid),
            "trigger_id": "t1",
            "api_app_id": "A0001",
        }
        return await self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded")

    async def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str = "U1",
        channel: str = "CGENERAL",
        message_ts: str,
        thread_ts: str | None = None,
    ) -> Delivery:
        message: dict[str, Any] = {"ts": message_ts, "type": "message", "text": ""}
        if thread_ts:
            message["thread_ts"] = thread_ts
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM_ID},
            "user": {"id": user},
            "api_app_id": "A0001",
            "token": "legacy",
            "channel": {"id": channel},
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
            "message": message,
            "trigger_id": "t2",
            "response_url": self.api.response_url("action"),
            "actions": [
                {"type": "button", "action_id": action_id, "block_id": "b", "value": value, "action_ts": "1.0"}
            ],
        }
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def aclose(self) -> None:
        await self.http.close()
        await self.bot.aclose()
        await self.api.stop()
        self.assistant.memory.close()
        self.handoff.tickets.close()


async def start_harness(
    tmp_path: Path,
    store: KnowledgeStore,
    *,
    generator: Generator,
    native_streaming: bool = False,
    streaming: str = "auto",
    update_interval_s: float = 0.05,
    kb: KbOperations | None = None,
    usergroups: dict[str, list[str]] | None = None,
    seen: SeenEvents | None = None,
    socket_mode: bool = False,
    **settings_kw: Any,
) -> SlackHarness:
    api = FakeSlackApi(native_streaming=native_streaming, usergroups=usergroups)
    await api.start()
    settings_kw.setdefault("slack_signing_secret", SIGNING_SECRET)
    settings = Settings(
        data_dir=tmp_path,
        slack_bot_token="xoxb-test-token",
        slack_support_channel=SUPPORT_CHANNEL,
        slack_api_url=api.base_url,
        slack_streaming=streaming,
        slack_update_interval_s=update_interval_s,
        admin_ids=[f"slack:{ADMIN}"],
        **settings_kw,
    )
    # The wiring `shopguide serve slack` uses, with the test's generator, store and kb operations.
    service = build_slack_service(settings, generator=generator, knowledge=store, kb=lambda _s, _a: kb, seen=seen)
    harness = SlackHarness(api, service.bot, service.assistant, service.handoff, aiohttp.ClientSession(), settings)
    try:
        if socket_mode:
            await service.bot.start_socket_mode("xapp-test-token")
        else:
            await service.bot.start_http("127.0.0.1", 0)
    except BaseException:
        await harness.aclose()
        raise
    return harness
