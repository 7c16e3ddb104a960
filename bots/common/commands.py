"""The shopper commands every chat surface understands: ``/start /help /reset /lang /profile /forget``,
parsed once.

Like errbot's one command parser for every backend: an adapter routes a command here (Telegram through
PTB's ``CommandHandler``, the terminal by its typed line) and sends back the text this returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from assistant.types import IncomingMessage, Language

from .texts import phrase

CHAT_COMMANDS = ("start", "help", "reset", "lang", "profile", "forget")
# An unknown command is echoed back at most this long (Telegram's BotCommand limit: 1-32 characters).
MAX_COMMAND_ECHO = 32


class ConversationCommands(Protocol):
    """What the commands ask of the core (``assistant.app.Assistant`` implements it)."""

    def greeting(self, language: Language) -> str: ...

    def help_text(self, language: Language) -> str: ...

    def reset(self, message: IncomingMessage) -> str: ...

    def set_language(self, message: IncomingMessage, language: Language) -> str: ...

    def language_of(self, message: IncomingMessage) -> Language: ...

    def profile(self, message: IncomingMessage) -> str: ...

    def forget(self, message: IncomingMessage) -> tuple[str, object]: ...


@dataclass(frozen=True)
class ChatCommand:
    """``/lang@shopbot zh`` as ``ChatCommand("lang", ["zh"])``; ``known`` is False for a command we lack."""

    name: str
    args: list[str] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return self.name in CHAT_COMMANDS


def parse_chat_command(line: str) -> ChatCommand | None:
    """The command a line starts with, or None when the line is not a command (a question)."""
    words = line.strip().split()
    if not words or not words[0].startswith("/") or len(words[0]) < 2:
        return None
    head = words[0][1:].split("@")[0].lower()
    # Only the command's own characters are kept (Bot API commands are [a-z0-9_]): it may be echoed back.
    name = "".join(c for c in head if c.isalnum() or c == "_")
    return ChatCommand(name, words[1:])


def chat_command_reply(core: ConversationCommands, message: IncomingMessage, command: ChatCommand) -> str:
    """Run the command for this conversation and return what the bot says."""
    language = core.language_of(message)
    if command.name == "start":
        return core.greeting(language)
    if command.name == "help":
        return core.help_text(language)
    if command.name == "reset":
        return core.reset(message)
    if command.name == "profile":
        return core.profile(message)
    if command.name == "forget":
        return core.forget(message)[0]
    if command.name == "lang":
        choice = (command.args or [""])[0].lower()
        if choice in ("zh", "en"):
            return core.set_language(message, "zh" if choice == "zh" else "en")
        return phrase("lang_usage", language)
    return phrase("unknown_command", language, command=command.name[:MAX_COMMAND_ECHO])
