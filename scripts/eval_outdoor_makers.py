"""The camping-gear evaluation shop's ten product kinds: each maker turns a series name and a size into a
product's titles, intro, bullets (en and zh), checkable facts and shipping grams (see build_eval_outdoor.py)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any


def _yn(flag: bool, yes: str, no: str) -> str:
    return yes if flag else no


# ---- categories: each returns (title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, grams) ----------


def tent(rng: random.Random, series: tuple[str, str], size: int) -> tuple[Any, ...]:
    name, name_zh = series
    weight = round(0.7 + 0.45 * size + rng.uniform(-0.2, 0.6), 2)
    hh = rng.choice((1500, 2000, 3000, 4000, 5000))
    free = rng.random() < 0.6
    footprint = rng.random() < 0.45
    doors = 2 if size >= 2 and rng.random() < 0.7 else 1
    season = rng.choice((3, 3, 3, 4))
    included = ["tent body", "rain fly", f"{6 + 2 * size} aluminium stakes", "guylines", "stuff sack"]
    included_zh = ["内帐", "外帐", f"{6 + 2 * size}根铝合金地钉", "防风绳", "收纳袋"]
    if footprint:
        included.append("footprint")
        included_zh.append("地布")
    title = f"{name} {size} {'Ultralight ' if weight < 1.6 else ''}Tent"
    title_zh = f"{name_zh} {size}人{'超轻' if weight < 1.6 else ''}帐篷"
    intro = (
        f"A {season}-season, {size}-person tent for backpacking and campsite trips, with "
        f"{doors} door{'s' if doors > 1 else ''} and a fly rated to {hh} mm."
    )
    intro_zh = f"{season}季{size}人帐篷，适合徒步和营地露营，{doors}个门，外帐防水指数{hh}毫米。"
    bullets = [
        f"Sleeps: {size} {'person' if size == 1 else 'people'}",
        f"Packed weight: {weight} kg",
        f"Fly waterproof rating: {hh} mm",
        f"Doors: {doors}",
        f"Freestanding: {_yn(free, 'yes', 'no (pitch it with stakes and guylines)')}",
        f"Footprint: {_yn(footprint, 'included', 'sold separately')}",
        f"What's included: {', '.join(included)}",
    ]
    bullets_zh = [
        f"容纳人数：{size}人",
        f"打包重量：{weight}千克",
        f"外帐防水指数：{hh}毫米",
        f"门数：{doors}",
        f"自立式：{_yn(free, '是', '否（需用地钉和防风绳搭建）')}",
        f"地布：{_yn(footprint, '随附', '需另购')}",
        f"包装清单：{'、'.join(included_zh)}",
    ]
    facts = {"weight_kg": weight, "persons": size, "waterproof_mm": hh,
             "yes_no": {"freestanding": free, "footprint": footprint}}  # fmt: skip
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, int(weight * 1000)


def sleeping_bag(rng: random.Random, series: tuple[str, str], temp: int) -> tuple[Any, ...]:
    name, name_zh = series
    down = rng.random() < 0.55
    weight = int((700 if down else 1100) + (10 - temp) * rng.uniform(25, 45))
    hood = rng.random() < 0.7
    compression = rng.random() < 0.5
    fill = f"{rng.choice((650, 750, 800))}-fill-power duck down" if down else "synthetic insulation"
    fill_zh = "鸭绒" if down else "合成棉"
    title = f"{name} {temp}°C {'Down' if down else 'Synthetic'} Sleeping Bag"
    title_zh = f"{name_zh} {temp}°C {'羽绒' if down else '棉'}睡袋"
    intro = f"A mummy sleeping bag with {fill}, comfortable down to {temp} °C."
    intro_zh = f"木乃伊式睡袋，填充{fill_zh}，舒适温度{temp}°C。"
    sack = "compression sack" if compression else "stuff sack"
    bullets = [
        f"Comfort temperature: {temp} °C",
        f"Weight: {weight} g",
        f"Fill: {fill}",
        f"Hood: {_yn(hood, 'yes, with drawcord', 'no (rectangular top)')}",
        f"Fits sleepers up to {rng.choice((180, 185, 195))} cm",
        f"What's included: sleeping bag, {sack}{', storage sack' if compression else ''}",
        f"Compression sack: {_yn(compression, 'included', 'not included (stuff sack only)')}",
    ]
    bullets_zh = [
        f"舒适温度：{temp}°C",
        f"重量：{weight}克",
        f"填充：{fill_zh}",
        f"帽兜：{_yn(hood, '有，带抽绳', '无')}",
        f"压缩袋：{_yn(compression, '随附', '不含（仅收纳袋）')}",
    ]
    facts = {"weight_g": weight, "temp_c": temp, "yes_no": {"hood": hood, "compression_sack": compression}}
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, weight + 150


def sleeping_pad(rng: random.Random, series: tuple[str, str], thickness: int) -> tuple[Any, ...]:
    name, name_zh = series
    kind = rng.choice(("inflatable", "self-inflating"))
    r_value = round(rng.uniform(1.8, 6.5), 1)
    weight = int(300 + thickness * rng.uniform(40, 90))
    pump = kind == "inflatable" and rng.random() < 0.6
    title = f"{name} {thickness} cm {'Air' if kind == 'inflatable' else 'Self-Inflating'} Sleeping Pad"
    title_zh = f"{name_zh} {thickness}厘米{'充气' if kind == 'inflatable' else '自动充气'}睡垫"
    intro = f"An {kind} sleeping pad, {thickness} cm thick, with an R-value of {r_value}."
    intro_zh = f"{'充气' if kind == 'inflatable' else '自动充气'}睡垫，厚{thickness}厘米，R值{r_value}。"
    bullets = [
        f"Thickness: {thickness} cm",
        f"R-value: {r_value}",
        f"Weight: {weight} g",
        f"Size: 183 x {rng.choice((51, 55, 64))} cm",
        f"Pump sack: {_yn(pump, 'included', 'not included')}",
        f"What's included: pad, stuff sack, repair kit{', pump sack' if pump else ''}",
    ]
    bullets_zh = [
        f"厚度：{thickness}厘米",
        f"R值：{r_value}",
        f"重量：{weight}克",
        f"充气袋：{_yn(pump, '随附', '不含')}",
        f"包装清单：睡垫、收纳袋、修补贴{'、充气袋' if pump else ''}",
    ]
    facts = {"weight_g": weight, "r_value": r_value, "yes_no": {"pump_sack": pump}}
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, weight + 80


def stove(rng: random.Random, series: tuple[str, str], variant: int) -> tuple[Any, ...]:
    name, name_zh = series
    integrated = variant == 2
    output = rng.choice((2100, 2300, 2600, 2800, 3000, 3200))
    weight = rng.randint(380, 560) if integrated else rng.randint(68, 190)
    piezo = rng.random() < 0.55
    boil = round(rng.uniform(2.5, 4.5), 1)
    title = f"{name} {'Cook System' if integrated else 'Canister Stove'}"
    title_zh = f"{name_zh}{'一体式炉具套装' if integrated else '气罐炉头'}"
    pot = "1 L pot with lid" if integrated else "no pot"
    kit = "comes as a cook system with a 1 L pot" if integrated else "stove head only"
    intro = f"A canister stove for isobutane-propane gas; {kit}."
    intro_zh = f"使用异丁烷/丙烷混合气罐的炉头；{'一体式套装，含1升锅' if integrated else '仅炉头'}。"
    bullets = [
        f"Output: {output} W",
        f"Weight: {weight} g",
        f"Boils 1 L of water in about {boil} minutes",
        f"Piezo igniter: {_yn(piezo, 'yes', 'no (light it with a lighter or fire steel)')}",
        "Fuel: screw-on isobutane-propane canister (not included)",
        f"Pot included: {_yn(integrated, 'yes, ' + pot, 'no')}",
    ]
    bullets_zh = [
        f"功率：{output}瓦",
        f"重量：{weight}克",
        f"烧开1升水约{boil}分钟",
        f"电子点火：{_yn(piezo, '有', '无（需用打火机或打火石）')}",
        "燃料：螺口气罐（不含）",
        f"含锅：{_yn(integrated, '是，1升带盖锅', '否')}",
    ]
    facts = {"weight_g": weight, "output_w": output, "yes_no": {"piezo": piezo, "pot_included": integrated}}
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, weight + 60


def headlamp(rng: random.Random, series: tuple[str, str], lumens: int) -> tuple[Any, ...]:
    name, name_zh = series
    rechargeable = rng.random() < 0.6
    red = rng.random() < 0.55
    ipx = rng.choice((4, 4, 7))
    weight = int(45 + lumens / 20 + rng.uniform(0, 25))
    runtime = rng.choice((4, 5, 6, 8, 10))
    title = f"{name} {lumens} Headlamp"
    title_zh = f"{name_zh} {lumens}流明头灯"
    power = "built-in 1500 mAh battery, USB-C charging" if rechargeable else "3 x AAA batteries (included)"
    power_zh = "内置1500毫安时电池，USB-C充电" if rechargeable else "3节7号电池（随附）"
    intro = f"A {lumens}-lumen headlamp for camp and trail, IPX{ipx} water resistant."
    intro_zh = f"{lumens}流明头灯，适合营地和夜行，IPX{ipx}防水。"
    bullets = [
        f"Max output: {lumens} lumens",
        f"Run time on high: {runtime} hours",
        f"Power: {power}",
        f"Red light mode: {_yn(red, 'yes', 'no')}",
        f"Water resistance: IPX{ipx}",
        f"Weight: {weight} g with batteries",
    ]
    bullets_zh = [
        f"最大亮度：{lumens}流明",
        f"高亮续航：{runtime}小时",
        f"供电：{power_zh}",
        f"红光模式：{_yn(red, '有', '无')}",
        f"防水等级：IPX{ipx}",
        f"重量：{weight}克（含电池）",
    ]
    facts = {"weight_g": weight, "lumens": lumens, "runtime_h": runtime,
             "yes_no": {"red_light": red, "rechargeable": rechargeable}}  # fmt: skip
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, weight + 40


def poles(rng: random.Random, series: tuple[str, str], variant: int) -> tuple[Any, ...]:
    name, name_zh = series
    carbon = variant == 2
    folding = rng.random() < 0.5
    cork = rng.random() < 0.5
    weight = rng.randint(330, 430) if carbon else rng.randint(460, 620)
    low, high = (110, 130) if folding else (100, 135)
    material = "carbon fibre" if carbon else "7075 aluminium"
    title = f"{name} {'Carbon' if carbon else 'Aluminium'} Trekking Poles"
    title_zh = f"{name_zh}{'碳纤维' if carbon else '铝合金'}登山杖"
    intro = f"A pair of {'folding' if folding else 'telescoping'} {material} trekking poles."
    intro_zh = f"一对{'折叠式' if folding else '伸缩式'}{'碳纤维' if carbon else '7075铝合金'}登山杖。"
    bullets = [
        f"Sold as a pair; weight {weight} g per pair",
        f"Material: {material}",
        f"Length: adjustable {low}-{high} cm",
        f"Folding (Z-fold): {_yn(folding, 'yes', 'no (telescoping)')}",
        f"Grips: {_yn(cork, 'natural cork', 'EVA foam')}",
        "What's included: 2 poles, rubber tips, trekking baskets, snow baskets",
    ]
    bullets_zh = [
        f"一对装，每对重{weight}克",
        f"材质：{'碳纤维' if carbon else '7075铝合金'}",
        f"长度：{low}-{high}厘米可调",
        f"折叠：{_yn(folding, '是（三节折叠）', '否（伸缩式）')}",
        f"握把：{_yn(cork, '天然软木', 'EVA泡棉')}",
    ]
    facts = {"weight_g": weight, "yes_no": {"folding": folding, "cork": cork, "carbon": carbon}}
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, weight + 120


def chair(rng: random.Random, series: tuple[str, str], variant: int) -> tuple[Any, ...]:
    name, name_zh = series
    high_back = variant == 2
    load = rng.choice((100, 120, 136, 150))
    weight = round(rng.uniform(0.9, 1.6) if not high_back else rng.uniform(2.2, 4.4), 1)
    cup = rng.random() < 0.5
    bag = rng.random() < 0.6
    title = f"{name} {'High-Back' if high_back else 'Compact'} Camp Chair"
    title_zh = f"{name_zh}{'高背' if high_back else '便携'}露营椅"
    intro = f"A {'high-back' if high_back else 'compact, packable'} camp chair that holds up to {load} kg."
    intro_zh = f"{'高背' if high_back else '轻便可收纳'}露营椅，承重{load}千克。"
    bullets = [
        f"Max load: {load} kg",
        f"Weight: {weight} kg",
        f"Seat height: {rng.choice((28, 33, 38, 45))} cm",
        f"Cup holder: {_yn(cup, 'yes', 'no')}",
        f"Carry bag: {_yn(bag, 'included', 'not included')}",
        "Frame: aluminium; seat: 600D polyester",
    ]
    bullets_zh = [
        f"最大承重：{load}千克",
        f"重量：{weight}千克",
        f"杯架：{_yn(cup, '有', '无')}",
        f"收纳袋：{_yn(bag, '随附', '不含')}",
        "框架：铝合金；椅面：600D涤纶",
    ]
    facts = {"weight_kg": weight, "max_load_kg": load, "yes_no": {"cup_holder": cup, "carry_bag": bag}}
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, int(weight * 1000) + 200


def cooler(rng: random.Random, series: tuple[str, str], litres: int) -> tuple[Any, ...]:
    name, name_zh = series
    wheels = litres >= 40 and rng.random() < 0.7
    drain = rng.random() < 0.6
    days = rng.choice((2, 3, 4, 5, 7)) if litres >= 25 else rng.choice((1, 2))
    weight = round(2.0 + litres * rng.uniform(0.12, 0.2), 1)
    title = f"{name} {litres} L {'Wheeled ' if wheels else ''}Cooler"
    title_zh = f"{name_zh} {litres}升{'拉杆' if wheels else ''}保温箱"
    intro = f"A {litres}-litre hard cooler that keeps ice for up to {days} days."
    intro_zh = f"{litres}升硬壳保温箱，冰块最长保持{days}天。"
    bullets = [
        f"Capacity: {litres} L",
        f"Ice retention: up to {days} days",
        f"Empty weight: {weight} kg",
        f"Wheels: {_yn(wheels, 'yes, with a telescoping handle', 'no')}",
        f"Drain plug: {_yn(drain, 'yes', 'no')}",
        "Insulation: pressure-injected polyurethane foam",
    ]
    bullets_zh = [
        f"容量：{litres}升",
        f"保冰时间：最长{days}天",
        f"空箱重量：{weight}千克",
        f"轮子：{_yn(wheels, '有，带拉杆', '无')}",
        f"排水塞：{_yn(drain, '有', '无')}",
    ]
    facts = {"capacity_l": litres, "weight_kg": weight, "ice_days": days, "yes_no": {"wheels": wheels, "drain": drain}}
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, int(weight * 1000) + 300


def lantern(rng: random.Random, series: tuple[str, str], lumens: int) -> tuple[Any, ...]:
    name, name_zh = series
    mah = rng.choice((2600, 4400, 5200, 10000))
    usb_out = mah >= 4400 and rng.random() < 0.7
    dimmable = rng.random() < 0.6
    runtime = int(mah / lumens * 1.2) + rng.randint(1, 4)
    weight = int(150 + mah / 30 + rng.uniform(0, 60))
    title = f"{name} {lumens} Lumen Lantern"
    title_zh = f"{name_zh} {lumens}流明营地灯"
    intro = f"A rechargeable camp lantern with {lumens} lumens and a {mah} mAh battery."
    intro_zh = f"可充电营地灯，{lumens}流明，电池{mah}毫安时。"
    bullets = [
        f"Max output: {lumens} lumens",
        f"Battery: {mah} mAh, USB-C charging",
        f"Run time on high: {runtime} hours",
        f"Power bank (USB output to charge a phone): {_yn(usb_out, 'yes', 'no')}",
        f"Dimmable: {_yn(dimmable, 'yes, stepless', 'no (high / low only)')}",
        f"Weight: {weight} g",
    ]
    bullets_zh = [
        f"最大亮度：{lumens}流明",
        f"电池：{mah}毫安时，USB-C充电",
        f"高亮续航：{runtime}小时",
        f"充电宝功能（USB输出可给手机充电）：{_yn(usb_out, '有', '无')}",
        f"无极调光：{_yn(dimmable, '支持', '不支持（仅高/低两档）')}",
        f"重量：{weight}克",
    ]
    facts = {"weight_g": weight, "lumens": lumens, "runtime_h": runtime, "battery_mah": mah,
             "yes_no": {"power_bank": usb_out, "dimmable": dimmable}}  # fmt: skip
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, weight + 100


def water_filter(rng: random.Random, series: tuple[str, str], variant: int) -> tuple[Any, ...]:
    name, name_zh = series
    purifier = variant == 2
    flow = round(rng.uniform(0.5, 2.0), 1)
    life = rng.choice((1000, 1500, 4000, 100000)) if not purifier else rng.choice((1000, 1500, 2000))
    weight = rng.randint(45, 140) if not purifier else rng.randint(220, 350)
    syringe = rng.random() < 0.5
    title = f"{name} {'Purifier' if purifier else 'Squeeze Filter'}"
    title_zh = f"{name_zh}{'净水器' if purifier else '挤压式滤水器'}"
    intro = (
        "A pump purifier that removes bacteria, protozoa and viruses."
        if purifier
        else "A squeeze filter with a 0.1 micron hollow-fibre membrane for bacteria and protozoa."
    )
    intro_zh = (
        "泵式净水器，可去除细菌、原虫和病毒。" if purifier else "挤压式滤水器，0.1微米中空纤维膜，去除细菌和原虫。"
    )
    bullets = [
        f"Flow rate: {flow} L per minute",
        f"Filter life: up to {life} L",
        f"Weight: {weight} g",
        f"Removes viruses: {_yn(purifier, 'yes', 'no (bacteria and protozoa only)')}",
        f"Backflush syringe: {_yn(syringe, 'included', 'not included')}",
    ]
    bullets_zh = [
        f"流速：每分钟{flow}升",
        f"滤芯寿命：最多{life}升",
        f"重量：{weight}克",
        f"去除病毒：{_yn(purifier, '是', '否（仅细菌和原虫）')}",
        f"反冲洗针筒：{_yn(syringe, '随附', '不含')}",
    ]
    facts = {"weight_g": weight, "filter_life_l": life, "yes_no": {"removes_viruses": purifier, "syringe": syringe}}
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, weight + 80


Maker = Callable[[random.Random, tuple[str, str], int], tuple[Any, ...]]
