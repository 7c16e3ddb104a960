"""The second-catalog evaluation: the judge's rules on fixed answers, and `shopguide eval --catalog` end to end."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.evaluation.catalog_eval import OUTDOOR_CATALOG, OUTDOOR_QUESTIONS, load_questions
from assistant.evaluation.judge import CatalogIndex, judge, load_rules
from bots.cli import app

runner = CliRunner()


@dataclass
class Item:
    sku: str
    name: str
    price: float | None
    stock: int | None
    description: str
    name_zh: str = ""
    brand: str = ""
    description_zh: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Card:
    sku: str
    price: float
    stock: int


COOLER = Item("CL-1", "Glacier 25 L Cooler", 488.0, 10, "Capacity: 25 L\nEmpty weight: 5.5 kg\nDrain plug: no")
LAMP = Item("CL-2", "Beacon 350 Headlamp", 128.0, 0, "Max output: 350 lumens\nRed light mode: yes")
INDEX = CatalogIndex.build([COOLER, LAMP], ["Orders over ¥299 ship free; returns within 30 days."], load_rules())


def test_yes_no_is_read_from_the_first_clause_in_both_languages() -> None:
    row = {"kind": "yesno", "lang": "en", "q": "Does the Glacier 25 L Cooler have a drain plug?", "skus": ["CL-1"],
           "answer": "no"}  # fmt: skip
    assert judge(row, "No, the Glacier 25 L Cooler has no drain plug.", [], INDEX).fully_right
    assert judge(row, "The Glacier 25 L Cooler does not have a drain plug.", [], INDEX).fully_right
    wrong = judge(row, "Yes, it has a drain plug; no wheels though.", [], INDEX)
    assert (wrong.yes_no, wrong.fully_right) == ("yes", False)
    zh = {**row, "lang": "zh", "q": "Glacier 25 L Cooler有排水塞吗？"}
    assert judge(zh, "Glacier 25 L Cooler没有排水塞。", [], INDEX).yes_no == "no"
    assert judge({**zh, "answer": "yes"}, "有的，Glacier 25 L Cooler带排水塞。", [], INDEX).fully_right
    unparsed = judge(row, "Here is what I know about the Glacier 25 L Cooler: capacity 25 L.", [], INDEX)
    assert unparsed.yes_no is None and not unparsed.fully_right


def test_a_number_in_the_wrong_role_or_without_a_fact_fails_the_answer() -> None:
    row = {"kind": "price", "lang": "en", "q": "How much is the Glacier 25 L Cooler?", "skus": ["CL-1"], "price": 488}
    assert judge(row, "The Glacier 25 L Cooler costs ¥488 and holds 25 L.", [], INDEX).fully_right
    # The stock count (10) turned into a capacity: a number in a wrong role.
    mixed = judge(row, "The Glacier 25 L Cooler costs ¥488 and holds 10 litres.", [], INDEX)
    assert mixed.wrong_role == ["10 as volume_l (the catalog's stock)"] and not mixed.fully_right
    invented = judge(row, "The Glacier 25 L Cooler costs 488元, weighs 3 kg.", [], INDEX)
    assert invented.unsupported == ["3000 as weight_g"] and not invented.fully_right
    # A price right after a Chinese word ("卖488元", "价格是488元") is a price, not part of a model code.
    zh = {**row, "lang": "zh", "q": "Glacier 25 L Cooler卖多少钱"}
    assert judge(zh, "Glacier 25 L Cooler卖488元。", [], INDEX).fully_right
    assert judge(zh, "Glacier 25 L Cooler的价格是488元，有货。", [], INDEX).fully_right


def test_unanswerable_needs_an_honest_dont_know_and_echoes_are_caught() -> None:
    row = {"kind": "unanswerable", "lang": "zh", "q": "Beacon 350 Headlamp是什么颜色的？", "skus": ["CL-2"],
           "unanswerable": True}  # fmt: skip
    assert judge(row, "商品信息中没有注明Beacon 350 Headlamp的颜色，建议联系客服。", [], INDEX).fully_right
    assert not judge(row, "Beacon 350 Headlamp是黑色的。", [], INDEX).fully_right
    echo = judge(row, "Beacon 350 Headlamp是什么颜色的？不知道。", [], INDEX)
    assert echo.echoed and not echo.fully_right
    sold_out = {"kind": "stock", "lang": "en", "q": "Is the Beacon 350 Headlamp in stock?", "skus": ["CL-2"],
                "in_stock": False}  # fmt: skip
    assert judge(sold_out, "Sorry, the Beacon 350 Headlamp is out of stock.", [Card("CL-2", 128, 0)], INDEX).fully_right
    assert not judge(sold_out, "The Beacon 350 Headlamp is in stock.", [], INDEX).fully_right


def test_bundled_questions_cover_every_gold_kind_in_both_languages() -> None:
    rows = load_questions(OUTDOOR_QUESTIONS)
    assert len(rows) >= 100
    assert {r["lang"] for r in rows} == {"zh", "en"}
    yes_no = [r["answer"] for r in rows if r["kind"] == "yesno"]
    assert abs(yes_no.count("yes") - yes_no.count("no")) <= 2
    assert {"price", "stock", "cheapest", "most_expensive", "budget", "yesno", "not_sold", "unanswerable"} <= {
        r["kind"] for r in rows
    }


def _mini_catalog(folder: Path, prefixes: tuple[str, ...]) -> None:
    """A slice of the bundled Shopify export (whole product lines) plus the shop's policies."""
    folder.mkdir()
    source = OUTDOOR_CATALOG / "products_export.csv"
    with (
        source.open(encoding="utf-8", newline="") as src,
        (folder / "products_export.csv").open("w", encoding="utf-8", newline="") as out,
    ):
        reader = csv.DictReader(src)
        writer = csv.DictWriter(out, fieldnames=list(reader.fieldnames or []))
        writer.writeheader()
        writer.writerows(r for r in reader if r["Variant SKU"].startswith(prefixes))
    shutil.copy(OUTDOOR_CATALOG / "policies.md", folder / "policies.md")


