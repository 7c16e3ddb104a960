"""What Slack (or anyone reaching the endpoint) can send that the happy-path tests never do.

Staff replies with a subtype, interactions nothing handles, unsigned and malformed bodies, a Resolve click
on a ticket that does not exist, a Slack shopper asking for a human, and real request bodies from
slack-bolt's own tests (``payloads/bolt_python.json``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from bots.slack.app import EDIT_NOT_RELAYED, FILES_NOT_RELAYED
from bots.slack.blocks import ACTION_RESOLVE
from shopguide_testkit.fake_slack_api import FakeMessage
from shopguide_testkit.slack_harness import SIGNING_SECRET, SUPPORT_CHANNEL, SlackHarness, sign

pytestmark = pytest.mark.integration  # the bolt app's HTTP server and a loopback fake Slack Web API

PAYLOADS = Path(__file__).parent / "payloads" / "bolt_python.json"
SHOPPER = "USHOPPER"
STAFF = "USTAFF"
DM = "DSHOPPER"


async def _open_ticket(slack: SlackHarness, ts: str = "1700100000.000100") -> tuple[str, FakeMessage]:
    """A Slack shopper asks for a human in a DM: returns their DM thread and the ticket's root message."""
    await slack.dm("I want to talk to a human", user=SHOPPER, channel=DM, ts=ts)
    await slack.api.wait_for(lambda: len(slack.api.channel_roots(SUPPORT_CHANNEL)) == 1, timeout=30)
    [root] = slack.api.channel_roots(SUPPORT_CHANNEL)
    return ts, root


def _staff_event(root: FakeMessage, ts: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "channel",
        "user": STAFF,
        "ts": ts,
        "channel": SUPPORT_CHANNEL,
        "thread_ts": root.ts,
        **fields,
    }


def _notices(slack: SlackHarness, root: FakeMessage) -> int:
    """How often staff were told in the ticket thread that a file did not reach the shopper."""
    return sum(FILES_NOT_RELAYED in m.text for m in slack.api.thread(SUPPORT_CHANNEL, root.ts))


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_a_slack_shopper_asking_for_a_human_gets_a_ticket(slack: SlackHarness) -> None:
    # The harness builds the Slack process with build_slack_service, exactly as `serve slack` does.
    dm_thread, root = await _open_ticket(slack)
    assert "Handoff from Slack" in root.text and "I want to talk to a human" in root.text
    await slack.api.wait_for(lambda: len(slack.api.thread(DM, dm_thread)) == 1)
    [told] = slack.api.thread(DM, dm_thread)
    assert "colleague" in told.text and "no colleague is available" not in told.text


async def test_staff_replies_with_a_subtype_reach_the_shopper(slack: SlackHarness) -> None:
    dm_thread, root = await _open_ticket(slack)
    await slack.api.wait_for(lambda: len(slack.api.thread(DM, dm_thread)) == 1)

    # "Also send to channel": a thread_broadcast is still a reply in the ticket thread.
    broadcast = _staff_event(root, "1700100001.000100", subtype="thread_broadcast", text="Your parcel ships today.")
    assert (await slack.send_event(broadcast)).status == 200
    await slack.api.wait_for(lambda: slack.api.thread(DM, dm_thread)[-1].text == "Your parcel ships today.")

    # An upload with a comment: the comment is relayed, staff are told the file was not.
    upload = _staff_event(
        root,
        "1700100002.000100",
        subtype="file_share",
        text="Here is the size chart.",
        files=[{"id": "F1", "name": "sizes.png", "mimetype": "image/png"}],
    )
    assert (await slack.send_event(upload)).status == 200
    await slack.api.wait_for(lambda: slack.api.thread(DM, dm_thread)[-1].text == "Here is the size chart.")
    await slack.api.wait_for(lambda: _notices(slack, root) == 1)

    # A file with no comment: nothing reaches the shopper, and staff know it.
    bare = _staff_event(root, "1700100003.000100", subtype="file_share", text="", files=[{"id": "F2"}])
    assert (await slack.send_event(bare)).status == 200
    await slack.api.wait_for(lambda: _notices(slack, root) == 2)
    relayed = [m.text for m in slack.api.thread(DM, dm_thread)][1:]
    assert relayed == ["Your parcel ships today.", "Here is the size chart."]

    # An edit cannot be relayed (the shopper keeps the original): staff are told, nothing is sent twice.
    edited = {"type": "message", "user": STAFF, "text": "Your parcel ships tomorrow.", "ts": "1700100001.000100",
              "thread_ts": root.ts, "edited": {"user": STAFF, "ts": "1700100005.000000"}}  # fmt: skip
    edit = _staff_event(root, "1700100005.000100", subtype="message_changed", message=edited)
    del edit["user"], edit["thread_ts"]  # Slack puts both on the inner message of a message_changed event
    assert (await slack.send_event(edit)).status == 200
    await slack.api.wait_for(
        lambda: any(EDIT_NOT_RELAYED in m.text for m in slack.api.thread(SUPPORT_CHANNEL, root.ts))
    )
    assert len(slack.api.thread(DM, dm_thread)) == 3


