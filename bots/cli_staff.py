"""Staff tools on the command line: ``shopguide copy SKU`` and ``shopguide reviews SKU``."""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import asdict
from typing import Annotated

import typer

from assistant.errors import ShopguideError
from assistant.staff import TONES, CopyWriter, ReviewSummariser, parse_tone

from .cli_groups import app


def _fail(exc: ShopguideError) -> typer.Exit:
    typer.echo(f"error [{exc.code}] {exc.message}" + (f" ({exc.hint})" if exc.hint else ""), err=True)
    return typer.Exit(code=2)


@app.command()
def copy(
    sku: Annotated[str, typer.Argument(help="product SKU, e.g. SG-RUN-0001")],
    lang: Annotated[str, typer.Option("--lang", help="zh or en")] = "en",
    tone: Annotated[str, typer.Option("--tone", help="one of: " + ", ".join(TONES))] = "friendly",
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Marketing copy for a product: description, short ad line and social post, from catalog facts only."""
    from .cli import open_assistant

    if lang not in ("zh", "en"):
        raise typer.BadParameter("use zh or en", param_hint="--lang")
    try:
        chosen_tone = parse_tone(tone)
    except ShopguideError as exc:
        raise typer.BadParameter(exc.hint, param_hint="--tone") from exc
    assistant = open_assistant(show_progress=not as_json)
    writer = CopyWriter(assistant.catalog, assistant.generator, timeout_s=assistant.settings.llm_timeout_s)

    async def run() -> str:
        try:
            result = await writer.write(sku, "zh" if lang == "zh" else "en", chosen_tone)
        finally:
            await assistant.aclose()
        if as_json:
            return json.dumps(asdict(result), ensure_ascii=False)
        return result.render()

    try:
        sys.stdout.write(asyncio.run(run()) + "\n")
    except ShopguideError as exc:
        raise _fail(exc) from exc


@app.command()
def reviews(
    sku: Annotated[str, typer.Argument(help="product SKU, e.g. SG-RUN-0011")],
    lang: Annotated[str, typer.Option("--lang", help="zh or en")] = "en",
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Summarise a product's reviews: pros, cons and sentiment split, with counts."""
    from assistant.app import load_knowledge
    from assistant.config import Settings

    settings = Settings()
    try:
        summary = ReviewSummariser(load_knowledge(settings)).summarise(sku, "zh" if lang == "zh" else "en")
    except ShopguideError as exc:
        raise _fail(exc) from exc
    sys.stdout.write((json.dumps(asdict(summary), ensure_ascii=False) if as_json else summary.render()) + "\n")
