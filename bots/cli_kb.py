"""``shopguide kb …``: reload, inspect, diff and roll back knowledge releases from the terminal."""

from __future__ import annotations

import contextlib
import getpass
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from assistant.admin import LOCAL_PLATFORM, AdminActor, KnowledgeAdmin
from assistant.config import Settings
from assistant.errors import ShopguideError
from assistant.state.backends import open_release_pointer
from knowledge.bootstrap import open_store
from knowledge.doctor import diagnose
from knowledge.errors import ReleaseGateRefused, ReloadCancelled
from knowledge.loaders import LoadOptions, load_paths
from knowledge.reload import ReloadOutcome

from .cli_groups import kb_app
from .cli_output import console, err_console, report_error
from .cli_progress import EXIT_CANCELLED, ReloadBars, run_cancellable

PROBLEMS_SHOWN = 50
DIFF_LINES_SHOWN = 40

PathsArg = Annotated[list[Path], typer.Argument(help="catalog files (.csv .json .jsonl .md .txt) or directories")]
MapOpt = Annotated[
    list[str] | None,
    typer.Option("--map", help="column mapping FIELD=Header for CSVs with other headers; repeatable"),
]


def _actor() -> AdminActor:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "local"
    return AdminActor(LOCAL_PLATFORM, user)


def _admin(settings: Settings | None = None) -> KnowledgeAdmin:
    settings = settings or Settings()
    store = open_store(
        mode=settings.chroma_mode,
        data_dir=settings.data_dir,
        host=settings.chroma_host,
        port=settings.chroma_port,
        embed_threads=settings.embed_threads,
        keep_releases=settings.kb_keep_releases,
        pointer=open_release_pointer(settings),
    )
    return KnowledgeAdmin(store, settings)


def _settings_with_map(mapping: list[str] | None, map_file: Path | None) -> Settings:
    settings = Settings()
    column_map = dict(settings.kb_column_map)
    if map_file is not None:
        column_map.update({str(k): str(v) for k, v in json.loads(map_file.read_text(encoding="utf-8")).items()})
    for item in mapping or []:
        field, sep, header = item.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise typer.BadParameter(f"--map expects FIELD=Header, got {item!r}")
        column_map[field.strip()] = header.strip()
    return settings.model_copy(update={"kb_column_map": column_map})


def _fail(exc: ShopguideError) -> typer.Exit:
    report_error(exc)
    return typer.Exit(code=2)


@contextlib.contextmanager
def _reported() -> Iterator[None]:
    """A ``ShopguideError`` from the block is printed with its fix and ends the command with exit code 2."""
    try:
        yield
    except ShopguideError as exc:
        raise _fail(exc) from exc


def _print_outcome(outcome: ReloadOutcome) -> None:
    console.print(escape(outcome.summary()))
    for line in outcome.loaded.notices[:20]:
        console.print(f"  [dim]note[/dim] {escape(line)}")
    for line in outcome.loaded.flagged[:20]:
        console.print(f"  [yellow]flagged[/yellow] {escape(line)}")
    for line in outcome.loaded.problems[:20]:
        console.print(f"  [yellow]skipped[/yellow] {escape(line)}")
    if outcome.diff is not None:
        for line in outcome.diff.lines(DIFF_LINES_SHOWN)[1:]:
            console.print(f"  {escape(line)}")


@kb_app.command("status")
def status() -> None:
    """Show the live release, the kept releases and rollback targets."""
    with _reported():
        for line in _admin().status(_actor()).lines():
            console.print(escape(line))


