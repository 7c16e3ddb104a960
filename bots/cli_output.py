"""Terminal output shared by the CLI modules: the consoles and one way to report a ``ShopguideError``."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from assistant.errors import ShopguideError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)
PROBLEMS_SHOWN = 50


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
