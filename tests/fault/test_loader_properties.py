"""Property-based tests of the catalog loaders: whatever rows or bytes a file holds, loading it never
raises anything but a ``ShopguideError``, every problem names its file (and line), and every product
that gets through has finite, bounded numbers.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.errors import ShopguideError
from knowledge.loaders import load_paths
from knowledge.models import MAX_PRICE, MAX_STOCK, Product

# Enough examples to find the classic breakers (NaN, huge ints, odd encodings) in a few seconds each.
EXAMPLES = 150
FILE_KINDS = ("products.jsonl", "products.json", "catalog.csv", "reviews.jsonl", "faq.md")

numbers = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["inf", "-inf", "NaN", "Infinity", "1e400", "¥1,299.00", "1.299,00 €", "", " ", "1_000"]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=20))
attributes = st.dictionaries(st.text(max_size=8), scalars, max_size=3)
rows = st.fixed_dictionaries(
    {},
    optional={
        "sku": st.one_of(st.text(max_size=70), numbers),
        "name": scalars,
        "category": scalars,
        "price": st.one_of(numbers, scalars),
        "stock": st.one_of(numbers, scalars),
        "currency": scalars,
        "attributes": st.one_of(attributes, scalars),
        "uses": st.one_of(st.lists(st.text(max_size=8), max_size=3), scalars),
        "description": scalars,
        "language": scalars,
        "rating": numbers,
        "text": scalars,
    },
)
FILE_LINE = re.compile(r"^(?P<file>/[^:]+):(?:\d+|item \d+)?:? ")


def json_line(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False)  # writes NaN and Infinity as JSON's non-standard tokens


def check(path: Path) -> None:
    try:
        loaded = load_paths([path])
    except ShopguideError:
        return  # a clean, coded refusal is an acceptable outcome
    for problem in loaded.problems:
        match = FILE_LINE.match(problem)
        assert match and match.group("file") == str(path), problem
    for product in loaded.products:
        assert isinstance(product, Product)
        assert product.price is None or (math.isfinite(product.price) and 0 <= product.price <= MAX_PRICE)
        assert product.stock is None or 0 <= product.stock <= MAX_STOCK
        assert all(not isinstance(v, float) or math.isfinite(v) for v in product.attributes.values())
        Product.model_validate_json(product.model_dump_json())  # what a release writes, it can read back


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(rows, max_size=6))
def test_random_jsonl_rows_load_or_fail_with_file_and_line(tmp_path: Path, data: list[dict[str, Any]]) -> None:
    path = tmp_path / "products.jsonl"
    path.write_text("\n".join(json_line(r) for r in data) + "\n", encoding="utf-8")
    check(path)
    reviews = tmp_path / "reviews.jsonl"
    reviews.write_text("\n".join(json_line(r) for r in data) + "\n", encoding="utf-8")
    check(reviews)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.one_of(st.text(max_size=12), numbers.map(str)), min_size=1, max_size=7), max_size=6))
def test_random_csv_cells_load_or_fail_with_file_and_line(tmp_path: Path, cells: list[list[str]]) -> None:
    header = "sku,name,category,price,stock,attributes,uses\n"
    body = "".join(",".join(json.dumps(c, ensure_ascii=False) for c in row) + "\n" for row in cells)
    path = tmp_path / "catalog.csv"
    path.write_text(header + body, encoding="utf-8")
    check(path)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(FILE_KINDS), st.binary(max_size=400), st.sampled_from(["raw", "gbk-text", "utf16"]))
def test_random_bytes_in_any_catalog_file_never_crash(tmp_path: Path, name: str, data: bytes, form: str) -> None:
    if form == "gbk-text":
        data = data.decode("latin-1").encode("gb18030")
    elif form == "utf16":
        data = "\ufeff".encode("utf-16-le") + data
    path = tmp_path / name
    path.write_bytes(data)
    check(path)
