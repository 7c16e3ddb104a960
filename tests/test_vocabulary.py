"""Understanding a shop that is not the demo: its categories, zh/en names, brands and "do you sell X?" answers
come from its own catalog (a few CSV rows written here, in kinds neither the demo nor the lexicon knows)."""

from __future__ import annotations

import pytest

from assistant.types import Intent
from assistant.understanding import CatalogVocabulary, Understander
from knowledge.loaders import load_paths
from knowledge.models import Product

HOME_SHOP_CSV = """Handle,Title,Body (HTML),Vendor,Product Type,Tags,Variant SKU,Variant Price,Variant Inventory Qty,\
Option1 Name,Option1 Value
frost-a1,Frostline Refrigerator A1,Quiet two-door fridge.,Frostline,Refrigerators,冰箱,HM-FRG-001,3299,4,Finish,steel
frost-b2,Frostline Refrigerator B2,Large fridge.,Frostline,Refrigerators,冰箱,HM-FRG-002,4599,0,Finish,white
lounge-3,Lounge Sofa 3-Seat,Linen sofa.,Calmo,Sofas,,HM-SOF-001,2899,2,Fabric,linen
lounge-2,Lounge Sofa 2-Seat,Velvet sofa.,Calmo,Sofas,,HM-SOF-002,1999,7,Fabric,velvet
drill-x,Torque Power Drill X,Cordless drill.,Torque,Power-Drills,电钻,HM-DRL-001,499,12,Finish,black
"""


@pytest.fixture(scope="module")
def home_products(tmp_path_factory: pytest.TempPathFactory) -> list[Product]:
    path = tmp_path_factory.mktemp("home") / "products_export.csv"
    path.write_text(HOME_SHOP_CSV, "utf-8")
    loaded = load_paths([path])
    assert loaded.problems == []
    return loaded.products


@pytest.fixture(scope="module")
def home(home_products: list[Product]) -> Understander:
    return Understander(CatalogVocabulary.from_products(home_products))


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("show me refrigerators under 4000", "refrigerators"),
        ("Any REFRIGERATOR in stock?", "refrigerators"),
        ("I need a power drill", "power_drills"),
        ("recommend power-drills", "power_drills"),
        ("推荐一款冰箱", "refrigerators"),  # the shop's zh tag names the kind
        ("有现货的电钻里最便宜的是哪款？", "power_drills"),
        ("最便宜的沙发是哪款？", "sofas"),  # no zh name in the data: matched by meaning
        ("what's the cheapest couch you have?", "sofas"),  # a synonym, by meaning
    ],
)
def test_categories_come_from_the_catalog_in_both_languages(home: Understander, text: str, category: str) -> None:
    u = home.understand(text, "zh" if not text.isascii() else "en", [], has_need=False)
    assert u.slots.category == category
    assert u.not_carried is None and u.intent is Intent.RECOMMEND


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("Do you sell skateboards?", "skateboards"),
        ("do you have any aquariums", "aquariums"),
        ("你们卖滑板吗？", "滑板"),
        ("有没有鱼缸", "鱼缸"),
    ],
)
def test_kinds_the_shop_does_not_carry_are_named(home: Understander, text: str, item: str) -> None:
    u = home.understand(text, "en", [], has_need=False)
    assert u.not_carried == item
    assert u.intent is Intent.RECOMMEND


@pytest.mark.parametrize(
    ("text", "category"),
    [("Do you sell fridges?", "refrigerators"), ("你们卖沙发吗？", "sofas"), ("do you carry Calmo?", None)],
)
def test_do_you_sell_a_kind_or_brand_the_shop_has_is_not_refused(
    home: Understander, text: str, category: str | None
) -> None:
    u = home.understand(text, "en", [], has_need=False)
    assert u.not_carried is None
    assert u.slots.category == category


def test_labels_brands_and_attribute_values_come_from_the_catalog(home: Understander) -> None:
    vocabulary = home.vocabulary
    assert vocabulary.label("refrigerators", "en") == "Refrigerators"
    assert vocabulary.label("refrigerators", "zh") == "冰箱"
    assert vocabulary.label("power_drills", "en") == "Power drills"
    assert vocabulary.label("sofas", "zh") == "Sofas"  # no zh name in the data: never invented
    u = home.understand("a velvet sofa from calmo", "en", [], has_need=False)
    assert (u.slots.category, u.slots.brand, u.slots.attributes) == ("sofas", "Calmo", {"fabric": "velvet"})
    # An enum value of another category is not a must-have here ("linen" is a sofa fabric, not a finish).
    assert home.understand("white refrigerator", "en", [], has_need=False).slots.attributes == {"finish": "white"}


def test_the_demo_vocabulary_still_holds(home_products: list[Product]) -> None:
    """Words of the demo's kinds (lexicon defaults) do not leak into a shop that does not sell them."""
    u = Understander(CatalogVocabulary.from_products(home_products)).understand(
        "running shoes under 500", "en", [], has_need=False
    )
    assert u.slots.category is None


def test_a_kind_whose_name_holds_a_use_word_is_still_a_kind(home: Understander) -> None:
    assert home.understand("Do you sell board games?", "en", [], has_need=False).not_carried == "board games"
    assert home.understand("do you have anything for travel?", "en", [], has_need=False).not_carried is None


