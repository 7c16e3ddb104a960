"""The staff commands: shoppers import / train, report feedback, privacy purge --shopper, eval recommend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.personal.profile import Feedback, Preference, ShopperProfile, SQLiteProfileStore
from bots.cli import app

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_logging: None) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("SHOPGUIDE_DATA_DIR", str(folder))
    return folder


def test_import_train_report_and_erase_one_shopper(data_dir: Path, tmp_path: Path) -> None:
    rows = ["shopper,sku,event,timestamp"]
    for n in range(30):
        rows += [f"web:{n},SG-RUN-0001,purchase,2024-05-0{1 + n % 9}", f"web:{n},SG-BTL-0001,purchase,2024-06-01"]
    rows.append("telegram:42,SG-RUN-0001,purchase,2024-05-14T10:00:00")
    events = tmp_path / "events.csv"
    events.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["shoppers", "import", str(events)])
    assert result.exit_code == 0, result.output
    assert "61 events of 31 shoppers (61 purchase)" in result.output
    assert "stored 61 new events" in result.output
    again = runner.invoke(app, ["shoppers", "import", str(events)])
    assert "stored 0 new events (61 were already stored)" in again.output

    bad = tmp_path / "bad.csv"
    bad.write_text("shopper,sku,event,timestamp\nweb:1,SG-RUN-0001,bought it,2024-05-01\n", encoding="utf-8")
    refused = runner.invoke(app, ["shoppers", "import", str(bad)])
    assert refused.exit_code == 1
    assert f"{bad}:2: event type 'bought it' is not one of view, cart, purchase, return" in refused.output
    assert "nothing imported" in refused.output

    untrained = runner.invoke(app, ["shoppers", "train"])
    assert untrained.exit_code == 1, "the model is stored with a catalog release (tests/personal/test_release_model.py)"
    assert "no live catalog release to store the model with" in untrained.output

    store = SQLiteProfileStore(data_dir / "memory.sqlite3")
    store.add_feedback(Feedback("down", "telegram:42:-:42", 1.0, ("SG-BTL-0001",), "a bottle please", "telegram:42"))

    def dislike_lumo(profile: ShopperProfile) -> None:
        profile.remember(Preference("brand", "Lumo", liked=False))

    store.update("telegram:42", dislike_lumo)
    store.close()
    report = runner.invoke(app, ["report", "feedback", "--json"])
    data = json.loads(report.stdout)
    assert data["reactions"] == {"up": 0, "down": 1, "other": 0}
    assert data["passed_on_skus"] == [["SG-BTL-0001", 1]]
    assert data["questions_rated_down"] == [["a bottle please", 1]]

    erased = runner.invoke(app, ["privacy", "purge", "--shopper", "telegram:42"])
    assert erased.exit_code == 0, erased.output
    assert "erased telegram:42: 1 profile, 1 history events, 1 reactions" in erased.output
    store = SQLiteProfileStore(data_dir / "memory.sqlite3")
    assert store.events("telegram:42") == [] and store.load("telegram:42").preferences == []
    assert len(store.events("web:3")) == 2, "other shoppers keep their history"
    store.close()


def test_eval_recommend_beats_popularity_by_half_again(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "recommend.json"
    result = runner.invoke(app, ["eval", "recommend", "--shoppers", "600", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text("utf-8"))
    by = {r["name"]: r for r in report["results"]}
    assert {"popularity", "item_cosine", "bm25 item-knn (implicit, served)", "als (implicit)"} <= set(by)
    served = by["bm25 item-knn (implicit, served)"]
    assert served["hit_rate_vs_popularity"] >= 1.5
    assert served["ndcg"] > by["popularity"]["ndcg"]
    assert "HR@10" in result.output
