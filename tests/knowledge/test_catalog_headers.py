"""Catalog exports as shops really have them: header spellings of Shopify and WooCommerce, past and present,
unknown columns reported by name, a missing category column warned about, mapped categories in any case."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.loaders import LoadOptions, load_paths

# Shopify's current export (2024+): "URL handle", "Description", "SKU", "Price", "Inventory quantity".
SHOPIFY_NEW = """URL handle,Title,Description,Vendor,Product category,Type,Tags,Published on online store,Status,\
SKU,Barcode,Option1 name,Option1 value,Price,Compare-at price,Inventory quantity,Product image URL,Gift card,\
Color swatch
fjord-kettle,Fjord Kettle,<p>Boils fast.</p>,Fjord,Home & Garden > Kitchen Appliances > Kettles,Electric Kettles,\
电水壶,TRUE,active,FJ-K1,123,Title,Default Title,259.00,299.00,14,https://x/k.jpg,FALSE,silver
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize(
    "header", ["Type", "Product Type", "Product Category", "Product category", "Custom Product Type"]
)
def test_shopify_category_header_variants_are_read(tmp_path: Path, header: str) -> None:
    csv_text = (
        f"Handle,Title,Body (HTML),Vendor,{header},Tags,Variant SKU,Variant Price,Variant Inventory Qty\n"
        "aria-lipstick,Aria Matte Lipstick,Soft matte.,Aria,Beauty > Makeup > Lipsticks,口红,AR-L1,129.00,8\n"
    )
    loaded = load_paths([write(tmp_path / "export.csv", csv_text)])

    assert loaded.problems == []
    (product,) = loaded.products
    assert (product.category, product.price, product.stock, product.brand) == ("lipsticks", 129.0, 8, "Aria")
    assert not any("no category column" in n for n in loaded.notices)


def test_current_shopify_export_reads_and_reports_every_column_it_does_not_import(tmp_path: Path) -> None:
    path = write(tmp_path / "products_export.csv", SHOPIFY_NEW)

    loaded = load_paths([path])

    assert loaded.problems == []
    (product,) = loaded.products
    assert (product.sku, product.name, product.price, product.stock) == ("FJ-K1", "Fjord Kettle", 259.0, 14)
    assert product.category == "electric_kettles"  # the shop's own type wins over the standard taxonomy
    assert product.uses == ["电水壶"] and product.image_url == "https://x/k.jpg"
    notices = "\n".join(loaded.notices)
    assert f'{path}: warning: unknown columns, not imported: "Color swatch"' in notices
    assert f"{path}: shopify columns not used:" in notices and '"Compare-at price"' in notices


def test_a_missing_category_column_is_warned_not_silently_uncategorised(tmp_path: Path) -> None:
    csv_text = (
        "Handle,Title,Vendor,Kind Of Thing,Variant SKU,Variant Price,Variant Inventory Qty\n"
        "t1,Trail Tent 2,Ostra,Tents,OS-T2,899,3\n"
    )
    path = write(tmp_path / "tents.csv", csv_text)

    loaded = load_paths([path])

    assert any(n.startswith(f"{path}: warning: no category column found") for n in loaded.notices)
    assert any('unknown columns, not imported: "Kind Of Thing"' in n for n in loaded.notices)


def test_old_and_new_woocommerce_headers(tmp_path: Path) -> None:
    current = (
        "ID,Type,SKU,Name,Published,Short description,Description,In stock?,Stock,Sale price,Regular price,"
        "Categories,Tags,Brands,Images,Attribute 1 name,Attribute 1 value(s),Attribute 1 visible,Weight (kg)\n"
        "5,simple,DW-45,Quiet Dishwasher 45,1,,Quiet.,1,6,,3999,Appliances > Dishwashers,洗碗机,Halden,,"
        "Width,45 cm,1,30\n"
    )
    legacy = (
        "post_title,sku,post_content,regular_price,sale_price,stock,tax:product_cat,tax:product_tag,attribute:pa_color\n"
        "Rose Lipstick,LP-1,Creamy.,99,79,12,Beauty > Lipsticks,口红,red\n"
    )
    loaded = load_paths([write(tmp_path / "wc.csv", current), write(tmp_path / "wc_old.csv", legacy)])

    assert loaded.problems == []
    by_sku = {p.sku: p for p in loaded.products}
    washer, lipstick = by_sku["DW-45"], by_sku["LP-1"]
    assert (washer.category, washer.brand, washer.price, washer.stock) == ("dishwashers", "Halden", 3999.0, 6)
    assert washer.attributes == {"width": "45 cm"}
    assert (lipstick.category, lipstick.price, lipstick.stock, lipstick.uses) == ("lipsticks", 79.0, 12, ["口红"])
    assert lipstick.attributes == {"color": "red"}
    assert not any("unknown columns" in n for n in loaded.notices)


def test_mapped_categories_match_in_any_case_and_unmapped_columns_are_reported(tmp_path: Path) -> None:
    csv_text = (
        "Code,Product,Group,Cost,Qty,Shelf\n"
        "B-1,Birch Board Game,Board Games,120,4,A3\n"
        "B-2,Oak Chess,board games,90,2,A4\n"
    )
    path = write(tmp_path / "inventory.csv", csv_text)
    mapping = {"sku": "code", "name": "PRODUCT", "category": "Group", "price": "Cost", "stock": "Qty"}

    loaded = load_paths([path], LoadOptions(column_map=mapping))

    assert loaded.problems == []
    assert {p.category for p in loaded.products} == {"board_games"}
    assert any(f'{path}: warning: unknown columns, not imported: "Shelf"' in n for n in loaded.notices)


def test_shopify_metafields_carry_chinese_names_and_attributes(tmp_path: Path) -> None:
    csv_text = (
        "Handle,Title,Type,Variant SKU,Variant Price,Variant Inventory Qty,"
        "Chinese title (product.metafields.custom.title_zh),product.metafields.custom.material,"
        "Color (product.metafields.shopify.color-pattern)\n"
        "wok-1,Iron Wok 32,Woks,WK-1,199,3,铸铁炒锅 32厘米,cast iron,gid://shopify/Metaobject/1\n"
    )
    path = write(tmp_path / "woks.csv", csv_text)

    loaded = load_paths([path])

    (product,) = loaded.products
    assert (product.name_zh, product.attributes) == ("铸铁炒锅 32厘米", {"material": "cast iron"})
    assert not any("unknown columns" in n for n in loaded.notices)


def test_a_mapping_on_a_shopify_export_overrides_single_columns(tmp_path: Path) -> None:
    csv_text = (
        "Handle,Title,Vendor,Kind,Variant SKU,Variant Price,Variant Inventory Qty,Shelf,Option1 Name,Option1 Value\n"
        "t1,Trail Tent,Ostra,Tents,OS-T2,899,3,A3,Size,2P\n"
        "t1,,,,OS-T3,999,0,A4,,3P\n"
    )
    path = write(tmp_path / "tents.csv", csv_text)

    loaded = load_paths([path], LoadOptions(column_map={"category": "kind", "attr.shelf": "Shelf"}))

    assert loaded.problems == []
    by_sku = {p.sku: p for p in loaded.products}
    assert by_sku["OS-T3"].name == "Trail Tent - 3P"  # variants still read the Shopify way
    assert {p.category for p in loaded.products} == {"tents"}
    assert by_sku["OS-T2"].attributes == {"size": "2P", "shelf": "A3"}
    assert by_sku["OS-T3"].attributes == {"size": "3P", "shelf": "A4"}
    assert not any("no category column" in n or "unknown columns" in n for n in loaded.notices)
