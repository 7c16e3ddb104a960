"""The ``shopguide`` command tree. Area modules (``bots.cli_*``) register their commands on these groups."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="shopguide",
    help="shopguide: a shopping assistant that lives in chat, grounded in your catalog.\n\n"
    "Start with `shopguide chat` to talk to it over the bundled demo catalog.",
    no_args_is_help=True,
    add_completion=False,
)
kb_app = typer.Typer(help="Knowledge base: reload, inspect, diff and roll back catalog releases.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure answer accuracy and safety on bundled or your own labelled sets.")
serve_app = typer.Typer(
    help="Run shopguide on a platform (telegram, slack) or serve the local LLM.", no_args_is_help=True
)
app.add_typer(kb_app, name="kb")
app.add_typer(eval_app, name="eval")
app.add_typer(serve_app, name="serve")