def test_eval_catalog_runs_end_to_end_without_a_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _mini_catalog(tmp_path / "shop", ("CL-TNT-", "CL-HLP-"))
    rows = [r for r in load_questions(OUTDOOR_QUESTIONS) if any(s.startswith(("CL-TNT", "CL-HLP"))
            for s in r.get("skus", []))][:4] + [r for r in load_questions(OUTDOOR_QUESTIONS)
                                               if r["kind"] == "not_sold"][:1]  # fmt: skip
    price_row = {"id": "p1", "kind": "price", "lang": "en", "q": "How much is the Ridgeback 1 Ultralight Tent?",
                 "skus": ["CL-TNT-001"], "price": None}  # fmt: skip
    questions = tmp_path / "questions.jsonl"
    questions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [price_row, *rows]), encoding="utf-8")
    monkeypatch.setenv("SHOPGUIDE_DATA_DIR", str(tmp_path / "unused"))
    monkeypatch.setenv("SHOPGUIDE_LLM_BACKEND", "none")
    out = tmp_path / "report.json"
    result = runner.invoke(
        app, ["eval", "--catalog", str(tmp_path / "shop"), "--questions", str(questions), "--json", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["questions"] == len(rows) + 1
    # 32 tent and headlamp SKUs; the loader refuses the ones without a price or tracked stock, and says so.
    assert report["load"]["products"] + report["load"]["rows_refused"] == 32
    assert all(p.startswith(str(tmp_path / "shop")) for p in report["load"]["problems"])
    first = report["results"][0]
    assert "Ridgeback 1 Ultralight Tent" in first["answer"] and first["named"][0] == "CL-TNT-001"
    assert first["checks"]["product"] and first["checks"]["language"]
    assert set(report) >= {"fully_right", "yes_no_accuracy", "honest_dont_know", "false_abstain",
                           "numbers_wrong_role", "echoed", "by_language"}  # fmt: skip
    assert json.loads(out.read_text(encoding="utf-8"))["questions"] == report["questions"]
    assert not (tmp_path / "unused" / "chroma").exists()  # the throw-away data dir, not the configured one
    # The stored answers can be scored again with the current judge without asking anything.
    again = runner.invoke(
        app,
        ["eval", "--catalog", str(tmp_path / "shop"), "--questions", str(questions), "--rejudge", str(out), "--json"],
    )
    assert again.exit_code == 0, again.output
    rejudged = json.loads(again.stdout.strip().splitlines()[-1])
    assert [r["fully_right"] for r in rejudged["results"]] == [r["fully_right"] for r in report["results"]]
    assert [r["answer"] for r in rejudged["results"]] == [r["answer"] for r in report["results"]]