@kb_app.command("reload")
def reload(  # noqa: PLR0917 (typer maps parameters to options)
    paths: PathsArg,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="load the valid rows, skip the bad")] = False,
    force: Annotated[bool, typer.Option("--force", help="switch even if the reference-question gate fails")] = False,
    check: Annotated[bool, typer.Option("--check", help="validate only: report problems, build nothing")] = False,
    mapping: MapOpt = None,
    map_file: Annotated[Path | None, typer.Option("--column-map", help="JSON file {field: header}")] = None,
) -> None:
    """Build a new release from PATHS, check it against the reference questions and switch to it."""
    settings = _settings_with_map(mapping, map_file)
    if check:
        loaded = load_paths(paths, LoadOptions(column_map=settings.kb_column_map))
        console.print(f"{len(loaded.products)} products, {len(loaded.docs)} passages, {len(loaded.problems)} problems")
        for line in loaded.problems[:PROBLEMS_SHOWN] + loaded.notices[:20] + loaded.flagged[:20]:
            console.print(f"  {escape(line)}")
        raise typer.Exit(code=1 if loaded.problems else 0)

    admin = _admin(settings)

    def cancelling() -> None:
        err_console.print("[yellow]cancelling…[/yellow] the live release stays as it is")

    try:
        with ReloadBars() as bars:
            outcome = run_cancellable(
                lambda cancel: admin.reload(
                    _actor(), paths, bars, skip_invalid=skip_invalid, force=force, cancel=cancel
                ),
                on_cancel=cancelling,
            )
    except ReloadCancelled as exc:
        err_console.print(f"[yellow]cancelled[/yellow] {escape(exc.message)}")
        raise typer.Exit(code=EXIT_CANCELLED) from exc
    except ReleaseGateRefused as exc:
        err_console.print(f"[red]refused[/red] {escape(exc.message)}")
        gate = getattr(exc.outcome, "gate", None)
        for failure in (gate.failures if gate else [])[:20]:
            err_console.print(f"  failed: {escape(failure)}")
        raise typer.Exit(code=3) from exc
    except ShopguideError as exc:
        raise _fail(exc) from exc
    _print_outcome(outcome)


@kb_app.command("diff")
def diff(
    paths: Annotated[list[Path] | None, typer.Argument(help="catalog files to compare with the live release")] = None,
    old: Annotated[str | None, typer.Option("--from", help="older release (default: previous)")] = None,
    new: Annotated[str | None, typer.Option("--to", help="newer release (default: live)")] = None,
    mapping: MapOpt = None,
) -> None:
    """What a reload of PATHS would change, or what changed between two releases."""
    with _reported():
        admin = _admin(_settings_with_map(mapping, None))
        result = admin.diff(_actor(), paths or None, old_release=old, new_release=new)
    for line in result.lines(DIFF_LINES_SHOWN):
        console.print(escape(line))


@kb_app.command("rollback")
def rollback(
    release: Annotated[str | None, typer.Argument(help="release id (default: the previous one)")] = None,
) -> None:
    """Serve the previous release (or RELEASE) again, instantly."""
    with _reported():
        target = _admin().rollback(_actor(), release)
    console.print(f"live release is now {escape(target)}")


@kb_app.command("upsert")
def upsert(
    file: Annotated[Path, typer.Argument(help="products to add or replace (.csv .json .jsonl)")],
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid")] = False,
    mapping: MapOpt = None,
) -> None:
    """Add or replace products in the live release without a rebuild (visible to the next query)."""
    with _reported():
        loaded = _admin(_settings_with_map(mapping, None)).upsert(_actor(), file, skip_invalid=skip_invalid)
    console.print(f"{len(loaded.products)} products upserted into the live release")


@kb_app.command("set-stock")
def set_stock(
    sku: Annotated[str, typer.Argument(help="product SKU")],
    stock: Annotated[int, typer.Argument(min=0, help="units on hand")],
) -> None:
    """Set one product's stock in the live release (visible to the next query)."""
    with _reported():
        product = _admin().set_stock(_actor(), sku, stock)
    console.print(f"{escape(product.sku)} {escape(product.name)}: stock {product.stock}")


@kb_app.command("doctor")
def doctor(
    repair: Annotated[bool, typer.Option("--repair", help="fix what can be fixed safely (nothing is lost)")] = False,
) -> None:
    """Check the data directory (permissions, index, releases, updates log) and say exactly what to do."""
    settings = Settings()
    if settings.chroma_mode != "embedded":
        err_console.print("kb doctor checks an embedded data directory; in server mode check the Chroma server")
        raise typer.Exit(code=2)
    report = diagnose(
        settings.data_dir, repair=repair, embed_threads=settings.embed_threads, keep_releases=settings.kb_keep_releases
    )
    for line in report.lines():
        console.print(escape(line), soft_wrap=True)
    raise typer.Exit(code=0 if report.healthy else 1)
