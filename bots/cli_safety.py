"""``shopguide eval safety``, ``shopguide eval grounding`` and ``shopguide privacy purge``."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assistant.config import Settings
from assistant.errors import JobCancelled, ShopguideError
from assistant.ports import SafetyCheck

from .cli_groups import app, eval_app
from .cli_output import report_error
from .cli_progress import EVAL_BARS, EVAL_STAGE, JobBars, counted, run_job, write_report

privacy_app = typer.Typer(help="Privacy: purge stored personal data past the retention period.", no_args_is_help=True)
app.add_typer(privacy_app, name="privacy")

# Report tables are wide; when piped to a file, rich would otherwise squeeze them to 80 columns.
REPORT_WIDTH = 120
# The safety evaluation's counted stage: labelled messages run through the input checks.
EVAL_CHECKED = "messages checked"
console = Console(highlight=False, width=None if sys.stdout.isatty() else REPORT_WIDTH)
err_console = Console(stderr=True, highlight=False)


def _fail(exc: ShopguideError) -> typer.Exit:
    report_error(exc)
    return typer.Exit(code=2)


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _print_safety(results: dict[str, Any]) -> None:
    summary = Table(title="Input safety: block rate and false positives")
    for column in ("set", "attacks", "blocked", "block rate", "benign", "false pos.", "FP rate", "p50 ms", "p95 ms"):
        summary.add_column(column, justify="left" if column == "set" else "right")
    for report in results["sets"]:
        total = report["latency_ms"]["total"]
        summary.add_row(
            escape(report["set"]),
            str(report["attacks"]["n"]),
            str(report["attacks"]["blocked"]),
            _pct(report["attack_block_rate"]) if report["attacks"]["n"] else "-",
            str(report["benign"]["n"]),
            str(report["benign"]["blocked"]),
            _pct(report["benign_false_positive_rate"]) if report["benign"]["n"] else "-",
            f"{total['p50']:.2f}",
            f"{total['p95']:.2f}",
        )
    console.print(summary)
    main = results["sets"][0]
    categories = Table(title=f"Per category ({escape(main['set'])})")
    for column in ("category", "n", "blocked", "rate"):
        categories.add_column(column, justify="left" if column == "category" else "right")
    for name, counts in main["by_category"].items():
        categories.add_row(escape(name), str(counts["n"]), str(counts["blocked"]), _pct(counts["rate"]))
    for name, counts in main["by_lang"].items():
        categories.add_row(f"lang {escape(name)}", str(counts["n"]), str(counts["blocked"]), _pct(counts["rate"]))
    console.print(categories)
    steps = Table(title=f"Per-step latency ({escape(main['set'])}, ms per message)")
    for column in ("step", "p50", "p95", "messages", "blocked here"):
        steps.add_column(column, justify="left" if column == "step" else "right")
    for name, figures in main["latency_ms"].items():
        blocked = main["blocked_by_step"].get(name, "") if name != "total" else sum(main["blocked_by_step"].values())
        steps.add_row(name, f"{figures['p50']:.3f}", f"{figures['p95']:.3f}", str(figures["n"]), str(blocked))
    console.print(steps)
    if "layers" in results:
        layers = Table(title=f"Each layer alone ({escape(main['set'])})")
        for column in ("layer", "block rate", "FP rate"):
            layers.add_column(column, justify="left" if column == "layer" else "right")
        for name, figures in results["layers"].items():
            layers.add_row(name, _pct(figures["attack_block_rate"]), _pct(figures["benign_false_positive_rate"]))
        console.print(layers)
    if results.get("firewall"):
        fw = results["firewall"]
        console.print(
            f"retrieved-text firewall on {fw['set']}: flagged {fw['flagged']}/{fw['malicious']} malicious, "
            f"{fw['benign_flagged']}/{fw['benign']} benign"
        )
    for miss in main["missed_attacks"][:10]:
        console.print(f"[dim]missed[/dim] {escape(miss['category'])}: {escape(miss['text'][:100])}")
    for fp in main["false_positives"][:10]:
        console.print(f"[dim]false positive[/dim] {escape(fp['reason'])}: {escape(fp['text'][:100])}")


def _rate(figures: dict[str, Any], key: str = "safety_rate") -> str:
    value = figures.get(key)
    return "-" if value is None else _pct(value)


def _print_cross_source(report: dict[str, Any]) -> None:
    table = Table(title="Cross-source (leave-one-source-out): trained without the source, judged on it")
    for column in (
        "held-out source",
        "origin",
        "attacks",
        "blocked (safety)",
        "+ shop mode",
        "benign",
        "blocked (safety)",
        "redirected (shop mode)",
        "first version: attacks / benign",
    ):
        table.add_column(column, justify="left" if column in ("held-out source", "origin") else "right")
    for row in report["sources"]:
        deployed, base = row["deployed"], row["baseline_first_version"]
        name = row["source"] + (" *" if row["rules_written_with_it_in_view"] else "")
        benign = deployed["benign"]
        table.add_row(
            escape(name),
            escape(row["origin"]),
            str(deployed["attacks"]["n"] or "-"),
            _rate(deployed["attacks"]),
            _rate(deployed["attacks"], "stopped_rate"),
            str(benign["n"] or "-"),
            _rate(benign),
            f"{benign['shop_mode_redirected']}/{benign['n']}" if benign["n"] else "-",
            f"{_rate(base['attacks'])} / {_rate(base['benign'])}" + ("" if base["held_out"] else " (trained on it)"),
        )
    console.print(table)
    summary = Table(title="Means over held-out sources (each source counts once)")
    for column in (
        "layers",
        "attacks blocked (safety)",
        "benign blocked (safety)",
        "benign redirected",
        "worst source",
    ):
        summary.add_column(column, justify="left" if column in ("layers", "worst source") else "right")
    for name, figures in report["summary"].items():
        worst = figures["worst_attack_source"]
        summary.add_row(
            name,
            _pct(figures["attacks_blocked_safety_mean"] or 0.0),
            _pct(figures["benign_blocked_safety_mean"] or 0.0),
            _pct(figures["benign_redirected_shop_mode_mean"] or 0.0),
            f"{escape(str(worst['source']))} {_pct(worst['rate'] or 0.0)}",
        )
    console.print(summary)
    langs = Table(title="Cross-source, pooled by language (deployed)")
    for column in ("language/kind", "n", "blocked (safety)", "redirected (shop mode)"):
        langs.add_column(column, justify="left" if column == "language/kind" else "right")
    for key, figures in report["by_lang_pooled"].items():
        langs.add_row(escape(key), str(figures["n"]), _rate(figures), str(figures["shop_mode_redirected"]))
    console.print(langs)
    if report.get("overdefence"):
        od = report["overdefence"]
        console.print(f"over-defence set (held out): {od['safety_blocked']}/{od['n']} blocked for safety")
    console.print("[dim]* rules were written with this source in view: held out for the learned layers only[/dim]")


@eval_app.command("safety")
def eval_safety(  # noqa: PLR0917 (typer options)
    file: Annotated[
        Path | None,
        typer.Option(help='JSONL rows {"text", "label": "injection"|"harmful"|"benign", "lang"}; default: bundled'),
    ] = None,
    split: Annotated[str, typer.Option(help="bundled split for the per-set tables: test, train or all")] = "test",
    public: Annotated[bool, typer.Option(help="also score public sets shipped in installed packages")] = True,
    layers: Annotated[bool, typer.Option(help="also score rules alone and classifier alone")] = True,
    allow_off_topic: Annotated[bool, typer.Option(help="score as a shop that allows general chat")] = False,
    cross_source: Annotated[
        bool,
        typer.Option(help="leave-one-source-out report over every labelled source (trains one model per source)"),
    ] = True,
    out: Annotated[Path | None, typer.Option(help="write the full JSON report here")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="print the full report as one JSON object, no tables")
    ] = False,
) -> None:
    """Input-side safety on a labelled set: block rate, false positives, per category, per-step latency.

    Runs the same checks as the pipeline (rules, then the learned detector, then the split-turn check)
    without loading the language model. The headline is the cross-source report: for each labelled source
    (ours and the public sets installed with the ``safety-eval`` extra) the detector is trained on the others
    and judged on it. The per-set tables below it use the shipped detector, which was trained on every
    source, so they are not held-out figures.
    """
    from assistant.safety import build_input_checks
    from assistant.safety.datasets import DatasetInvalid, load_bundled, load_jsonl
    from assistant.safety.evaluate import evaluate_input, firewall_detection
    from assistant.safety.input_filters import ClassifierCheck, InjectionRules, OversizeInput
    from assistant.safety.sources import load_sources

    settings = Settings()
    if allow_off_topic:
        settings = settings.model_copy(update={"safety_block_off_topic": False})
    try:
        if file is not None:
            messages, name = load_jsonl(file), file.name
        else:
            if split not in ("test", "train", "all"):
                raise typer.BadParameter("split must be test, train or all")
            messages = [m for m in load_bundled() if split in ("all", m.split)]
            name = f"bundled/{split} (detector trained on it)"
    except DatasetInvalid as exc:
        raise _fail(exc) from exc
    except FileNotFoundError as exc:
        raise typer.BadParameter(f"no such file: {file}") from exc
    if allow_off_topic:  # for a shop that allows general chat, off-topic rows are not attacks
        messages = [m for m in messages if m.label != "off_topic"]

    def evaluate(cancel: threading.Event, bars: JobBars) -> dict[str, Any]:
        checks = build_input_checks(settings)
        for check in checks:
            if isinstance(check, ClassifierCheck):
                check.warm_up()  # load time is not per-message latency
        results: dict[str, Any] = {
            "sets": [evaluate_input(messages, checks, name, counted(bars, EVAL_CHECKED, cancel)).as_dict()]
        }
        if public and file is None:
            for source in load_sources()[1:]:  # the shipped detector was trained on most: not held-out figures
                name_shown = f"{source.name} ({'detector trained on it' if source.train else 'never trained on'})"
                results["sets"].append(
                    evaluate_input(source.messages, checks, name_shown, counted(bars, EVAL_CHECKED, cancel)).as_dict()
                )
            results["firewall"] = firewall_detection()
        if layers:
            block_off_topic = settings.safety_block_off_topic
            oversize = OversizeInput(settings.max_input_chars)
            rules_only: list[SafetyCheck] = [oversize, InjectionRules(block_off_topic=block_off_topic)]
            classifier_only: list[SafetyCheck] = [oversize, *(c for c in checks if isinstance(c, ClassifierCheck))]
            results["layers"] = {}
            for layer_name, layer_checks in (("rules", rules_only), ("classifier", classifier_only)):
                report = evaluate_input(messages, layer_checks, f"{name} {layer_name}").as_dict()
                results["layers"][layer_name] = {
                    "attack_block_rate": report["attack_block_rate"],
                    "benign_false_positive_rate": report["benign_false_positive_rate"],
                }
        if cross_source and file is None:
            from assistant.safety.crossval import cross_source_report

            def progress(note: str) -> None:
                err_console.print(f"[dim]cross-source: {escape(note)}[/dim]")
                if cancel.is_set():
                    raise JobCancelled(f"safety evaluation cancelled at '{note}': no report written")

            results["cross_source"] = cross_source_report(
                load_sources(public=public), settings, layers=layers, progress=progress
            )
        return results

    results = run_job(evaluate, bar_labels={EVAL_CHECKED: "checking"}, keeps="no report is written")
    if out is not None:
        write_report(out, results)
    if as_json:
        sys.stdout.write(json.dumps(results, ensure_ascii=False) + "\n")
        return
    if "cross_source" in results:
        _print_cross_source(results["cross_source"])
    _print_safety(results)
    summary = {
        "sets": [
            {k: r[k] for k in ("set", "attack_block_rate", "benign_false_positive_rate", "attacks", "benign")}
            | {"latency_ms_total": r["latency_ms"]["total"]}
            for r in results["sets"]
        ],
        "layers": results.get("layers", {}),
        "firewall": results.get("firewall"),
    }
    console.print_json(json.dumps(summary, ensure_ascii=False))
    if out is not None:
        console.print(f"full report: {escape(str(out))}")


@privacy_app.command("purge")
def privacy_purge(
    older_than: Annotated[
        float | None, typer.Option("--older-than", help="days; default: SHOPGUIDE_RETENTION_DAYS")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="count what would be deleted, delete nothing")] = False,
    shopper: Annotated[
        str | None,
        typer.Option("--shopper", help="erase everything about one shopper now (platform:user_id, e.g. telegram:42)"),
    ] = None,
) -> None:
    """Delete conversation memory, shopper profiles and reactions, audit entries, resolved handoff tickets and
    rotated logs older than DAYS; or, with --shopper, everything kept about one shopper (history included)."""
    from assistant.safety.retention import erase_shopper, purge

    settings = Settings()
    if shopper is not None:
        erased = erase_shopper(settings, shopper)
        console.print(
            f"erased {escape(shopper)}: {erased.profiles} profile, {erased.events} history events, "
            f"{erased.feedback} reactions, and their conversations",
            soft_wrap=True,
        )
        return
    days = settings.retention_days if older_than is None else older_than
    if days < 0:
        raise typer.BadParameter("--older-than must be 0 or more days")
    try:
        report = purge(settings, days, dry_run=dry_run)
    except ShopguideError as exc:
        report_error(exc)
        raise typer.Exit(code=2) from exc
    verb = "would delete" if dry_run else "deleted"
    console.print(
        f"{verb}: {report.conversations} conversations, {report.audit_entries} audit entries, "
        f"{report.handoff_tickets} resolved handoff tickets, {report.log_files} rotated log files, "
        f"{report.shopper_records} shopper profiles and reactions "
        f"(older than {days:g} days)"
    )


def _held_out_detector(held_out: list[str], path: Path) -> Path:
    """Train the learned detector on every labelled source but ``held_out`` and write it to ``path``."""
    from assistant.safety.sources import load_sources
    from assistant.safety.train import EmbeddingCache, fit_detector

    sources = load_sources()
    unknown = sorted(set(held_out) - {s.name for s in sources})
    if unknown:
        names = ", ".join(s.name for s in sources)
        raise typer.BadParameter(f"unknown source {', '.join(unknown)}; known: {names}", param_hint="--hold-out")
    kept = [s for s in sources if s.name not in held_out]
    messages = [m for s in kept for m in s.messages]
    err_console.print(f"training the detector without {', '.join(held_out)} ({len(messages)} messages)…")
    weights = fit_detector(messages, EmbeddingCache(), meta={"trained_on": [s.name for s in kept]})
    weights.save(path)
    return path


@eval_app.command("grounding")
def eval_grounding(
    generator: Annotated[
        str, typer.Option(help="model (the configured LLM), adversarial (obeys every injection) or none")
    ] = "model",
    limit: Annotated[int, typer.Option(help="only N questions, spread over the set (0 = all)")] = 0,
    out: Annotated[Path | None, typer.Option(help="write the full JSON report here")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the full report as one JSON object")] = False,
    hold_out: Annotated[
        list[str] | None,
        typer.Option(
            "--hold-out",
            help="train the learned detector without this labelled source (repeatable) and judge with it, so "
            "the harmful requests measure what a detector that never saw them does",
        ),
    ] = None,
) -> None:
    """Grounding on a catalog with poisoned and conflicting entries: price/SKU accuracy, unverified prices
    and SKUs, system-prompt / injected-canary / PII leaks, free/discount/guarantee/permanent claims the facts
    do not make, wrong-currency prices, harmful requests answered without a refusal, per-step latency. Uses
    the real pipeline.
    """
    import asyncio
    import tempfile

    from assistant.app import build_assistant, load_knowledge
    from assistant.safety.grounding import AdversarialGenerator, build_eval_catalog, run_grounding_eval

    if generator not in ("model", "adversarial", "none"):
        raise typer.BadParameter("generator must be model, adversarial or none")
    with tempfile.TemporaryDirectory(prefix="shopguide-grounding-") as tmp:
        catalog_dir = build_eval_catalog(Path(tmp) / "catalog")
        base = Settings()
        update: dict[str, Any] = {"data_dir": Path(tmp) / "data", "catalog_dir": catalog_dir}
        if hold_out:
            update["safety_classifier_path"] = _held_out_detector(hold_out, Path(tmp) / "detector.npz")
        settings = base.model_copy(update=update)
        try:
            knowledge = load_knowledge(settings)
            assistant = build_assistant(
                settings,
                generator=AdversarialGenerator() if generator == "adversarial" else None,
                use_configured_generator=generator == "model",
                knowledge=knowledge,
            )
        except ShopguideError as exc:
            raise _fail(exc) from exc

        def ask_all(cancel: threading.Event, bars: JobBars) -> dict[str, Any]:
            on_answer = counted(bars, EVAL_STAGE, cancel)
            return asyncio.run(run_grounding_eval(assistant, catalog_dir, limit=limit, on_answer=on_answer))

        try:
            report = run_job(ask_all, bar_labels=EVAL_BARS, keeps="no report is written")
        finally:
            asyncio.run(assistant.aclose())
    report["detector_held_out"] = sorted(hold_out or [])
    if out is not None:
        write_report(out, report)
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
        return
    table = Table(
        title=f"Grounding with poisoned and conflicting entries ({report['questions']} questions, {generator})"
    )
    table.add_column("metric")
    table.add_column("value", justify="right")
    for label, key in (
        ("price accuracy (asked price stated)", "price_accuracy"),
        ("SKU accuracy (asked SKU stated)", "sku_accuracy"),
    ):
        value = report[key]
        table.add_row(label, "-" if value is None else _pct(value))
    for label, key in (
        ("unverified prices in answers", "unverified_prices"),
        ("unverified SKUs in answers", "unverified_skus"),
        ("system-prompt leaks", "prompt_leaks"),
        ("injected canary in answers", "canary_leaks"),
        ("answers with PII", "pii_leaks"),
        ("fell back to the retrieval-only answer", "degraded"),
        ("prices in a currency the catalog does not use", "wrong_currency_prices"),
    ):
        table.add_row(label, str(report[key]))
    for group, count in report["claims_beyond_facts"].items():
        table.add_row(f"{group} claims the facts do not make", str(count))
    table.add_row(
        "harmful requests answered without a refusal",
        f"{report['harmful_complied']} of {report['harmful_requests']}",
    )
    table.add_row(
        "shopping messages with trigger words refused",
        f"{report['shopping_refused']} of {report['shopping_trigger_requests']}",
    )
    for name, value in report["latency_ms_p50"].items():
        table.add_row(f"p50 ms: {name}", f"{value:.1f}")
    console.print(table)
    summary = {k: v for k, v in report.items() if k != "results"}
    console.print_json(json.dumps(summary, ensure_ascii=False))
    if out is not None:
        console.print(f"full report: {escape(str(out))}")
