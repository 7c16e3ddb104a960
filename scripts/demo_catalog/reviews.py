"""Demo reviews: sentences each product's attributes make true, drawn in a fixed order."""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Literal

from knowledge.models import AttributeValue, Product, Review
from scripts.demo_catalog.tables import CATEGORY_CODES, REVIEWED_PER_CATEGORY


class Aspects:
    """Review sentences keyed by (band, language); ``add`` keeps en/zh lists aligned."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], list[str]] = defaultdict(list)

    def add(self, band: str, en: str, zh: str, when: bool = True) -> None:
        if when:
            self.items[(band, "en")].append(en)
            self.items[(band, "zh")].append(zh)


def _shoe_aspects(a: dict[str, AttributeValue], asp: Aspects) -> None:
    weight, cushion = a["weight_g"], a["cushioning"]
    trail, wp = a["terrain"] == "trail", a["waterproof"] is True
    asp.add(
        "pos",
        f"Really comfortable out of the box, and at about {weight} g they feel light on long runs.",
        f"上脚就很舒服，单只{weight}克左右，跑长距离也觉得轻。",
    )
    asp.add("pos", "True to size, I got my usual EU 42.", "尺码标准，按平时的42码买刚好。")
    asp.add(
        "pos",
        "Super soft cushioning, my knees feel much better after long runs.",
        "缓震特别软，跑完长距离膝盖舒服多了。",
        cushion == "high",
    )
    asp.add(
        "pos",
        "Firm and fast, exactly what I wanted for race day.",
        "脚感扎实有推进力，比赛用正合适。",
        cushion == "low",
    )
    asp.add(
        "pos",
        "Nice balance of cushioning and bounce for daily training.",
        "缓震和回弹很平衡，适合日常训练。",
        cushion == "medium",
    )
    asp.add("pos", "Grip on wet rocks and muddy trails is excellent.", "湿滑岩石和泥地上抓地力都很好。", trail)
    asp.add("pos", "Ran through puddles and my socks stayed dry.", "踩过水坑袜子都没湿。", wp)
    asp.add("pos", "Outsole still looks new after 200 km on the road.", "公路跑了200公里，大底几乎没磨损。", not trail)
    asp.add("mid", "Comfortable enough, but the toe box is a bit narrow for me.", "还算舒服，就是鞋头对我来说有点窄。")
    asp.add("mid", "Decent shoe, though it runs half a size small.", "鞋还可以，不过偏小半码。")
    asp.add("mid", "Keeps water out but gets hot on summer days.", "防水没问题，但夏天穿有点闷热。", wp)
    asp.add("mid", "Very soft, maybe too soft for faster runs.", "很软，但跑快的时候稍显太软。", cushion == "high")
    asp.add("mid", "A bit firm for easy recovery runs.", "恢复跑穿的话略硬。", cushion == "low")
    asp.add("neg", "The sole started peeling after about a month.", "穿了一个月左右鞋底就开胶了。")
    asp.add("neg", "Gave me blisters on the heel, had to return them.", "后跟磨出水泡，只能退货。")
    asp.add("neg", f"Feels heavier than the listed {weight} g.", f"感觉比标称的{weight}克要重。")
    asp.add(
        "neg",
        "Not waterproof at all, my feet were soaked at the first stream crossing.",
        "完全不防水，第一次过溪脚就湿透了。",
        trail and not wp,
    )
    asp.add("neg", "Outsole wore down far too fast for the price.", "这个价格，大底磨损也太快了。", not trail)


def _headphone_aspects(a: dict[str, AttributeValue], asp: Aspects) -> None:
    hours, wireless, anc = a["battery_hours"], a["wireless"] is True, a["noise_cancelling"] is True
    in_ear = a["type"] == "in-ear"
    asp.add(
        "pos",
        f"Battery life is great, I get close to the claimed {hours} hours.",
        f"续航很给力，基本能用到标称的{hours}小时。",
        wireless,
    )
    asp.add(
        "pos",
        "Noise cancelling is excellent on the subway and on flights.",
        "降噪效果很好，地铁和飞机上都很安静。",
        anc,
    )
    asp.add("pos", "Comfortable for hours, the ear cushions are soft.", "戴几个小时也舒服，耳罩很软。", not in_ear)
    asp.add("pos", "Fits securely and doesn't fall out even at the gym.", "佩戴稳固，健身时也不会掉。", in_ear)
    asp.add(
        "pos",
        "Clear, detailed sound and zero latency since it's wired.",
        "声音清晰细节多，有线连接没有延迟。",
        not wireless,
    )
    asp.add("pos", "Great sound for the price, punchy bass without being muddy.", "这个价位音质很好，低音有力不浑浊。")
    asp.add("mid", "Sound is fine, but the companion app is clunky.", "音质还行，配套App不太好用。", wireless)
    asp.add("mid", "Gets a bit warm on the ears after an hour.", "戴一个小时耳朵有点热。", not in_ear)
    asp.add(
        "mid",
        "The charging case is a bit bulky for small pockets.",
        "充电盒有点大，小口袋放不下。",
        in_ear and wireless,
    )
    asp.add("mid", "ANC is decent but not as strong as I hoped.", "降噪还可以，但没有预期的强。", anc)
    asp.add(
        "mid",
        "No noise cancelling, so it's hard to hear on a noisy bus.",
        "没有降噪，在嘈杂的公交上听不太清。",
        not anc,
    )
    asp.add(
        "neg",
        f"Battery is nowhere near {hours} hours, more like half after a few months.",
        f"续航远达不到{hours}小时，用了几个月只剩一半左右。",
        wireless,
    )
    asp.add("neg", "Bluetooth keeps dropping when my phone is in my pocket.", "手机放口袋里蓝牙就频繁断连。", wireless)
    asp.add(
        "neg", "The left earbud stopped charging after three weeks.", "用了三周左耳就充不进电了。", in_ear and wireless
    )
    asp.add("neg", "The headband cracked after two months.", "头梁用了两个月就裂了。", not in_ear)
    asp.add("neg", "The microphone is terrible, people can't hear me on calls.", "麦克风太差，打电话对方听不清。")
    asp.add("neg", "The cable frayed near the plug quickly.", "线材在插头附近很快就磨破了。", not wireless)


def _laptop_aspects(a: dict[str, AttributeValue], asp: Aspects) -> None:
    kg, ram, hours, gpu = float(a["weight_kg"]), int(a["ram_gb"]), a["battery_hours"], str(a["gpu"])
    gaming = gpu != "integrated"
    asp.add(
        "pos",
        f"Very light at {kg} kg, I carry it every day without noticing.",
        f"{kg}千克很轻，每天背着几乎感觉不到。",
        kg < 1.6,
    )
    asp.add(
        "pos",
        f"{ram} GB of RAM handles dozens of tabs and Office without lag.",
        f"{ram}GB内存开几十个网页加Office都不卡。",
        ram >= 16,
    )
    asp.add("pos", f"The {gpu} runs most games at high settings.", f"{gpu}显卡大部分游戏都能开高画质。", gaming)
    asp.add(
        "pos",
        f"Battery lasts most of a workday, close to {hours} hours with light use.",
        f"轻度使用续航接近{hours}小时，基本能撑一个工作日。",
        not gaming,
    )
    asp.add("pos", "Bright, sharp screen and a great keyboard.", "屏幕明亮清晰，键盘手感很好。")
    asp.add("mid", "Fast machine, but the fans get loud under load.", "性能很强，但高负载时风扇很吵。")
    asp.add("mid", "Good value, though the speakers are weak.", "性价比不错，就是扬声器比较弱。")
    asp.add(
        "mid",
        f"Only {ram} GB of RAM, fine for documents but it struggles with multitasking.",
        f"只有{ram}GB内存，处理文档够用，多开就吃力。",
        ram <= 8,
    )
    asp.add(
        "mid",
        f"Powerful, but at {kg} kg it's not something I want to carry around.",
        f"性能强，但{kg}千克不太想天天背。",
        kg >= 2.0,
    )
    asp.add("neg", "The screen had a dead pixel out of the box, had to exchange it.", "到手屏幕就有坏点，只能换货。")
    asp.add("neg", "Gets really hot, the bottom is uncomfortable on my lap.", "发热严重，放腿上很烫。")
    asp.add("neg", "The trackpad clicks inconsistently, very annoying.", "触控板按压时灵时不灵，很烦。")
    asp.add("neg", f"Battery life is far below the advertised {hours} hours.", f"续航远低于宣传的{hours}小时。")


def _phone_aspects(a: dict[str, AttributeValue], asp: Aspects) -> None:
    mah, watts, mp, storage = a["battery_mah"], a["charging_w"], a["camera_mp"], int(a["storage_gb"])
    asp.add(
        "pos", f"The {mah} mAh battery easily lasts a full day of heavy use.", f"{mah}毫安电池重度使用也能轻松撑一天。"
    )
    asp.add("pos", f"{watts} W charging is amazing, topped up in no time.", f"{watts}W快充太香了，很快就充满。")
    asp.add(
        "pos", f"The {mp} MP main camera takes fantastic photos, even at night.", f"{mp}MP主摄拍照很出色，夜景也不错。"
    )
    asp.add("pos", "The screen is gorgeous and scrolling is buttery smooth.", "屏幕素质很好，滑动非常流畅。")
    asp.add("mid", "Good phone, but it's a bit heavy.", "手机不错，就是有点重。")
    asp.add("mid", "Camera is good in daylight but noisy at night.", "白天拍照不错，晚上噪点多。")
    asp.add("mid", "Gets warm after a long gaming session.", "长时间玩游戏会发热。")
    asp.add("mid", "Too many preinstalled apps, I had to remove them.", "预装软件太多，得一个个卸载。")
    asp.add("neg", "Battery drains fast since the latest update.", "最近一次系统更新后掉电很快。")
    asp.add("neg", "It started restarting randomly after two weeks.", "用了两周开始莫名其妙自动重启。")
    asp.add("neg", "Signal is weak in my apartment compared to my old phone.", "和旧手机比，家里信号明显变弱。")
    asp.add(
        "neg",
        f"Only {storage} GB fills up quickly, I regret not buying the bigger version.",
        f"{storage}GB很快就满了，后悔没买大存储版本。",
        storage <= 128,
    )


def _backpack_aspects(a: dict[str, AttributeValue], asp: Aspects) -> None:
    cap, wp, sleeve = a["capacity_l"], a["waterproof"] is True, float(a["laptop_sleeve_inch"])
    asp.add("pos", f"{cap} L is the perfect size for what I carry every day.", f"{cap}升的容量刚好装下日常用品。")
    asp.add(
        "pos",
        f"My {sleeve}-inch laptop fits perfectly in the padded sleeve.",
        f"我的{sleeve}英寸笔记本放进电脑仓刚好。",
        sleeve > 0,
    )
    asp.add("pos", "Got caught in heavy rain and everything inside stayed dry.", "遇到大雨，包里的东西一点没湿。", wp)
    asp.add("pos", "The straps are well padded, comfortable even fully loaded.", "肩带很厚实，装满了背着也舒服。")
    asp.add("pos", "Lots of pockets, easy to stay organized.", "隔层口袋很多，收纳很方便。")
    asp.add("mid", "Nice bag, but the side pockets are too small for a big bottle.", "包不错，就是侧袋放不下大水杯。")
    asp.add("mid", "Not waterproof, so I need a rain cover in bad weather.", "不防水，下雨天得套防雨罩。", not wp)
    asp.add("mid", "The zippers feel a bit stiff.", "拉链有点涩。")
    asp.add(
        "mid", "No laptop sleeve, which I didn't notice before buying.", "没有电脑隔层，买之前没注意到。", sleeve == 0
    )
    asp.add("neg", "A zipper broke after a month.", "用了一个月拉链就坏了。")
    asp.add("neg", "Stitching on the shoulder strap came loose quickly.", "肩带的缝线很快就开了。")
    asp.add("neg", f"Much smaller inside than I expected for {cap} L.", f"实际空间比{cap}升小很多。")
    asp.add("neg", "A strong chemical smell that took weeks to go away.", "有很重的异味，放了几周才散。")


def _bottle_aspects(a: dict[str, AttributeValue], asp: Aspects) -> None:
    ml, ins, leak, grams = a["capacity_ml"], a["insulated"] is True, a["leakproof"] is True, a["weight_g"]
    asp.add(
        "pos", "Keeps my coffee hot all morning and water cold all day.", "咖啡一上午都是热的，冰水一整天都凉。", ins
    )
    asp.add(
        "pos", "Completely leakproof, I throw it in my bag without worrying.", "完全不漏水，直接扔包里很放心。", leak
    )
    asp.add("pos", f"{ml} ml is just the right size for me.", f"{ml}毫升的容量对我来说刚刚好。")
    asp.add("pos", "No plastic taste at all and easy to clean.", "没有塑料味，很好清洗。")
    asp.add("pos", "Incredibly light for hiking.", "徒步用非常轻。", a["material"] == "titanium")
    asp.add("mid", "Good bottle, but the lid is hard to clean.", "杯子不错，就是盖子不好洗。")
    asp.add(
        "mid",
        f"Keeps drinks warm, but it's heavier than I expected at {grams} g.",
        f"保温不错，但{grams}克比想象中重。",
        ins,
    )
    asp.add("mid", "The paint chipped a little after a few weeks.", "用了几周漆面有点掉。")
    asp.add("mid", "Not insulated, so the water gets warm in the car.", "不保温，放车里水就变温了。", not ins)
    asp.add("neg", "It leaked in my bag on the first day.", "第一天就在包里漏水了。")
    asp.add(
        "neg",
        "Stopped keeping drinks hot after a month, the seal must be bad.",
        "一个月后就不保温了，应该是密封有问题。",
        ins,
    )
    asp.add("neg", "The lid cracked the first time I dropped it.", "掉了一次盖子就裂了。")
    asp.add("neg", "A weird smell that won't go away even after washing.", "有股怪味，洗了好几次都去不掉。")


def _watch_aspects(a: dict[str, AttributeValue], asp: Aspects) -> None:
    days, gps, nfc = a["battery_days"], a["gps"] is True, a["nfc"] is True
    swim = a["waterproof_rating"] in ("5ATM", "10ATM")
    asp.add("pos", f"Battery really lasts about {days} days for me.", f"续航确实能用{days}天左右。")
    asp.add("pos", "GPS locks fast and my running tracks are accurate.", "GPS定位很快，跑步轨迹很准。", gps)
    asp.add("pos", "Heart-rate readings match my chest strap closely.", "心率和我的心率带数据很接近。")
    asp.add("pos", "NFC payment on the metro is super convenient.", "NFC刷地铁太方便了。", nfc)
    asp.add("pos", "I swim with it every week, no problems.", "每周戴着游泳，没有任何问题。", swim)
    asp.add("mid", "Nice watch, but the app needs improvement.", "手表不错，App有待改进。")
    asp.add(
        "mid", "No built-in GPS, so I still have to carry my phone on runs.", "没有独立GPS，跑步还得带手机。", not gps
    )
    asp.add("mid", "The screen is hard to read in direct sunlight.", "强光下屏幕看不太清。")
    asp.add("mid", "The strap was a bit uncomfortable at first.", "表带刚开始戴有点不舒服。")
    asp.add(
        "neg", f"Battery only lasts about half of the advertised {days} days.", f"续航只有宣传的{days}天的一半左右。"
    )
    asp.add("neg", "Sleep tracking is way off.", "睡眠监测很不准。")
    asp.add("neg", "It keeps losing the connection to my phone.", "经常和手机断开连接。")
    asp.add("neg", "The GPS track drifts a lot near tall buildings.", "在高楼附近GPS轨迹漂移严重。", gps)
    asp.add("neg", "The screen scratched within a week.", "一周屏幕就有划痕了。")


def _jacket_aspects(a: dict[str, AttributeValue], asp: Aspects) -> None:
    wp, ins, grams, fit = a["waterproof"] is True, a["insulated"] is True, int(a["weight_g"]), a["fit"]
    asp.add("pos", "Stayed completely dry through a full day of rain.", "下了一整天雨，里面完全是干的。", wp)
    asp.add(
        "pos",
        "Very warm, I wore it at -10°C with just a sweater underneath.",
        "非常保暖，零下10度里面只穿一件毛衣就够了。",
        ins,
    )
    asp.add("pos", f"Light at about {grams} g and packs down small.", f"才{grams}克左右，收纳起来很小。", grams < 600)
    asp.add("pos", "Fits true to size with good sleeve length.", "尺码标准，袖长合适。")
    asp.add("pos", "A perfect layer for windy spring days.", "春天刮风的时候穿正合适。", not wp and not ins)
    asp.add(
        "mid",
        "Slim cut, size up if you want to layer underneath.",
        "版型偏修身，想里面多穿的话建议大一码。",
        fit == "slim",
    )
    asp.add("mid", "A bit boxy for my taste.", "版型对我来说有点宽大。", fit == "relaxed")
    asp.add("mid", "Keeps rain out but feels clammy on steep climbs.", "防雨没问题，但爬坡时里面有点闷。", wp)
    asp.add("mid", "Nice jacket, but the zipper is a bit stiff.", "衣服不错，就是拉链有点涩。")
    asp.add("mid", "Not waterproof: fine for drizzle, not for real rain.", "不防水，毛毛雨还行，大雨不行。", not wp)
    asp.add("neg", "The zipper broke after two weeks.", "穿了两周拉链就坏了。")
    asp.add("neg", "Feathers keep poking through the fabric.", "一直往外钻毛。", a["fill"] == "down")
    asp.add("neg", "It wetted out at the shoulders after an hour of rain.", "淋雨一小时肩膀就渗水了。", wp)
    asp.add("neg", "The colour looks very different from the photos.", "颜色和图片差别很大。")
    asp.add("neg", "Seams started fraying after the first wash.", "洗了一次缝线就开始脱线。")


ASPECT_BUILDERS = {
    "running_shoes": _shoe_aspects,
    "headphones": _headphone_aspects,
    "laptops": _laptop_aspects,
    "phones": _phone_aspects,
    "backpacks": _backpack_aspects,
    "water_bottles": _bottle_aspects,
    "smartwatches": _watch_aspects,
    "jackets": _jacket_aspects,
}

GENERIC: dict[tuple[str, str], tuple[str, ...]] = {
    ("pos", "en"): (
        "Fast delivery.",
        "Would buy again.",
        "Great value for money.",
        "Bought it as a gift and they loved it.",
        "Neatly packaged.",
    ),
    ("pos", "zh"): ("物流很快。", "会回购。", "性价比很高。", "买来送人，对方很喜欢。", "包装很用心。"),
    ("mid", "en"): (
        "Okay for the price.",
        "Not bad, not amazing.",
        "Delivery took a bit longer than expected.",
    ),
    ("mid", "zh"): ("这个价位还行。", "中规中矩吧。", "物流比预期慢了一点。"),
    ("neg", "en"): ("Customer service was slow to respond.", "Would not buy again.", "Disappointing at this price."),
    ("neg", "zh"): ("客服回复很慢。", "不会再买了。", "这个价格太让人失望了。"),
}

RATING_WEIGHTS: dict[str, tuple[int, ...]] = {
    "good": (1, 1, 2, 6, 10),
    "mixed": (2, 3, 4, 5, 3),
    "poor": (5, 4, 3, 2, 1),
}


def band_of(rating: int) -> str:
    if rating >= 4:
        return "pos"
    return "mid" if rating == 3 else "neg"


def build_reviews(products: list[Product], rng: random.Random) -> list[Review]:
    by_category: dict[str, list[Product]] = defaultdict(list)
    for product in products:
        by_category[product.category].append(product)
    reviews: list[Review] = []
    for category in CATEGORY_CODES:
        for product in rng.sample(by_category[category], REVIEWED_PER_CATEGORY):
            aspects = Aspects()
            ASPECT_BUILDERS[category](product.attributes, aspects)
            quality = rng.choices(("good", "mixed", "poor"), weights=(6, 3, 1))[0]
            seen: set[str] = set()
            for _ in range(rng.randint(5, 15)):
                rating = rng.choices((1, 2, 3, 4, 5), weights=RATING_WEIGHTS[quality])[0]
                language: Literal["zh", "en"] = "zh" if rng.random() < 0.55 else "en"
                band = band_of(rating)
                text = ""
                for _attempt in range(20):
                    text = rng.choice(aspects.items[(band, language)])
                    if rng.random() < 0.5:
                        extra = rng.choice(GENERIC[(band, language)])
                        text = f"{text}{extra}" if language == "zh" else f"{text} {extra}"
                    if text not in seen:
                        break
                seen.add(text)
                reviews.append(Review(sku=product.sku, rating=rating, text=text, language=language))
    return reviews
