"""``shopguide shoppers …`` (import history, train the recommender), ``shopguide eval recommend`` and
``shopguide report feedback``."""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from assistant.admin import StagePace
from assistant.config import Settings
from assistant.errors import JobCancelled, ShopguideError
from assistant.personal.events import EventsRead, read_events
from assistant.personal.profile import stop_if_cancelled
from assistant.state.backends import open_profile_store, open_release_pointer

from .cli_groups import app, eval_app
from .cli_output import console, report_error
from .cli_progress import JobBars, counted, run_job, write_report

shoppers_app = typer.Typer(
    help="Shoppers: import browsing and order history, train the recommender.", no_args_is_help=True
)
report_app = typer.Typer(help="Reports for staff.", no_args_is_help=True)
app.add_typer(shoppers_app, name="shoppers")
app.add_typer(report_app, name="report")

SKIPPED_SHOWN = 20
# Import's steps: the file read (one line), then the store's batches (a bar with counts and time left).
READ_STAGE = "events read"
STORE_STAGE = "events stored"
IMPORT_BARS = {STORE_STAGE: "storing events"}
# Training's steps, a line each: the fit is one library call, so it has no count to show as it goes.
LOADED_STAGE = "events loaded"
TRAINED_STAGE = "items trained"
# eval recommend's counted stage: each method is trained and scored in turn.
METHODS_STAGE = "methods scored"


def _catalog_skus(settings: Settings) -> set[str] | None:
    """The live catalog's SKUs, or None when no catalog was loaded yet (then nothing is checked)."""
    from knowledge.bootstrap import open_store

    store = open_store(
        mode=settings.chroma_mode,
        data_dir=settings.data_dir,
        host=settings.chroma_host,
        port=settings.chroma_port,
        pointer=open_release_pointer(settings),
    )
    if not store.has_live:
        return None
    return {p.sku for p in store.all_products()}


@shoppers_app.command("import")
def shoppers_import(
    path: Annotated[
        Path,
        typer.Argument(
            help="events .csv or .jsonl (shopper, sku, event, timestamp), or a Shopify/WooCommerce orders export"
        ),
    ],
    check: Annotated[bool, typer.Option("--check", help="validate only: report problems, store nothing")] = False,
) -> None:
    """Import browsing and order history. A file with any bad row is refused whole (file:line for each)."""
    settings = Settings()
    pace = StagePace()

    def import_file(cancel: threading.Event, bars: JobBars) -> tuple[EventsRead, int | None]:
        found = read_events(path, max_mb=settings.kb_max_catalog_mb)
        bars(pace.event(READ_STAGE, len(found.events), len(found.events)))
        _describe_import(path, found, _catalog_skus(settings))
        if check:
            return found, None
        stop_if_cancelled(cancel)
        store = open_profile_store(settings)
        try:
            added = store.add_events(
                found.events, progress=lambda done, total: bars(pace.event(STORE_STAGE, done, total)), cancel=cancel
            )
        finally:
            store.close()
        return found, added

    try:
        found, added = run_job(import_file, bar_labels=IMPORT_BARS, keeps="the stored history stays as it was")
    except ShopguideError as exc:
        report_error(exc)
        raise typer.Exit(code=1) from exc
    except (OSError, UnicodeDecodeError) as exc:
        console.print(f"[red]error[/red] cannot read {escape(str(path))}: {escape(str(exc))}")
        raise typer.Exit(code=1) from exc
    if added is not None:
        console.print(f"stored {added} new events ({len(found.events) - added} were already stored)", soft_wrap=True)


def _stop_training_if_cancelled(cancel: threading.Event) -> None:
    if cancel.is_set():
        raise JobCancelled("training cancelled before its model was stored: the served model is unchanged")


def _describe_import(path: Path, read: EventsRead, skus: set[str] | None) -> None:
    unknown = sorted({e.sku for e in read.events} - skus) if skus is not None else []
    shoppers = len({e.shopper for e in read.events})
    kinds = Counter(e.kind for e in read.events)
    console.print(
        f"{escape(str(path))} ({read.format}): {len(read.events)} events of {shoppers} shoppers "
        f"({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}); {len(read.skipped)} rows are not events",
        soft_wrap=True,
    )
    for line in read.skipped[:SKIPPED_SHOWN]:
        console.print(f"  skipped {escape(line)}", soft_wrap=True)
    if unknown:
        # Kept: they still teach what goes together, and the SKU may come back to the catalog.
        console.print(
            f"  {len(unknown)} SKUs are not in the live catalog: {escape(', '.join(unknown[:10]))}", soft_wrap=True
        )


