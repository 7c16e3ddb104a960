"""The Slack app: wires slack-bolt's ``AsyncApp`` to the core, the staff tools and the handoff desk.

Bolt acks every event, command and action first (``process_before_response=False``) and runs our
listener afterwards, so the model never delays the 3-second ack.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Awaitable
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from assistant.app import Assistant
from assistant.config import Settings
from assistant.errors import ShopguideError
from assistant.handoff import HandoffService
from assistant.staff import CopyWriter, ReviewSummariser
from assistant.state.backends import open_audit_trail, open_delivery_claims, open_turn_order, shared_texts
from assistant.state.claims import DeliveryClaims
from assistant.types import IncomingMessage
from bots.common.leases import CURRENT_DELIVERY, posting_recorder
from bots.common.texts import phrase

from .blocks import (
    ACTION_CHOICE,
    ACTION_COMPARE,
    ACTION_DETAILS,
    ACTION_RESOLVE,
    render_reply,
    text_message,
)
from .channels import SlackShopperChannel
from .client import make_client
from .commands import HELP_TEXT, Command, KbOperations, StaffCommands, parse_command
from .dedupe import EventDedupeMiddleware
from .desk import SlackStaffDesk, desk_ref, staff_edit_in_a_thread
from .digest import digest_schedule
from .ingress import WorkDispatcher
from .markup import strip_mentions
from .personal import PERSONAL_COMMANDS, personal_reply
from .replicas import POSTED_TTL_S, ThreadReplicas, error_code, thread_key
from .sinks import ResponseUrlSink, Sink, ThreadSink, safe_post
from .streamer import ChannelPacer, SlackReplyStreamer, StreamTarget
from .transport import SlackTransport

log = logging.getLogger("shopguide.slack")

ADMIN_GROUP_CACHE_S = 300.0
# Message subtypes that are still a person writing: staff "also send to channel" replies and uploads
# with a comment are relayed (their text); edits, deletions, joins and bot posts are not.
WRITTEN_SUBTYPES = frozenset({"thread_broadcast", "file_share"})
FILES_NOT_RELAYED = "The shopper gets text only: the attached file was not sent to them."
RELAY_FAILED = "Could not deliver that to the shopper ({error}); they did not get it. Try again in a moment."
EDIT_NOT_RELAYED = "Edits do not reach the shopper: they still see the original. Write a new reply to correct it."
RESOLVED_TEXT = "Resolved: the shopper is back with the bot."
UNKNOWN_COMMAND_TEXT = "shopguide only handles /shopguide; try `/shopguide help`."


class SlackBot:
    """Holds the bolt app and everything its listeners need."""

    def __init__(
        self,
        settings: Settings,
        assistant: Assistant,
        *,
        client: AsyncWebClient,
        handoff: HandoffService | None = None,
        kb: KbOperations | None = None,
        seen: DeliveryClaims | None = None,
        pacer: ChannelPacer | None = None,
    ) -> None:
        self.settings = settings
        self.assistant = assistant
        self.client = client
        self.handoff = handoff
        self.seen = seen or open_delivery_claims(settings, settings.slack_db)
        self.dedupe = EventDedupeMiddleware(self.seen)
        # Thread turn order across replicas (place taken before bolt acks) and each turn's posts (``replicas``).
        self.turn_order = open_turn_order(settings)
        self.ingress_order = open_turn_order(settings)
        posted = shared_texts(settings, "slack-posted", POSTED_TTL_S)
        self.replicas = ThreadReplicas(client, self.turn_order, self.ingress_order, posted)
        self.dedupe.on_take_over = self.replicas.remove_dead_turns_messages
        self.dedupe.on_leased = self.replicas.reserve_place
        self.dedupe.on_finished = self.replicas.give_back_place
        self.pacer = pacer or ChannelPacer(settings.slack_update_interval_s)
        self.streamer = SlackReplyStreamer(client, self.pacer, settings.slack_streaming)
        self.commands = StaffCommands(
            CopyWriter(
                assistant.catalog,
                assistant.generator,
                timeout_s=settings.llm_timeout_s,
            ),
            ReviewSummariser(assistant.catalog),
            open_audit_trail(settings),
            kb,
        )
        self._admin_group: tuple[float, frozenset[str]] = (0.0, frozenset())
        self._resolving: asyncio.Lock | None = None
        self.work = WorkDispatcher(settings.slack_max_turns)
        secret = settings.slack_signing_secret.get_secret_value()
        self.app = AsyncApp(
            client=client,
            signing_secret=secret,
            process_before_response=False,
            request_verification_enabled=bool(secret),
            name="shopguide",
        )
        self.app.use(self.dedupe)
        self.transport = SlackTransport(self.app, secret, self.work)
        self.digest = digest_schedule(settings, client, assistant.personaliser.store, self.seen)
        if handoff is not None:
            if settings.slack_support_channel:
                handoff.set_desk(SlackStaffDesk(client, settings.slack_support_channel))
            if "slack" not in handoff.channels:
                handoff.register_channel(SlackShopperChannel(client))
        self.app.event("app_mention")(self._on_mention)
        self.app.event("message")(self._on_message)
        self.app.command("/shopguide")(self._on_command)
        self.app.action(ACTION_DETAILS)(self._on_details)
        self.app.action(ACTION_COMPARE)(self._on_compare)
        self.app.action(re.compile(f"^{ACTION_CHOICE}_\\d+$"))(self._on_choice)
        self.app.action(ACTION_RESOLVE)(self._on_resolve_button)
        # Last, so they only see what nothing above handled: bolt answers an unhandled request 404, which
        # Slack shows the clicking user as an error and retries (assistant_thread_started, old buttons).
        anything = re.compile(".*")
        self.app.event(anything)(self._ignore_event)
        self.app.action(anything)(self._ack_only)
        self.app.shortcut(anything)(self._ack_only)
        self.app.view(anything)(self._ack_only)
        self.app.view_closed(anything)(self._ack_only)
        self.app.options(anything)(self._no_options)
        self.app.command(anything)(self._unknown_command)

    # ---- admin --------------------------------------------------------------------------------
    async def is_admin(self, user_id: str) -> bool:
        if f"slack:{user_id}" in self.settings.admin_ids:
            return True
        group = self.settings.slack_admin_group
        if not group:
            return False
        fetched_at, members = self._admin_group
        if time.monotonic() - fetched_at > ADMIN_GROUP_CACHE_S:
            try:
                response = await self.client.usergroups_users_list(usergroup=group)
                members = frozenset(response.get("users") or [])
                self._admin_group = (time.monotonic(), members)
            except SlackApiError as exc:
                log.warning("slack admin_group_lookup_failed error=%s", error_code(exc))
        return user_id in members

    # ---- listeners (run after bolt has acked) -------------------------------------------------
    # Listeners run on the ingress loop after bolt's ack (events) or ours (commands, actions); each
    # hands its turn to the work loop at once so the next request is acked without waiting.
    async def _on_mention(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        self.work.spawn(self.dedupe.then_delivered(body, self._mention_turn(event, body)))

    async def _on_message(self, event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
        subtype = event.get("subtype")
        if subtype == "message_changed" and staff_edit_in_a_thread(event, self.settings.slack_support_channel):
            edit = self._edit_turn(str(event.get("channel", "")), str(event["message"]["thread_ts"]))
            self.work.spawn(self.dedupe.then_delivered(body, edit))
            return
        bot_user, im = context.get("bot_user_id"), event.get("channel_type") == "im"
        mention = bot_user and f"<@{bot_user}" in str(event.get("text", "")) and not im
        in_ticket_thread = bool(event.get("thread_ts")) and event.get("channel") == self.settings.slack_support_channel
        # Not questions: edits, joins, bot posts (our own too), a channel mention (app_mention carries it), chatter.
        if not (event.get("bot_id") or (subtype and subtype not in WRITTEN_SUBTYPES) or mention) and (
            im or in_ticket_thread
        ):
            self.work.spawn(self.dedupe.then_delivered(body, self._message_turn(event, body)))
        else:
            await self.dedupe.delivered(body)

    async def _on_command(self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        self.work.spawn(self._command_turn(command, respond))

    async def _on_details(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        self.work.spawn(self._action_turn(body, ACTION_DETAILS, value=str(action.get("value", ""))))

    async def _on_compare(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        self.work.spawn(self._action_turn(body, ACTION_COMPARE, value=str(action.get("value", ""))))

    async def _on_choice(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        self.work.spawn(self._action_turn(body, ACTION_CHOICE, value=str(action.get("value", ""))))

    async def _on_resolve_button(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        user = str((body.get("user") or {}).get("id", ""))
        self.work.spawn(self._resolve_turn(str(action.get("value", "")), user, respond))

    async def _ignore_event(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        """Events we subscribe to but do not act on: bolt has acked them already."""
        log.debug("slack event ignored type=%s", event.get("type"))
        await self.dedupe.delivered(body)

    async def _ack_only(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        log.info("slack interaction ignored type=%s", body.get("type"))

    async def _no_options(self, ack: AsyncAck) -> None:
        await ack(options=[])

    async def _unknown_command(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        await ack(text=UNKNOWN_COMMAND_TEXT)
        log.info("slack command ignored command=%s", command.get("command"))

    # ---- turns (on the work loop) -------------------------------------------------------------
    async def _mention_turn(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        channel = str(event.get("channel", ""))
        user = str(event.get("user", ""))
        thread_ts = event.get("thread_ts")
        text = strip_mentions(str(event.get("text", "")))
        if thread_ts and await self._in_ticket_thread(channel, str(thread_ts), user, text):
            return
        await self._handle_text(
            text, channel, str(thread_ts or event["ts"]), user, team=_team(event, body), message_ts=str(event["ts"])
        )

    async def _message_turn(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        channel = str(event.get("channel", ""))
        user = str(event.get("user", ""))
        raw = str(event.get("text") or "")
        thread_ts = event.get("thread_ts")
        if event.get("channel_type") == "im":
            text = strip_mentions(raw)
            await self._handle_text(
                text, channel, str(thread_ts or event["ts"]), user, team=_team(event, body), message_ts=str(event["ts"])
            )
        elif thread_ts:
            files = len(event.get("files") or [])
            await self._in_ticket_thread(channel, str(thread_ts), user, strip_mentions(raw), files=files)

    async def _edit_turn(self, channel: str, thread_ts: str) -> None:
        if self.handoff is not None and self.handoff.ticket_for_desk_ref(desk_ref(channel, thread_ts)) is not None:
            await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=f"_{EDIT_NOT_RELAYED}_")

    async def _command_turn(self, command: dict[str, Any], respond: AsyncRespond) -> None:
        user = str(command.get("user_id", ""))
        channel = str(command.get("channel_id", ""))
        text = str(command.get("text", ""))
        parsed = parse_command(text) or Command("ask", text.split(), text.strip())
        log.info("slack command command=%s user=%s", parsed.name, user)
        if parsed.name == "ask":
            await self._guard(self._slash_ask(parsed.rest, channel, user, respond), ResponseUrlSink(respond, False))
            return
        if parsed.name == "kb":
            sink: Sink = await self._kb_thread(channel, user, parsed, respond)
        else:
            sink = ResponseUrlSink(respond, in_channel=parsed.name in ("copy", "reviews", "digest"))
        await self._guard(self._run_command(parsed, sink, user, channel, None), ResponseUrlSink(respond, False))

    async def _resolve_turn(self, ticket_id: str, user: str, respond: AsyncRespond) -> None:
        """A Resolve click: the clicker is always told what happened (only they see it)."""
        try:
            text = await self._resolve(ticket_id, user)
        except Exception as exc:
            log.exception("slack resolve_failed ticket=%s error=%s", ticket_id, type(exc).__name__)
            text = phrase("error", "en")
        try:
            await respond(text=text, response_type="ephemeral", replace_original=False)
        except Exception as exc:  # the response_url expired (30 minutes): nothing else to tell them through
            log.warning("slack resolve_feedback_failed ticket=%s error=%s", ticket_id, type(exc).__name__)

    async def _handle_text(
        self, text: str, channel: str, thread_ts: str, user: str, *, team: str | None, message_ts: str
    ) -> None:
        command = parse_command(text) if text else Command("help")
        sink = ThreadSink(self.client, channel, thread_ts)
        if command is None or command.name == "ask":
            question = text if command is None else command.rest
            await self._guard(self.answer(question, channel, thread_ts, user, team=team, message_ts=message_ts), sink)
        else:
            await self._guard(self._run_command(command, sink, user, channel, thread_ts), sink)

    async def answer(
        self,
        text: str,
        channel: str,
        thread_ts: str,
        user: str,
        *,
        team: str | None = None,
        message_ts: str | None = None,
    ) -> None:
        """One core turn streamed into the thread (the thread is the conversation)."""
        message = IncomingMessage(
            platform="slack",
            chat_id=channel,
            user_id=user,
            text=text,
            thread_id=thread_ts,
            message_id=message_ts,
            is_admin=await self.is_admin(user),
        )
        started = time.perf_counter()
        recorder = posting_recorder(self.replicas.posted, delivery_id := CURRENT_DELIVERY.get())
        target = StreamTarget(channel, thread_ts, user, team, on_posted=recorder)
        async with self.turn_order.turn(thread_key(channel, thread_ts), delivery_id):
            outcome = await self.streamer.deliver(self.assistant.respond(message), target)
        log.info(
            "slack answered channel=%s mode=%s writes=%d handoff=%s ms=%.0f",
            channel,
            outcome.mode,
            outcome.writes,
            bool(outcome.reply and outcome.reply.handoff),
            (time.perf_counter() - started) * 1000,
        )

    async def _slash_ask(self, question: str, channel: str, user: str, respond: AsyncRespond) -> None:
        if not question:
            await respond(text=HELP_TEXT, response_type="ephemeral")
            return
        message = IncomingMessage(
            platform="slack", chat_id=channel, user_id=user, text=question, is_admin=await self.is_admin(user)
        )
        reply = await self.assistant.ask(message)
        await ResponseUrlSink(respond, in_channel=False).post(render_reply(reply))

    async def _run_command(self, command: Command, sink: Sink, user: str, channel: str, thread_ts: str | None) -> None:
        if command.name == "help":
            await sink.post(text_message(HELP_TEXT))
        elif command.name == "copy":
            await sink.post(text_message(await self.commands.copy(command.args)))
        elif command.name == "reviews":
            await sink.post(text_message(self.commands.reviews(command.args)))
        elif command.name == "resolve":
            ticket_id = command.args[0] if command.args else None
            if ticket_id is None and thread_ts and self.handoff is not None:
                ticket = self.handoff.ticket_for_desk_ref(desk_ref(channel, thread_ts))
                ticket_id = ticket.ticket_id if ticket else None
            if ticket_id is None:
                await sink.post(text_message("Use `resolve` inside a handoff thread, or `resolve <ticket id>`."))
                return
            # The ticket thread is told too, so everyone reading it sees the conversation went back to the bot.
            await sink.post(text_message(await self._resolve(ticket_id, user)))
        elif command.name in PERSONAL_COMMANDS:
            admin = command.name == "digest" and await self.is_admin(user)
            await sink.post(personal_reply(self.assistant, command.name, user, channel, thread_ts, admin=admin))
        elif command.name == "kb":

            async def progress(line: str) -> None:
                await sink.post(text_message(line))

            allowed = await self.is_admin(user)
            await sink.post(text_message(await self.commands.run_kb(command.args, f"slack:{user}", allowed, progress)))

    async def _kb_thread(self, channel: str, user: str, command: Command, respond: AsyncRespond) -> Sink:
        """Slash kb commands get a visible root message so reload progress lands in its thread."""
        action = command.args[0].lower() if command.args else "status"
        if action not in ("reload", "rollback") or not await self.is_admin(user):
            return ResponseUrlSink(respond, in_channel=False)
        try:
            root = await self.client.chat_postMessage(channel=channel, text=f"<@{user}> started `kb {action}`")
        except SlackApiError as exc:
            log.info("slack kb_thread_unavailable channel=%s error=%s", channel, error_code(exc))
            return ResponseUrlSink(respond, in_channel=False)
        return ThreadSink(self.client, channel, str(root["ts"]))

    async def _action_turn(self, body: dict[str, Any], action_id: str, value: str) -> None:
        user = str((body.get("user") or {}).get("id", ""))
        channel = str((body.get("channel") or {}).get("id", "") or (body.get("container") or {}).get("channel_id", ""))
        message = body.get("message") or {}
        thread_ts = str(
            message.get("thread_ts") or message.get("ts") or (body.get("container") or {}).get("message_ts")
        )
        probe = IncomingMessage(platform="slack", chat_id=channel, user_id=user, text="", thread_id=thread_ts)
        language = self.assistant.language_of(probe)
        if action_id == ACTION_DETAILS:
            text = phrase("tell_me_more_query", language, value=value)
        elif action_id == ACTION_COMPARE:
            skus = [*value.split(), "", ""][:2]
            text = phrase("compare_button_query", language, a=skus[0], b=skus[1])
        else:
            text = value
        team = str((body.get("team") or {}).get("id", "")) or None
        await self._guard(
            self.answer(text, channel, thread_ts, user, team=team), ThreadSink(self.client, channel, thread_ts)
        )

    async def _in_ticket_thread(self, channel: str, thread_ts: str, user: str, text: str, *, files: int = 0) -> bool:
        """Staff writing in a handoff thread: relay to the shopper, or resolve. False if not a ticket."""
        if self.handoff is None or channel != self.settings.slack_support_channel:
            return False
        ticket = self.handoff.ticket_for_desk_ref(desk_ref(channel, thread_ts))
        if ticket is None:
            return False
        command = parse_command(text)
        if command is not None and command.name == "resolve":
            await self._resolve(ticket.ticket_id, user)
            return True
        notices: list[str] = []
        if text:
            try:
                delivered = await self.handoff.relay_from_staff(ticket.ticket_id, text)
            except Exception as exc:  # the shopper's platform refused or could not be reached
                log.warning("slack relay_failed ticket=%s error=%s", ticket.ticket_id, type(exc).__name__)
                notices.append(RELAY_FAILED.format(error=type(exc).__name__))
            else:
                if not delivered and ticket.status == "resolved":
                    notices.append("This ticket is resolved; the shopper did not get that.")
        if files:
            notices.append(FILES_NOT_RELAYED)
        for notice in notices:
            await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=f"_{notice}_")
        return True

    async def _resolve(self, ticket_id: str, user: str, *, notify: bool = True) -> str:
        if self.handoff is None:
            return "Handoff is not enabled."
        if self._resolving is None:
            self._resolving = asyncio.Lock()  # created on the loop that runs turns
        # One resolve at a time: a double click must not resolve (and notify everyone) twice.
        async with self._resolving:
            try:
                if self.handoff.ticket(ticket_id).status == "resolved":
                    return f"Ticket {ticket_id} is already resolved."
                ticket = await self.handoff.resolve(ticket_id, by=f"slack:{user}")
            except ShopguideError as exc:
                return exc.message
        # Plain text: staff-tool replies are escaped for Slack, so a <@mention> would show literally.
        text = RESOLVED_TEXT
        if notify and ticket.desk_ref and self.handoff.desk is not None:
            await self.handoff.desk.post_notice(ticket, f"Resolved by {user}: the shopper is back with the bot.")
        return text

    async def _guard(self, work: Awaitable[None], sink: Sink) -> None:
        """Never leave a user without an answer: errors become a short apology, logged with a request id."""
        request_id = uuid.uuid4().hex[:12]
        try:
            await work
        except ShopguideError as exc:
            log.info("slack command_error request_id=%s code=%s", request_id, exc.code)
            await safe_post(sink, f"{exc.message}" + (f" ({exc.hint})" if exc.hint else ""))
        except Exception as exc:
            log.exception("slack turn_failed request_id=%s error=%s", request_id, type(exc).__name__)
            await safe_post(sink, phrase("error", "en"))

    # ---- running ------------------------------------------------------------------------------
    @property
    def http_port(self) -> int:
        return self.transport.http_port

    def web_app(self) -> web.Application:
        return self.transport.web_app()

    async def start_http(self, host: str, port: int) -> None:
        """Serve on ``host:port`` from the ingress thread (port 0 picks a free one, see ``http_port``)."""
        await self.transport.start_http(host, port)
        self._start_jobs()

    async def start_socket_mode(self, app_token: str) -> None:
        await self.transport.start_socket_mode(app_token)
        self._start_jobs()

    def _start_jobs(self) -> None:
        """Scheduled work (weekly digest, taking over dead replicas' events) on the loop that runs turns."""
        if self.digest is not None:
            self.digest.start()
        self.dedupe.start_take_over(self.transport.redispatch)

    async def aclose(self) -> None:
        if self.digest is not None:
            await self.digest.stop()
        await self.dedupe.stop()
        await self.transport.aclose()
        await self.replicas.aclose()
        self.seen.close()


def _team(event: dict[str, Any], body: dict[str, Any]) -> str | None:
    team = event.get("team") or body.get("team_id")
    return str(team) if team else None


def build_slack_bot(
    settings: Settings,
    assistant: Assistant,
    *,
    handoff: HandoffService | None = None,
    client: AsyncWebClient | None = None,
    kb: KbOperations | None = None,
) -> SlackBot:
    return SlackBot(settings, assistant, client=client or make_client(settings), handoff=handoff, kb=kb)
