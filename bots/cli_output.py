"""Terminal output shared by the CLI modules: the consoles and one way to report a ``ShopguideError`` or a
setting that does not parse."""

from __future__ import annotations

from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from assistant.errors import ShopguideError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)
PROBLEMS_SHOWN = 50


def report_settings_error(exc: ValidationError) -> None:
    """A SHOPGUIDE_* value that does not parse: the variable, why, and the fix, instead of a traceback."""
    for error in exc.errors()[:PROBLEMS_SHOWN]:
        name = "SHOPGUIDE_" + "_".join(str(p) for p in error["loc"]).upper()
        err_console.print(f"[red]error[/red] settings: {escape(name)}: {escape(error['msg'])}", soft_wrap=True)
    err_console.print("  fix: correct that variable (environment or .env), or unset it for the default", soft_wrap=True)


def report_error(exc: ShopguideError) -> None:
    """Code, message, the fix and the problem rows, escaped (paths and codes are not rich markup) and never
    cropped (soft wrap), so a long ``file:line: reason`` is printed whole."""
    err_console.print(f"[red]error[/red] {escape(exc.code)}: {escape(exc.message)}", soft_wrap=True)
    if exc.hint:
        err_console.print(f"  fix: {escape(exc.hint)}", soft_wrap=True)
    problems: list[str] = getattr(exc, "problems", [])
    unseen = [p for p in problems if p not in exc.message]  # the message may already list the first ones
    for problem in unseen[:PROBLEMS_SHOWN]:
        err_console.print(f"  {escape(problem)}", soft_wrap=True)
    if len(unseen) > PROBLEMS_SHOWN:
        err_console.print(f"  … and {len(unseen) - PROBLEMS_SHOWN} more")
