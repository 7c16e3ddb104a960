"""``shopguide demo``: a short scripted conversation in English and Chinese, played in the terminal.

Cards, a clarifying question, a comparison, a policy answer and a handoff, through the real core over the
bundled demo catalog (its own knowledge base and memory under the data directory, so a shop's own catalog
and conversations are untouched). Without ``--model`` the answers are the catalog's own (instant, the same
every run); with it the configured model writes them, checked sentence by sentence as in chat.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

import typer
from rich.text import Text

from assistant.app import Assistant, build_assistant
from assistant.config import DEMO_DATA_DIR, Settings
from assistant.errors import ShopguideError
from assistant.types import IncomingMessage, Language

from .cli import literal, print_cards, print_choices, say
from .cli_groups import app
from .cli_output import console, err_console, report_error
from .common.demo import DEMO_LANGUAGES, DemoTurn, RecordingDesk, load_script, play

DEMO_DIR_NAME = "demo"  # under the data directory: the demo catalog's own knowledge base and memory
HANDOFF_NOTE = "(a ticket with this conversation now waits for staff on the Slack desk)"


def demo_settings(settings: Settings, *, model: bool) -> Settings:
    update: dict[str, object] = {"data_dir": settings.data_dir / DEMO_DIR_NAME, "catalog_dir": DEMO_DATA_DIR}
    if not model:
        update["llm_backend"] = "none"
    return settings.model_copy(update=update)


def show_turn(turn: DemoTurn) -> None:
    console.print(Text.assemble(("you> ", "bold blue"), literal(turn.line.text)))
    reply = turn.reply
    print_cards(reply.cards, reply.language)
    say(reply.text)
    print_choices(reply.choices, cards=bool(reply.cards))
    if turn.handed_off:
        console.print(Text(HANDOFF_NOTE, "dim"))
    console.print()


async def run_demo(assistant: Assistant, desk: RecordingDesk, languages: list[Language]) -> list[DemoTurn]:
    script = load_script()
    turns: list[DemoTurn] = []
    for language in languages:
        user = f"demo-{uuid.uuid4().hex}"  # a fresh conversation each run
        console.rule(Text(f"demo ({language})", "bold"))
        async for turn in play(assistant, desk, language, user, script):
            show_turn(turn)
            turns.append(turn)
        assistant.memory.reset(IncomingMessage("cli", f"demo-{language}", user, "").conversation_key)
    return turns


@app.command()
def demo(
    language: Annotated[str, typer.Option("--language", help="en, zh or both")] = "both",
    model: Annotated[bool, typer.Option("--model", help="let the configured model write the answers")] = False,
) -> None:
    """Play a short scripted conversation (cards, a clarifying question, a comparison, a policy, a handoff)."""
    languages: list[Language] = list(DEMO_LANGUAGES) if language == "both" else []
    if language in DEMO_LANGUAGES:
        languages = [lang for lang in DEMO_LANGUAGES if lang == language]
    if not languages:
        err_console.print(f"[red]error[/red] --language must be en, zh or both, not {language!r}")
        raise typer.Exit(code=2)
    desk = RecordingDesk()
    try:
        err_console.print("[dim]loading the demo catalog…[/dim]")
        assistant = build_assistant(demo_settings(Settings(), model=model), handoff=desk)
    except ShopguideError as exc:
        report_error(exc)
        raise typer.Exit(code=2) from exc

    async def run() -> None:
        try:
            await run_demo(assistant, desk, languages)
        finally:
            await assistant.aclose()

    asyncio.run(run())
