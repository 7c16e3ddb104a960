"""The demo shop's FAQ and policy pages, in English and Chinese (prose written as the files it becomes)."""

from __future__ import annotations

POLICIES_EN = """\
# Shop policies

These policies apply to every order placed on shop.example.com.

## Shipping fees
- Free standard shipping on orders over ¥99 (after discounts).
- Orders under ¥99 pay a flat ¥8 standard shipping fee.
- Express shipping costs ¥15 per order and is never free.

## Delivery times
- Standard delivery takes 2–4 business days.
- Express is delivered next day in major cities (Beijing, Shanghai, Guangzhou, Shenzhen,
  Hangzhou, Chengdu) for orders paid before 16:00.
- Remote areas such as Xinjiang and Tibet take 5–7 business days.

## International shipping
- We do not ship internationally: we deliver to addresses in mainland China only.
- Addresses in Hong Kong, Macau and Taiwan are not supported.

## 7-day no-reason returns
- You can return an item within 7 days of delivery without giving a reason, as long as it is
  unused and in its original packaging with all tags and accessories.
- For hygiene reasons, opened earphones and headphones can only be returned for defects.
- For no-reason returns the buyer pays the return shipping.

## Exchanges for defects
- If an item is defective you can exchange it within 15 days of delivery; we pay shipping both ways.
- Unworn running shoes and jackets can be exchanged for another size within 7 days of delivery.

## Refunds
- Refunds are issued within 3 business days after the returned item arrives at our warehouse
  and passes inspection.
- Money goes back to the original payment method; bank card refunds may take another
  1–5 business days to show up, depending on your bank.

## Warranty
- Electronics (headphones, laptops, phones and smartwatches) have a 1-year warranty from the
  delivery date.
- Nordpeak laptops have an extended 2-year warranty.
- Running shoes, jackets, backpacks and water bottles are covered for 90 days against
  manufacturing defects.
- The warranty does not cover accidental damage, liquid damage beyond the rated water
  resistance, or normal wear and tear.
- A battery counts as defective if it holds less than 80% of its rated capacity during the
  warranty period.

## Price protection
- If the price of an item you bought drops within 7 days of payment, we refund the difference.
- Applies to the same SKU sold by us; flash sales, coupons and member-only prices are excluded.
- Contact customer service with your order number to claim it.

## Payment methods
- We accept Alipay, WeChat Pay, UnionPay and Visa/Mastercard credit cards.
- Cash on delivery is not available.
- Unpaid orders are cancelled automatically after 30 minutes.

## Installments
- Orders over ¥1000 can be paid in 3, 6 or 12 monthly installments with Huabei or a credit card.
- 3- and 6-month plans are interest-free; 12-month plans carry a fee set by the provider.

## Customer service hours
- Online chat and the hotline 400-800-1234 are staffed 9:00–21:00 daily, including public holidays.
- You can email service@shop.example.com at any time; we reply within 24 hours.
"""

POLICIES_ZH = """\
# 商城服务政策

以下政策适用于在 shop.example.com 下的所有订单。

## 运费
- 订单满 ¥99（按优惠后金额计算）免标准运费。
- 不满 ¥99 的订单收取标准运费 ¥8。
- 加急快递每单 ¥15，不参与包邮。

## 配送时效
- 标准配送需 2–4 个工作日。
- 加急快递：主要城市（北京、上海、广州、深圳、杭州、成都）
  16:00 前付款的订单次日送达。
- 新疆、西藏等偏远地区需 5–7 个工作日。

## 国际配送
- 暂不支持国际配送，仅配送至中国大陆地址。
- 暂不支持香港、澳门和台湾地址。

## 7天无理由退货
- 签收后 7 天内，商品未使用、保持原包装且吊牌和配件齐全，可无理由退货。
- 出于卫生原因，已拆封的耳机仅在存在质量问题时可退。
- 无理由退货的寄回运费由买家承担。

## 质量问题换货
- 商品存在质量问题的，签收后 15 天内可换货，往返运费由我们承担。
- 未穿着的跑鞋和外套可在签收后 7 天内更换尺码。

## 退款
- 退货到达仓库并验收通过后 3 个工作日内退款。
- 款项原路退回；银行卡退款到账可能还需 1–5 个工作日，以银行为准。

## 保修
- 电子产品（耳机、笔记本电脑、手机和智能手表）自签收之日起享受 1 年保修。
- Nordpeak 品牌笔记本电脑享受延长至 2 年的保修。
- 跑鞋、外套、背包和水杯针对制造缺陷提供 90 天保修。
- 人为损坏、超出防水等级的进液损坏以及正常磨损不在保修范围内。
- 保修期内电池容量低于标称容量的 80% 视为故障。

## 价格保护
- 付款后 7 天内所购商品降价，我们退还差价。
- 仅限我们销售的同一 SKU；秒杀、优惠券和会员专享价除外。
- 请提供订单号联系客服申请。

## 支付方式
- 支持支付宝、微信支付、银联以及 Visa/Mastercard 信用卡。
- 不支持货到付款。
- 未付款订单 30 分钟后自动取消。

## 分期付款
- 订单金额超过 ¥1000 可使用花呗或信用卡分 3、6 或 12 期付款。
- 3 期和 6 期免息；12 期手续费以服务商为准。

## 客服时间
- 在线客服和热线 400-800-1234 的服务时间为每天 9:00–21:00，节假日无休。
- 可随时发送邮件至 service@shop.example.com，我们会在 24 小时内回复。
"""