def test_two_products_with_one_name_are_both_named() -> None:
    twins = [
        Product(sku=f"TW-{n}", name="Halden Desk Fan F2", category="fans", price=price, stock=1)
        for n, price in (("1", 199.0), ("2", 259.0))
    ]
    u = Understander(CatalogVocabulary.from_products(twins, embeddings=False))
    assert u.understand("How much is the Halden Desk Fan F2?", "en", [], has_need=False).named_skus == ["TW-1", "TW-2"]


def test_chinese_names_from_product_names_and_bilingual_category_names() -> None:
    products = [
        Product(
            sku="K-1", name="Norvik Kettle 1", name_zh="Norvik 电水壶 1.7升", category="kettles", price=99, stock=1
        ),
        Product(sku="K-2", name="Norvik Kettle 2", name_zh="Norvik 静音电水壶", category="kettles", price=129, stock=1),
        Product(sku="K-3", name="Halden Kettle", name_zh="Halden 电水壶", category="kettles", price=159, stock=1),
        Product(sku="D-1", name="Halden Dishwasher", category="洗碗机 dishwashers", price=2999, stock=2),
    ]
    vocabulary = CatalogVocabulary.from_products(products, embeddings=False)
    understander = Understander(vocabulary)
    assert understander.category_of(" 有没有便宜的电水壶 ") == "kettles"
    assert vocabulary.label("kettles", "zh") == "电水壶"
    assert understander.category_of(" 推荐一款洗碗机 ") == "洗碗机 dishwashers"
    assert understander.category_of(" any dishwasher under 3000? ") == "洗碗机 dishwashers"
    assert (vocabulary.label("洗碗机 dishwashers", "en"), vocabulary.label("洗碗机 dishwashers", "zh")) == (
        "Dishwashers",
        "洗碗机",
    )


def test_an_english_name_right_before_chinese_text_is_named(home: Understander) -> None:
    u = home.understand("Lounge Sofa 2-Seat卖多少钱", "zh", [], has_need=False)
    assert (u.named_skus, u.intent) == (["HM-SOF-002"], Intent.PRODUCT_INFO)


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("I'm looking for a hammock, do you have one?", "hammock"),
        ("想买一个吊床，有吗？", "吊床"),
        ("你们有登山鞋吗？", "登山鞋"),  # "登山" is a use word, "鞋" still names a kind
    ],
)
def test_kinds_asked_for_in_two_clauses_or_with_a_use_word(home: Understander, text: str, item: str) -> None:
    assert home.understand(text, "en", [], has_need=False).not_carried == item


@pytest.mark.parametrize("text", ["有防水的吗？", "有没有适合登山的？", "有便宜点的吗", "do you have it in red?"])
def test_must_haves_uses_and_pronouns_are_not_kinds(home: Understander, text: str) -> None:
    assert home.understand(text, "zh", [], has_need=False).not_carried is None


def test_a_title_names_its_variants_and_an_option_picks_one() -> None:
    variants = [
        Product(
            sku=f"SB-{size[0]}", name=f"Ember Down Sleeping Bag - {size}", category="sleeping_bags", price=p, stock=1
        )
        for size, p in (("Regular", 1848.0), ("Long", 1928.0))
    ]
    vocabulary = CatalogVocabulary.from_products(variants, embeddings=False)
    assert sorted(vocabulary.named_skus("How much is the Ember Down Sleeping Bag?")) == ["SB-L", "SB-R"]
    assert vocabulary.named_skus("What does the Ember Down Sleeping Bag (Long) cost?") == ["SB-L"]
    # A Chinese question names the option in Chinese: the common value words translate it.
    assert vocabulary.named_skus("Ember Down Sleeping Bag（加长款）多少钱？") == ["SB-L"]


PARTIAL_SHOP = [
    Product(sku="T-1", name="Ridgeback 1 Ultralight Tent", name_zh="山脊 1人超轻帐篷", category="tents", price=1118,
            stock=2, description="A 1-person ultralight tent."),
    Product(sku="T-2", name="Ridgeback 2 Ultralight Tent", name_zh="山脊 2人超轻帐篷", category="tents", price=1398,
            stock=0, description="A 2-person ultralight tent."),
    Product(sku="T-3", name="Cirrus 3 Dome Tent", name_zh="卷云 3人圆顶帐篷", category="tents", price=899, stock=4,
            description="A roomy ultralight dome tent for three."),
    Product(sku="L-1", name="Featherbed Lantern", name_zh="羽床 营地灯", category="lanterns", price=199, stock=9,
            description="A warm camp lantern."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "skus"),
    [
        ("How much is the Ridgeback 2?", ["T-2"]),  # a model family's name and its number
        ("is the cirrus 3 in stock", ["T-3"]),
        ("Does the Featherbed run on batteries?", ["L-1"]),  # a coined name alone
        ("卷云帐篷多少钱？", ["T-3"]),  # a Chinese model name inside a longer phrase
        ("Ridgeback 1 or Cirrus 3, which is lighter?", ["T-1", "T-3"]),
        ("How much is the Ridgeback?", []),  # two Ridgebacks: a guess would be wrong half the time
        ("what is your cheapest ultralight tent?", []),  # describing words name a kind, not a product
        ("有超轻帐篷吗？", []),
    ],
)
def test_a_product_named_by_part_of_its_title_is_recognised(text: str, skus: list[str]) -> None:
    vocabulary = CatalogVocabulary.from_products(PARTIAL_SHOP, embeddings=False)
    assert vocabulary.named_skus(text) == skus