async def test_a_failed_relay_is_reported_in_the_ticket_thread(slack: SlackHarness) -> None:
    dm_thread, root = await _open_ticket(slack)
    await slack.api.wait_for(lambda: len(slack.api.thread(DM, dm_thread)) == 1)
    # Slack refuses the relay on the first try and both retries; the notice after it goes through.
    slack.api.rate_limit("chat.postMessage", times=3, retry_after=0)
    event = _staff_event(root, "1700100011.000100", text="We are on it.")
    assert (await slack.send_event(event)).status == 200
    await slack.api.wait_for(
        lambda: any("did not get it" in m.text for m in slack.api.thread(SUPPORT_CHANNEL, root.ts)), timeout=30
    )
    assert all(m.text != "We are on it." for m in slack.api.thread(DM, dm_thread))


async def test_unhandled_interactions_and_events_are_acked(slack: SlackHarness) -> None:
    unknown_button = await slack.click("some_old_button", "x", message_ts="1700100020.000100")
    started = await slack.send_event(
        {
            "type": "assistant_thread_started",
            "assistant_thread": {"user_id": "U1", "channel_id": "D1", "thread_ts": "1700100021.000100"},
            "event_ts": "1700100021.000200",
        }
    )
    assert (unknown_button.status, started.status) == (200, 200)


async def test_unsigned_or_malformed_bodies_get_4xx_without_a_traceback(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    now = int(time.time())
    unsigned = await slack.post("{not json", "application/json", signature="v0=deadbeef")
    no_headers_status = await _post_raw(slack, b"\xff\xfe garbage")
    bad_json = await slack.post("{not json", "application/json")
    not_an_object = await slack.post("[1, 2, 3]", "application/json")
    bad_payload = await slack.post("payload=%7Bnope", "application/x-www-form-urlencoded")
    not_utf8 = await _post_raw(slack, b"\xff\xfe{}", signed_at=now)
    assert (unsigned.status, no_headers_status) == (401, 401)
    assert [bad_json.status, not_an_object.status, bad_payload.status, not_utf8] == [400, 400, 400, 400]
    assert _errors(caplog) == []


async def _post_raw(slack: SlackHarness, body: bytes, *, signed_at: int | None = None) -> int:
    headers = {"Content-Type": "application/json"}
    if signed_at is not None:
        # Signed over the exact bytes, as Slack does.
        base = f"v0:{signed_at}:".encode() + body
        digest = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
        headers |= {"X-Slack-Request-Timestamp": str(signed_at), "X-Slack-Signature": f"v0={digest}"}
    async with slack.http.post(slack.url, data=body, headers=headers) as response:
        return response.status


async def test_resolve_click_on_an_unknown_ticket_tells_the_clicker(slack: SlackHarness) -> None:
    delivery = await slack.click(ACTION_RESOLVE, "nosuchticket", user=STAFF, message_ts="1700100030.000100")
    assert delivery.status == 200
    await slack.api.wait_for(lambda: any(r["rid"] == "action" for r in slack.api.responses))
    [told] = [r for r in slack.api.responses if r["rid"] == "action"]
    assert "nosuchticket" in told["text"] and told["response_type"] == "ephemeral"


async def test_resolve_click_tells_the_clicker_and_a_second_click_says_already_resolved(slack: SlackHarness) -> None:
    dm_thread, root = await _open_ticket(slack)
    await slack.api.wait_for(lambda: len(slack.api.thread(DM, dm_thread)) == 1)  # the opening turn is done
    ticket_id = re.search(r"ticket (\w+)\)", root.text).group(1)  # type: ignore[union-attr]
    for _ in range(2):
        await slack.click(ACTION_RESOLVE, ticket_id, user=STAFF, channel=SUPPORT_CHANNEL, message_ts=root.ts)
    await slack.api.wait_for(lambda: sum(r["rid"] == "action" for r in slack.api.responses) == 2)
    texts = [r["text"] for r in slack.api.responses if r["rid"] == "action"]
    assert sorted(texts) == ["Resolved: the shopper is back with the bot.", f"Ticket {ticket_id} is already resolved."]
    notices = [m.text for m in slack.api.thread(SUPPORT_CHANNEL, root.ts) if "Resolved by" in m.text]
    assert len(notices) == 1


def _bolt_payloads() -> list[dict[str, Any]]:
    return list(json.loads(PAYLOADS.read_text(encoding="utf-8"))["payloads"])


async def test_real_request_bodies_from_slack_bolt_tests(slack: SlackHarness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    statuses: dict[str, int] = {}
    for payload in _bolt_payloads():
        body = payload["body"]
        if payload["kind"] == "command":
            delivery = await slack.post(str(body), "application/x-www-form-urlencoded")
        elif payload["kind"] == "interactive":
            form = urllib.parse.urlencode({"payload": json.dumps(body)})
            delivery = await slack.post(form, "application/x-www-form-urlencoded")
        else:
            delivery = await slack.post(json.dumps(body), "application/json")
        statuses[payload["name"]] = delivery.status
        if body == "url_verification" or (isinstance(body, dict) and body.get("type") == "url_verification"):
            assert body["challenge"] in delivery.body
    assert {name: s for name, s in statuses.items() if s != 200} == {}
    assert len(statuses) >= 30
    # Still answering afterwards, and nothing on the way was an error.
    await slack.mention("SG-RUN-0001 price?", ts="1700100040.000100", channel="CAFTER")
    await slack.api.wait_for(lambda: len(slack.api.thread("CAFTER", "1700100040.000100")) >= 1, timeout=30)
    assert _errors(caplog) == []


def test_signature_helper_matches_slacks_documented_example() -> None:
    # Slack's "Verifying requests" guide: this secret, timestamp and body sign to this value.
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert sign(body, 1531420618, "8f742231b10e8888abcd99yyyzzz85a5") == expected