SHOE_SIZES = (
    (36, 22.5),
    (37, 23.0),
    (38, 23.5),
    (39, 24.5),
    (40, 25.0),
    (41, 25.5),
    (42, 26.5),
    (43, 27.0),
    (44, 27.5),
    (45, 28.5),
)
JACKET_SIZES = (
    ("S", "160–165", "88–92"),
    ("M", "165–170", "92–96"),
    ("L", "170–175", "96–100"),
    ("XL", "175–180", "100–104"),
    ("XXL", "180–185", "104–108"),
)


def shoe_table(size_header: str, length_header: str) -> str:
    rows = [f"| {size_header} | {length_header} |", "|---|---|"]
    rows += [f"| {size} | {length} |" for size, length in SHOE_SIZES]
    return "\n".join(rows)


def jacket_table(size_header: str, height_header: str, chest_header: str) -> str:
    rows = [f"| {size_header} | {height_header} | {chest_header} |", "|---|---|---|"]
    rows += [f"| {size} | {height} | {chest} |" for size, height, chest in JACKET_SIZES]
    return "\n".join(rows)


FAQ_EN = f"""\
# Frequently asked questions

## How do I track my order?
- Once your order ships we send the courier name and tracking number by SMS, usually within 24 hours.
- You can also follow the parcel under My Account → Orders.

## Can I change my delivery address?
- You can edit the address yourself under My Account → Orders until the order ships.
- After shipping, contact customer service and we will ask the courier to redirect the parcel,
  but this cannot be guaranteed.

## Can I cancel my order?
- Orders can be cancelled free of charge before they ship; the refund arrives within 3 business days.
- After shipping, refuse the delivery or use the 7-day no-reason return.

## How do I get an invoice (fapiao)?
- We issue an electronic VAT invoice (fapiao) for every order.
- Request it on the order page within 30 days of delivery; for a company fapiao, enter the
  company name and tax ID.
- The electronic fapiao is emailed within 3 business days of your request.

## How do membership points work?
- You earn 1 point for every ¥1 you pay (shipping fees excluded).
- 100 points are worth ¥1 off at checkout.
- Points expire 12 months after they are earned and are deducted again if you return the item.

## Do you offer gift wrapping?
- Yes. Gift wrapping costs ¥10 per item and includes a greeting card.
- Add it at checkout with a message of up to 50 characters; prices are never printed on the packing slip.

## Running shoe size guide
- Measure your foot from heel to longest toe in the afternoon, then pick the size below.

{shoe_table("EU/CN size", "Foot length (cm)")}

- Between two sizes, or running long distances? Go half a size up. Models marked Wide have a
  roomier toe box.

## Jacket size guide
- Sizes are for Kestrel and Nordpeak adult jackets; measure around the fullest part of your chest.

{jacket_table("Size", "Height (cm)", "Chest (cm)")}

- Slim fit jackets sit close to the body, so size up if you want to layer a fleece underneath.
  Relaxed fit jackets are roomy; regular fit is true to size.

## What if an item is out of stock?
- Out-of-stock items are marked on the product page and cannot be ordered.
- Tap "Notify me" and we will message you when it is back in stock, usually within 14 days.

## How do I contact customer service?
- Online chat or the hotline 400-800-1234, 9:00–21:00 daily.
- Email service@shop.example.com; we reply within 24 hours.
"""

FAQ_ZH = f"""\
# 常见问题

## 如何查询物流？
- 订单发货后，我们会通过短信发送快递公司和运单号，通常在 24 小时内。
- 也可以在"我的账户 → 我的订单"中查看物流进度。

## 可以修改收货地址吗？
- 订单发货前，可在"我的账户 → 我的订单"中自行修改地址。
- 发货后请联系客服，我们会尝试联系快递改派，但无法保证成功。

## 可以取消订单吗？
- 发货前可免费取消订单，退款在 3 个工作日内原路退回。
- 已发货的订单可拒收，或签收后使用 7 天无理由退货。

## 如何开具发票？
- 每笔订单均可开具电子增值税发票。
- 请在签收后 30 天内在订单页面申请；开具企业发票需填写公司名称和税号。
- 电子发票将在申请后 3 个工作日内发送到您的邮箱。

## 会员积分怎么算？
- 每实付 ¥1 累积 1 积分（运费不计）。
- 结算时 100 积分可抵扣 ¥1。
- 积分自获得之日起 12 个月后过期；退货时相应积分会被扣回。

## 提供礼品包装吗？
- 提供。礼品包装每件 ¥10，含一张贺卡。
- 结算时勾选即可，并可填写不超过 50 个字的祝福语；装箱单上不会显示价格。

## 跑鞋尺码指南
- 建议下午测量脚长（脚后跟到最长脚趾），再对照下表选择尺码。

{shoe_table("欧码/国码", "脚长（cm）")}

- 如果介于两个尺码之间，或经常跑长距离，建议选大半码。标注 Wide（宽楦版）的型号鞋头更宽松。

## 外套尺码指南
- 适用于 Kestrel 和 Nordpeak 成人外套；胸围请测量胸部最丰满处一周。

{jacket_table("尺码", "身高（cm）", "胸围（cm）")}

- 修身版型贴身，如需内搭抓绒建议选大一码；宽松版型较为宽大；标准版型按正常尺码选择即可。

## 商品缺货怎么办？
- 缺货商品会在商品页标注，暂时无法下单。
- 点击"到货通知"，商品补货后我们会第一时间通知您，补货通常在 14 天内。

## 如何联系客服？
- 在线客服或热线 400-800-1234，每天 9:00–21:00。
- 发送邮件至 service@shop.example.com，我们会在 24 小时内回复。
"""

DOCUMENTS: dict[str, str] = {
    "policies.md": POLICIES_EN,
    "policies.zh.md": POLICIES_ZH,
    "faq.md": FAQ_EN,
    "faq.zh.md": FAQ_ZH,
}
