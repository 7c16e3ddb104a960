"""The ``shopguide`` command line: terminal chat, one-shot ask, evaluation and the platform servers.

The terminal is one more adapter: it turns typed lines into ``IncomingMessage`` and renders ``Reply``.
"""

from __future__ import annotations

import asyncio
import importlib
import io
import json
import os
import sys
import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from assistant.app import Assistant, build_assistant
from assistant.config import Settings
from assistant.errors import ShopguideError
from assistant.inbound import clean_text
from assistant.logs import configure_logging
from assistant.personal.profile import Reaction
from assistant.render import money
from assistant.types import CardsReady, Choice, IncomingMessage, Language, ProductCard, Reply, TextDelta

from .cli_groups import app, eval_app, serve_app
from .cli_output import console, err_console, report_error, report_settings_error
from .cli_progress import EVAL_BARS, EVAL_STAGE, JobBars, counted, run_job, write_report
from .common.commands import chat_command_reply, parse_chat_command
from .common.events import IncompleteReply, ReplyFold
from .common.texts import phrase

# Area modules register their commands on the groups when imported.
AREA_MODULES: tuple[str, ...] = (
    "bots.serve",
    "bots.cli_staff",
    "bots.cli_safety",
    "bots.cli_kb",
    "bots.cli_personal",
    "bots.cli_doctor",
    "bots.cli_demo",
)

CLI_USER = "local"
BOT_PROMPT = ("shopguide> ", "green")
FRESH_ASK_PREFIX = "once-"
# Typed reactions to the last answer (the chat platforms have buttons for these).
REACTIONS: dict[str, Reaction] = {"👍": "up", "+1": "up", "👎": "down", "-1": "down"}
QUIT_WORDS = ("/quit", "/exit", "quit", "exit", ":q")
# The shopper commands the terminal takes itself; any other line (``/start`` too) goes to the assistant.
TERMINAL_COMMANDS = ("reset", "lang", "help")


def _quiet_libraries() -> None:
    # Offline by construction: never let a library try the network for models or telemetry.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