@shoppers_app.command("link")
def shoppers_link(
    path: Annotated[
        Path, typer.Argument(help="CSV of email,shopper pairs (shopper as the chat knows them: telegram:42)")
    ],
) -> None:
    """Give order-export customers' history to their chat identity. E-mails are hashed as read, never stored;
    run it after each import of an orders export (linking again is harmless)."""
    from assistant.personal.linking import apply_links, read_links

    settings = Settings()
    try:
        links = read_links(path)
    except ShopguideError as exc:
        report_error(exc)
        raise typer.Exit(code=1) from exc
    except (OSError, UnicodeDecodeError) as exc:
        console.print(f"[red]error[/red] cannot read {escape(str(path))}: {escape(str(exc))}")
        raise typer.Exit(code=1) from exc
    store = open_profile_store(settings)
    try:
        customers, moved = apply_links(store, links)
    finally:
        store.close()
    console.print(
        f"{len(links)} pairs read; {customers} customers had imported history: {moved} events now belong to their "
        "chat identity",
        soft_wrap=True,
    )


@shoppers_app.command("train")
def shoppers_train() -> None:
    """Train the recommender on every stored event and store it with the live knowledge release: running
    assistants serve it within seconds, and `kb rollback` brings back the release's previous model."""
    import shutil

    from assistant.personal.recommender import LEGACY_MODEL_DIR, RELEASE_MODEL, RecommenderModel
    from assistant.personal.training import train_model
    from knowledge.bootstrap import open_store

    settings = Settings()
    knowledge = open_store(
        mode=settings.chroma_mode,
        data_dir=settings.data_dir,
        host=settings.chroma_host,
        port=settings.chroma_port,
        pointer=open_release_pointer(settings),
    )
    if not knowledge.has_live:
        console.print(
            "[red]error[/red] no live catalog release to store the model with: run `shopguide kb reload PATH` first"
        )
        raise typer.Exit(code=1)
    pace = StagePace()

    def train(cancel: threading.Event, bars: JobBars) -> tuple[RecommenderModel, str] | None:
        store = open_profile_store(settings)
        try:
            events = list(store.all_events())
        finally:
            store.close()
        if not events:
            return None
        bars(pace.event(LOADED_STAGE, len(events), len(events)))
        _stop_training_if_cancelled(cancel)
        model = train_model(events, sorted(p.sku for p in knowledge.all_products()))
        bars(pace.event(TRAINED_STAGE, len(model.items), len(model.items)))
        # The last moment to stop: once the model is published, running assistants serve it.
        _stop_training_if_cancelled(cancel)
        return model, knowledge.publish_model(RELEASE_MODEL, model.save)

    try:
        trained = run_job(train, bar_labels={}, keeps="the served model stays as it is")
    except ShopguideError as exc:
        report_error(exc)
        raise typer.Exit(code=1) from exc
    if trained is None:
        console.print("[red]error[/red] no events stored: run `shopguide shoppers import FILE` first")
        raise typer.Exit(code=1)
    model, version = trained
    # The release serves it now; a model left where older versions trained it would only confuse.
    shutil.rmtree(settings.data_dir / LEGACY_MODEL_DIR, ignore_errors=True)
    meta = model.meta
    console.print(
        f"trained {meta['algorithm']} ({meta['library']} {meta['library_version']}) on {meta['interactions']} "
        f"shopper-item pairs of {meta['shoppers']} shoppers, {len(model.items)} items, in {meta['train_seconds']} s; "
        f"stored with release {knowledge.live.release_id} as model {version}: running assistants serve it now",
        soft_wrap=True,
    )


@eval_app.command("recommend")
def eval_recommend(
    shoppers: Annotated[int, typer.Option(help="generated shoppers")] = 2000,
    seed: Annotated[int, typer.Option(help="generator seed")] = 7,
    with_cornac: Annotated[bool, typer.Option("--with-cornac", help="also measure cornac's BPR if installed")] = False,
    out: Annotated[Path | None, typer.Option(help="write the JSON report here")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as one JSON object")] = False,
) -> None:
    """Offline recommender evaluation on a time split: hit rate@10 and NDCG@10 against popularity and
    item-similarity baselines, on generated purchase histories (no public set installs from PyPI)."""
    from assistant.evaluation.recommend_eval import run_recommend_eval

    report = run_job(
        lambda cancel, bars: run_recommend_eval(
            shoppers, seed, with_cornac=with_cornac, on_method=counted(bars, METHODS_STAGE, cancel)
        ),
        bar_labels={METHODS_STAGE: "training and scoring"},
        keeps="no report is written",
    )
    data = report.as_dict()
    if out is not None:
        write_report(out, data)
    if as_json:
        console.print_json(json.dumps(data, ensure_ascii=False))
        return
    console.print(
        f"data: {escape(report.data)}: {report.items} items, {report.train_events} training events, "
        f"{report.test_shoppers} shoppers with purchases after the cut",
        soft_wrap=True,
    )
    console.print(f"{'method':36} {'HR@10':>7} {'NDCG@10':>8} {'x pop HR':>9} {'train s':>8}")
    for r in report.results:
        if r.note.startswith("not installed"):
            console.print(f"{escape(r.name):36} {escape(r.note)}")
            continue
        console.print(
            f"{escape(r.name):36} {r.hit_rate:7.3f} {r.ndcg:8.3f} {report.ratio(r.name):9.2f} {r.train_seconds:8.2f}"
        )


@report_app.command("feedback")
def report_feedback(
    days: Annotated[float, typer.Option(help="reactions and requests of the last DAYS days")] = 7.0,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as one JSON object")] = False,
    slack_channel: Annotated[
        str | None, typer.Option("--slack-channel", help="also post it to this Slack channel id as the staff digest")
    ] = None,
) -> None:
    """Shoppers' 👍/👎/"something else", the items most passed on, the questions answered badly or not at all,
    and the kinds of item asked for that the shop does not sell."""
    from assistant.personal.demand import feedback_report

    settings = Settings()
    store = open_profile_store(settings)
    try:
        report = feedback_report(store, days)
    finally:
        store.close()
    if slack_channel:
        _post_digest(settings, report, slack_channel)
    if as_json:
        console.print_json(json.dumps(report.as_dict(), ensure_ascii=False))
        return
    r = report.reactions
    console.print(f"last {days:g} days: {r['up']} 👍, {r['down']} 👎, {r['other']} 'something else'")
    if report.passed_on_skus:
        console.print("items shoppers passed on: " + escape(", ".join(f"{s} ({n})" for s, n in report.passed_on_skus)))
    for question, n in report.questions_rated_down:
        console.print(f"  👎 {n}x: {escape(question)}", soft_wrap=True)
    for question, n in report.questions_unanswered:
        console.print(f"  unanswered {n}x: {escape(question)}", soft_wrap=True)
    if report.not_carried:
        console.print(
            "asked for, not sold: " + escape(", ".join(f"{item} ({n})" for item, n in report.not_carried)),
            soft_wrap=True,
        )


def _post_digest(settings: Settings, report: Any, channel: str) -> None:
    import asyncio

    from .slack.client import make_client
    from .slack.digest import post_digest

    if not settings.slack_bot_token.get_secret_value():
        console.print("[red]error[/red] posting to Slack needs SHOPGUIDE_SLACK_BOT_TOKEN (xoxb-…)")
        raise typer.Exit(code=2)
    try:
        asyncio.run(post_digest(make_client(settings), channel, report))
    except Exception as exc:  # the Slack API refused (not_in_channel, invalid_auth) or was unreachable
        console.print(f"[red]error[/red] the digest was not posted to {escape(channel)}: {escape(_slack_error(exc))}")
        raise typer.Exit(code=1) from exc
    console.print(f"posted the digest to {escape(channel)}")


def _slack_error(exc: Exception) -> str:
    data = getattr(getattr(exc, "response", None), "data", None)
    return str(data.get("error")) if isinstance(data, dict) else type(exc).__name__