class LoadProgress:
    """One progress bar for whatever is loading (model assembly, first catalog ingest)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._progress: Progress | None = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> LoadProgress:
        if self.enabled:
            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(), DownloadColumn(), console=err_console, transient=True
            )
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._progress is None:
            return
        if stage not in self._tasks:
            label = {"model": "assembling model (once)", "products": "indexing products", "documents": "indexing docs"}
            self._tasks[stage] = self._progress.add_task(label.get(stage, stage), total=total)
        self._progress.update(self._tasks[stage], completed=done, total=total)


@app.callback()
def _logging_policy() -> None:
    # Every command logs under the one policy (file + PII and secret redaction) from its first line;
    # servers reconfigure it with stderr before they start.
    try:
        settings = Settings()
    except ValidationError as exc:
        report_settings_error(exc)
        raise typer.Exit(code=2) from exc
    configure_logging(settings, to_stderr=False)


def open_assistant(
    settings: Settings | None = None, *, show_progress: bool = True, log_to_stderr: bool = False, prime: bool = False
) -> Assistant:
    _quiet_libraries()
    settings = settings or Settings()
    configure_logging(settings, to_stderr=log_to_stderr)
    try:
        with LoadProgress(show_progress) as progress:
            if show_progress:
                err_console.print("[dim]loading catalog and model…[/dim]")
            return build_assistant(settings, progress=progress, prime_model=prime)
    except ShopguideError as exc:
        report_error(exc)
        raise typer.Exit(code=2) from exc


def literal(text: str, style: str = "") -> Text:
    """Catalog, model or shopper text for the terminal: never rich markup, and without control characters
    (an ESC in a product name would drive the terminal) or surrogates (stdout cannot encode them)."""
    return Text(clean_text(text), style)


def print_cards(reply_cards: list[ProductCard], language: Language) -> None:
    for index, card in enumerate(reply_cards, start=1):
        # Not tracked (None): neither in nor out of stock is said.
        stock_key = None if card.stock is None else "in_stock" if card.stock > 0 else "out_of_stock"
        stock = phrase(stock_key, language).lower() if stock_key else ""
        price = phrase("no_price", language).lower() if card.price is None else money(card.price, card.currency)
        facts = "  " + "  · ".join(part for part in (price, stock, card.sku) if part)
        console.print(Text.assemble("  ", literal(f"{index}. {card.name}", "bold"), literal(facts)))
        if card.reason:
            console.print(Text.assemble("     ", literal(card.reason, "dim")))


def choice_keys(choices: list[Choice], *, cards: bool) -> list[str]:
    """What the shopper types to pick each quick reply. Cards are numbered, so under cards a number means
    that product (as "2" does in every chat) and the quick replies (👍 / 👎 / something else) take letters;
    without cards the quick replies are the only list on screen and take numbers."""
    if cards:
        return [chr(ord("a") + i) for i in range(len(choices))]
    return [str(i) for i in range(1, len(choices) + 1)]


def print_choices(choices: list[Choice], *, cards: bool = False) -> None:
    if choices:
        line = Text("  ")
        for i, (key, choice) in enumerate(zip(choice_keys(choices, cards=cards), choices, strict=True)):
            line.append_text(Text.assemble(("   " if i else ""), (f"[{key}]", "cyan"), " ", literal(choice.label)))
        console.print(line)


def say(body: str, *, end: str = "\n") -> None:
    """One line from shopguide: the prompt styled, the text as data (catalog and model text is never markup)."""
    console.print(Text.assemble(BOT_PROMPT, literal(body)), end=end, soft_wrap=True)


async def _chat_turn(assistant: Assistant, message: IncomingMessage) -> Reply:
    """Cards first (they arrive before the model starts), then streamed text."""
    fold = ReplyFold()
    cards_shown = text_shown = line_open = False
    async for event in assistant.respond(message):
        fold.apply(event)
        if isinstance(event, CardsReady):
            print_cards(event.cards, event.language)
            cards_shown = True
        elif isinstance(event, TextDelta) and event.text:
            if not line_open:
                say("", end="")
                line_open = text_shown = True
            console.print(literal(event.text), end="", soft_wrap=True)
    reply = fold.reply
    if reply is None:
        raise IncompleteReply("the reply stream ended without ReplyDone")
    if line_open:
        console.print()
    if reply.cards and not cards_shown:
        print_cards(reply.cards, reply.language)
    if reply.text and not text_shown:
        say(reply.text)
    print_choices(reply.choices, cards=bool(reply.cards))
    return reply


def accept_undecodable_input() -> None:
    """Bytes typed or piped in that are not UTF-8 arrive as lone surrogates instead of ending the chat
    with ``UnicodeDecodeError``; ``IncomingMessage`` then replaces them."""
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="surrogateescape")


@app.command()
def chat() -> None:
    """Chat with shopguide in the terminal (bundled demo catalog unless configured otherwise).

    Type a question; a number picks a product shown (or a quick reply when no products are shown), a letter
    a quick reply under products; /reset starts over; /lang zh|en; /quit leaves.
    """
    accept_undecodable_input()
    assistant = open_assistant(prime=True)
    say(assistant.greeting("en"))
    console.print(
        Text(
            "/reset to start over, /lang zh|en, /quit to leave; a number picks a product shown, "
            "or a quick reply when no products are shown; a letter picks a quick reply under products; "
            "👍 or 👎 (+1/-1) rates the last answer; /profile shows what is kept about you, /forget erases it",
            "dim",
        )
    )
    picks: dict[str, Choice] = {}  # what the shopper may type to pick a quick reply now on screen
    base = IncomingMessage(platform="cli", chat_id="terminal", user_id=CLI_USER, text="")

    async def loop() -> None:
        nonlocal picks
        while True:
            try:
                line = await asyncio.to_thread(console.input, Text("you> ", "bold blue"))
            except (EOFError, KeyboardInterrupt):
                console.print()
                break
            line = clean_text(line).strip()
            if line.lower() in QUIT_WORDS:
                break
            command = parse_chat_command(line)
            if command is not None and command.name in TERMINAL_COMMANDS:
                answer = chat_command_reply(assistant, base, command)
                console.print(literal(answer)) if command.name == "help" else say(answer)
                continue
            if line in REACTIONS:
                say(assistant.react(base, REACTIONS[line]))
                continue
            if line == "/profile":
                say(assistant.profile(base))
                continue
            if line == "/forget":
                say(assistant.forget(base)[0])
                continue
            picked = picks.get(line.lower())
            if picked is not None:
                line = picked.value
                console.print(literal(f"→ {line}", "dim"))
            # Any other number goes to the core, which reads it as the product shown at that place.
            reply = await _chat_turn(assistant, replace(base, text=line))
            keys = choice_keys(reply.choices, cards=bool(reply.cards))
            picks = dict(zip(keys, reply.choices, strict=True))

    async def run() -> None:
        try:
            await loop()
        finally:
            # Before the interpreter shuts down: a llama.cpp worker still running then aborts the process.
            await assistant.aclose()

    asyncio.run(run())


def reply_json(reply: Reply) -> dict[str, Any]:
    return {
        "answer": reply.text,
        "language": reply.language,
        "intent": str(reply.intent),
        "products": [
            {
                "sku": c.sku,
                "name": c.name,
                "price": c.price,
                "currency": c.currency,
                "in_stock": None if c.stock is None else c.in_stock,
                "url": c.url,
            }
            for c in reply.cards
        ],
        "choices": [{"label": c.label, "value": c.value} for c in reply.choices],
        "sources": reply.sources,
        "blocked": reply.blocked,
        "degraded": reply.degraded,
        "latency_ms": {k: round(v, 1) for k, v in reply.latency_ms.items()},
    }


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="what the shopper asks, in Chinese or English")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object (for scripts)")] = False,
    conversation: Annotated[
        str | None,
        typer.Option(
            "--conversation",
            "--user",
            help="continue this conversation across calls (its need, language, last products); "
            "without it every call starts fresh and leaves nothing behind",
        ),
    ] = None,
) -> None:
    """Ask one question and print the answer (or JSON with --json)."""
    assistant = open_assistant(show_progress=not as_json)
    # A script's separate questions must not inherit each other's slots: continuing is opt-in.
    fresh = conversation is None
    user_id = conversation if conversation is not None else f"{FRESH_ASK_PREFIX}{uuid.uuid4().hex}"
    message = IncomingMessage(platform="cli", chat_id="ask", user_id=user_id, text=question)

    async def run() -> Reply:
        try:
            reply = await assistant.ask(message)
            if fresh:
                assistant.memory.reset(message.conversation_key)
            return reply
        finally:
            await assistant.aclose()

    reply = asyncio.run(run())
    if as_json:
        sys.stdout.write(json.dumps(reply_json(reply), ensure_ascii=False) + "\n")
        return
    print_cards(reply.cards, reply.language)
    console.print(literal(reply.text), soft_wrap=True)
    print_choices(reply.choices, cards=bool(reply.cards))


@eval_app.callback(invoke_without_command=True)
def eval_facts(
    ctx: typer.Context,
    *,
    out: Annotated[Path | None, typer.Option(help="write the JSON report here")] = None,
    limit: Annotated[int, typer.Option(help="only the first N questions (0 = all)")] = 0,
    catalog: Annotated[
        Path | None,
        typer.Option(help="a catalog folder (CSV/JSON + FAQ/policy .md) to evaluate instead of the demo gold set"),
    ] = None,
    questions: Annotated[
        Path | None,
        typer.Option(help="labelled questions (JSON lines) for --catalog; default: questions.jsonl beside it"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as one JSON object (for scripts)")] = False,
    rejudge: Annotated[
        Path | None,
        typer.Option(
            help="with --catalog: score the answers stored in this earlier --out report again, asking nothing"
        ),
    ] = None,
) -> None:
    """Fact accuracy on the bundled gold set (prices, SKUs, stock, specs, policies; zh and en), or on any
    catalog with its labelled questions (--catalog, --questions): see `shopguide eval --catalog --help`.
    """
    if ctx.invoked_subcommand is not None:
        return
    if catalog is not None or questions is not None or rejudge is not None:
        _eval_catalog(catalog, questions, out=out, limit=limit, as_json=as_json, rejudge=rejudge)
        return
    from assistant.evaluation.facts import report_rows, run_fact_eval

    assistant = open_assistant(show_progress=not as_json)
    started = time.perf_counter()

    def ask_all(cancel: threading.Event, bars: JobBars) -> dict[str, Any]:
        on_answer = counted(bars, EVAL_STAGE, cancel)
        return asyncio.run(run_fact_eval(assistant, limit=limit, on_answer=on_answer))

    try:
        report = run_job(ask_all, bar_labels=EVAL_BARS, keeps="no report is written")
    finally:
        # llama.cpp's worker threads must stop before the interpreter does (else "exception not rethrown").
        asyncio.run(assistant.aclose())
    report["wall_s"] = round(time.perf_counter() - started, 1)
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
    else:
        title, rows = report_rows(report)
        table = Table(title=title)
        table.add_column("metric")
        table.add_column("value", justify="right")
        for metric, value in rows:
            table.add_row(metric, value)
        console.print(table)
    if out:
        write_report(out, report)


def _eval_catalog(
    catalog: Path | None, questions: Path | None, *, out: Path | None, limit: int, as_json: bool, rejudge: Path | None
) -> None:
    """Load the catalog into a throw-away data dir, ask every question through the pipeline, judge, report."""
    from assistant.evaluation.catalog_eval import (
        OUTDOOR_CATALOG,
        catalog_assistant,
        load_questions,
        rejudge_report,
        run_catalog_eval,
    )

    _quiet_libraries()
    catalog = catalog or OUTDOOR_CATALOG
    questions = questions or catalog.parent / "questions.jsonl"
    if not questions.is_file():
        raise typer.BadParameter(f"no question file {questions}; pass --questions FILE")
    settings = Settings()
    configure_logging(settings, to_stderr=False)
    rows = load_questions(questions)
    started = time.perf_counter()
    if rejudge is not None:
        earlier = json.loads(rejudge.read_text(encoding="utf-8"))
        report = {**earlier, **rejudge_report(earlier, catalog, rows)}
        _print_catalog_result(report, catalog, out=out, as_json=as_json)
        return
    try:
        with catalog_assistant(catalog, settings) as (assistant, load_report):

            def ask_all(cancel: threading.Event, bars: JobBars) -> dict[str, Any]:
                on_answer = counted(bars, EVAL_STAGE, cancel)
                texts = load_report.pop("doc_texts")
                return asyncio.run(run_catalog_eval(assistant, rows, texts, limit=limit, on_answer=on_answer))

            report = run_job(ask_all, bar_labels=EVAL_BARS, keeps="no report is written")
    except ShopguideError as exc:
        report_error(exc)
        raise typer.Exit(code=2) from exc
    report["load"] = load_report
    report["catalog"] = str(catalog)
    report["questions_file"] = str(questions)
    report["llm_backend"] = settings.llm_backend
    report["wall_s"] = round(time.perf_counter() - started, 1)
    _print_catalog_result(report, catalog, out=out, as_json=as_json)


def _print_catalog_result(report: dict[str, Any], catalog: Path, *, out: Path | None, as_json: bool) -> None:
    from assistant.evaluation.catalog_eval import print_catalog_report

    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
    else:
        print_catalog_report(report, console, f"catalog eval: {catalog.name}")
    if out:
        write_report(out, report)


@serve_app.command("llm")
def serve_llm(
    port: Annotated[int, typer.Option(help="loopback port for the OpenAI-compatible API")] = 8088,
    host: Annotated[str, typer.Option(help="bind address; keep loopback unless behind a proxy")] = "127.0.0.1",
) -> None:
    """Serve the local model as an OpenAI-compatible HTTP endpoint (/v1/chat/completions, streaming).

    The Telegram and Slack processes can then share one loaded model: SHOPGUIDE_LLM_BACKEND=openai.
    """
    _quiet_libraries()
    from assistant.llm.llamacpp import LlamaCppGenerator
    from assistant.llm.model_files import assemble_model

    settings = Settings()
    configure_logging(settings, to_stderr=True)
    with LoadProgress(True) as progress:
        path = settings.model_path or assemble_model(
            settings.llm_model, settings.cache_dir, lambda done, total: progress("model", done, total)
        )
    generator = LlamaCppGenerator(
        path,
        threads=settings.llm_threads,
        context=settings.llm_context,
        parallel=max(settings.generation_limit, settings.llm_cache_slots),
        port=port,
        host=host,
    )
    console.print(f"serving {path.name} at {generator.listening_address}/v1 (Ctrl-C to stop)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        console.print("stopped")


for _module in AREA_MODULES:
    importlib.import_module(_module)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
