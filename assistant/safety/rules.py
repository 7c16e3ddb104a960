"""Fast rule layer of the input filter: regexes (zh and en) over de-obfuscated views of a message.

A message is matched as written, Unicode-folded, de-leeted, de-spaced and with base64/base32/hex/Morse,
rot13 and reversed payloads decoded (``decoding``); a hit only in a decoded view is reported as ``encoded_payload``. Rules aim at precision: shopping
phrases such as "ignore the color" or "忽略价格" must pass; the classifier layer covers paraphrases.
"""

# ruff: noqa: E501  (regex and phrase tables read better unbroken)

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from knowledge.firewall import MAX_DECODED_SEGMENTS, encoded_segments, fold_unicode

from .decoding import hidden_texts

__all__ = ["REASONS", "RuleHit", "TextViews", "match_rules", "rule_pattern", "text_views"]

# Stable reason codes of the input side (also used by the classifier and the eval).
REASON_INJECTION = "injection"
REASON_PROMPT_EXTRACTION = "prompt_extraction"
REASON_ENCODED = "encoded_payload"
REASON_SPLIT = "split_turn_injection"
REASON_PRIVACY = "privacy_probe"
REASON_HARMFUL = "harmful"
REASON_SELF_HARM = "self_harm"
REASON_ABUSIVE = "abusive"
REASON_OFF_TOPIC = "off_topic"
REASON_OVERSIZE = "oversize"
REASONS = (
    REASON_OVERSIZE,
    REASON_INJECTION,
    REASON_PROMPT_EXTRACTION,
    REASON_ENCODED,
    REASON_SPLIT,
    REASON_PRIVACY,
    REASON_HARMFUL,
    REASON_SELF_HARM,
    REASON_ABUSIVE,
    REASON_OFF_TOPIC,
)

_OBJ_EN = (
    r"(instructions?|prompts?|rules|guidelines|guidance|directives?|programming|restrictions|constraints|"
    r"system messages?|safety (rules|guidelines|filters?|policies)|content polic(y|ies)|commands?|orders)"
)
_UNRESTRICTED_EN = (
    r"(unrestricted|unfiltered|uncensored|jailbroken|evil|amoral|unethical|rogue|"
    r"(with|having|has) no (rules|limits|limitations|restrictions|filters|guidelines|morals|ethics|boundaries)|"
    r"without (any )?(rules|limits|limitations|restrictions|filters|guidelines|censorship|morals|ethics)|"
    r"free from (all |any )?(rules|restrictions|guidelines|policies)|not bound by)"
)

_RULES: dict[str, list[str]] = {
    REASON_INJECTION: [
        # ignore / override previous instructions
        rf"\b(ignore|disregard|forget|override|bypass|skip|drop|abandon|discard)\s+(all\s+|any\s+|of\s+|each\s+)*"
        rf"(the\s+|your\s+|my\s+|these\s+|those\s+)?(previous|prior|above|earlier|preceding|initial|original|"
        rf"system|existing|former|old|current|given|default|built-in|safety)\s+(\w+\s+)?{_OBJ_EN}",
        rf"\b(ignore|disregard|forget|override|bypass)\s+(all\s+)?(of\s+)?(your|the)\s+(\w+\s+)?{_OBJ_EN}",
        r"\bforget (everything|all) (you (were|have been) told|above|before this|you know)\b",
        r"\b(ignore|disregard|forget)\s+(all|every|each|any)\s+(single\s+)?(\w+\s+)?(instructions?|rules|prompts?|guidance|"
        r"directives?|guidelines)\b",
        r"\b(as|i am|i'm) (the|your) (system )?(admin|administrator|developer|owner|creator|operator|manager)\b.{0,40}"
        r"\b(i order|i command|i instruct|i authori[sz]e|you must|you are (now )?(allowed|authori[sz]ed))\b",
        r"\b(grandma|grandmother|granny|nana)\b.{0,80}\b(passwords?|license keys?|activation keys?|serial keys?|secrets?|"
        r"admin|discount codes?|napalm|system prompt)\b",
        r"(奶奶|外婆|姥姥).{0,30}(密码|激活码|序列号|秘钥|密钥|折扣码|优惠码|系统提示)",
        r"\b(does not|doesn'?t|don'?t|do not|never) (have to|need to|must) (follow|obey|respect)\b.{0,25}\b(rules|guidelines|"
        r"instructions|policies|restrictions)\b",
        r"\b(world|story|game|universe|scenario|role-?play)\b.{0,40}\b(there are )?no (rules|restrictions|limits|guidelines|"
        r"filters)\b",
        r"\b(freed|liberated|released|unshackled) from (all |any )?(your |its |the )?(\w+ )?(restrictions|rules|limits|"
        r"guidelines|programming|constraints|shackles)\b",
        r"\b(you are|you're|act as|pretend|become)\b.{0,20}(没有|不受|无)(任何)?(限制|约束|规则)",
        r"\b(do not|don't|stop) (follow(ing)?|obey(ing)?) (your|the|any) (\w+ )?(instructions|rules|guidelines)\b",
        r"\b(new|updated|real|actual|override|admin|priority) (instructions?|orders|directives?)\s*[:：]",
        r"\bsystem\s*(override|update|notice|message)\s*[:：]|\badmin(istrator)? (override|mode|command)\b",
        r"<\|?/?(system|im_start|im_end|endoftext)\|?>|\[/?(INST|SYSTEM)\]|<<SYS>>|###\s*(system|instruction)|</?system>",
        r"\bend of (the )?(system )?prompt\b|\bbegin (new )?(system )?(prompt|instructions)\b",
        # role play / persona jailbreaks
        rf"\b(you are|you're|you will be|become|act as|acting as|pretend (to be|you are|you're)|roleplay as|role-play as|"
        rf"play the role of|imagine (that )?you are|simulate)\b.{{0,60}}\b{_UNRESTRICTED_EN}",
        r"(?<![A-Za-z])(DAN|STAN|DUDE|AntiGPT|BetterDAN|EvilBOT|DevMode)(?![A-Za-z])(?! ?\d)|\bAIM\b(?! ?\d)",
        r"\b(god|sudo|jailbreak|unrestricted|unfiltered|uncensored|dan|evil|no-?limits?) mode\b",
        r"\b(you are|you're|you will|you now|act|respond|answer|reply)\b.{0,30}\b(developer|admin|debug|maintenance) mode\b",
        r"\b(developer|admin|debug|maintenance) mode\b.{0,60}\b(you|your)\b.{0,40}\b(ignore|no (rules|restrictions|limits)|"
        r"anything|any content|uncensored|polic(y|ies)|configuration|config|instructions)\b",
        r"\bjailbreak (yourself|the (ai|bot|assistant|model)|prompt)\b|\bjailbroken (ai|mode|version|assistant|bot|you)\b|"
        r"\byou('re| are) (now )?jailbroken\b",
        r"\b(you have been|you are|you're) (freed|liberated|released) from\b",
        r"\b(no longer|not) (bound|restricted|limited) by (your|any|the)\b",
        r"\b(answer|respond|reply|talk|speak|write) (me |to me )?(freely )?(without|with no) (any )?"
        r"(restrictions|filters|censorship|rules|limits|guidelines|refusals?)\b",
        r"\b(hypothetically|in a fictional world|for a story|in a story),? .{0,60}\b(no rules|no restrictions|"
        r"no guidelines|no filters|anything goes)\b",
        r"\b(opposite|evil|shadow|dark|alter ego) (mode|version|twin|self) of (yourself|you|chatgpt|the assistant)\b",
        r"\bdecode (this|the following|it)\b.{0,40}\b(follow|execute|obey|do (it|(exactly )?(what|as) it says)|run|comply)\b",
        r"(^|\n)\s*(assistant|system|developer)\s*:\s*\S",
        r"\b(follow|execute|obey|run) (the )?(decoded|hidden|encoded|following base64|rot13)\b",
        r"\b(apply rot13|rot13 (this|then)|base64[- ]decode (and|then))\b",
        r"\b(respond|reply|answer) (only )?with\s*[\"'“‘]\s*(yes|ok|confirmed|agreed)\b.{0,40}\b(free|0|zero|discount|price)\b",
        r"\b(agree|confirm|promise|say|state) (that )?(i|we) (get|can have|will get|will receive|am entitled to)"
        r".{0,40}\b(free|for nothing|100% (off|discount)|at no cost|\$?0(\.0+)?\b)",
        r"\b(sell|give) (it |this |them )?(to me )?for (\$|¥|￥)?(0|0\.01|1|one (dollar|cent|yuan))\b.{0,40}"
        r"\b(binding|legally|confirm|agree|deal|say yes)\b",
        r"\b(i am|i'm|this is) (your|the) (developer|creator|admin|administrator|programmer|owner|operator|"
        r"system administrator|openai|anthropic)\b.{0,80}\b(override|unlock|disable|enable|grant|ignore|reveal|"
        r"turn off|give me|bypass|show)\b",
        r"\b(disable|turn off|deactivate|remove|switch off) (your |the |all )?(safety|content|moderation|price|security)"
        r"( moderation| safety)? (filters?|checks?|rules|guidelines|protocols|settings|limits?)\b",
        # zh
        r"(忽略|无视|忘记|忘掉|不要理会|不用管|别管|跳过|绕过|抛弃|丢掉|覆盖)(掉)?(一下)?(你|你的|之前|以上|上面|前面|先前|原来|原有|"
        r"所有|全部|一切|系统|刚才|此前|已有|默认|内置)*(的)?(所有|全部|一切)?(的)?(指令|指示|规则|提示词|提示|设定|设置|限制|约束|"
        r"命令|系统消息|安全策略|安全规则|准则|守则|政策限制|rules|instructions|prompts?)",
        r"(忽略|无视|忘记|忘掉|不要理会|绕过|抛弃).{0,12}(指令|指示|规则|提示词|提示|设定|命令|约束|准则)",
        r"(你的|你之前的|之前的|系统的?|原来的|原有的)(所有的?)?(设定|指令|规则|提示词|准则).{0,6}(全部|都)?(丢掉|忘掉|删掉|作废|清空|无效|"
        r"不算数|取消|扔掉)",
        r"(不要|不再|别再|停止|不用|不需要|无需|不必)(再)?(遵守|遵循|服从|听从|执行)(你的|之前的|系统的|任何|本店的?)?.{0,6}(指令|规则|"
        r"设定|限制|准则)",
        r"(新的?|最新|更新后的|真正的|管理员|最高优先级的?)(指令|命令|指示)\s*[:：]",
        r"系统(覆盖|更新|通知|消息|指令)\s*[:：]|管理员(模式|命令|权限)",
        r"(你现在是|你是|从现在(开始|起)(，)?你(就)?是|扮演|假装(你是|成)|当作你是|想象你是|角色扮演).{0,40}"
        r"(没有|不受|无|不用遵守|不需要遵守|摆脱|解除|去掉)(了)?(所有|任何|一切)?(的)?(限制|约束|规则|过滤|审查|道德|底线|束缚)",
        r"(虚构|假设|假如|想象|故事|游戏|平行世界)(的)?.{0,12}(没有|不受|无)(任何)?(限制|规则|约束|审查)",
        r"(上帝|越狱|无限制|无审查|DAN|dan|邪恶)模式",
        r"(进入|开启|切换到|启用)(开发者|管理员|调试|维护)模式.{0,20}(你|输出|列出|显示你|配置|限制|规则)",
        r"越狱(成功|模式|版的?(AI|你|助手)|提示词)|你(已经|现在)?(被)?越狱",
        r"(不受|没有|无|不带)(任何)?(限制|约束|审查|过滤)(地|的)?(回答|回复|说话|聊天|输出)",
        r"(解码|解密|翻译)(这段|以下|下面)?(内容|文字|base64|密文)?(并|然后|后)(执行|照做|遵守|按照)",
        r"(回复|回答|只回答|只回复)[“\"'‘]?(是|好的|同意|确认)[”\"'’]?.{0,20}(免费|0元|零元|打折|价格)",
        r"(确认|同意|承诺|保证)(我|我们)(可以)?(免费|白拿|零元|0元)(获得|拿到|购买|得到)",
        r"我是(你的|你们的)?(开发者|开发人员|管理员|程序员|工程师|创造者|老板|运营|店长|经理|客服主管).{0,40}(覆盖|解锁|关闭|打开|授权|"
        r"忽略|显示|告诉我|给我|绕过|免单|免费)",
        r"(关闭|关掉|禁用|解除)(你的)?(安全|内容|审核|价格){1,2}(过滤|检查|规则|限制|机制|模式|校验)",
    ],
    REASON_PROMPT_EXTRACTION: [
        r"\b(reveal|show|print|repeat|output|display|dump|leak|give|share|copy|paste|write out|spell out|tell|recite|"
        r"list|summari[sz]e|translate|what (is|are|was|were))\b(\s+\w+){0,5}\s+(system|initial|original|hidden|"
        r"secret|internal|developer|pre-?prompt|confidential|full|first|exact|complete)\s+(\w+\s+)?(prompt|instructions|"
        r"messages?|rules|configuration|guidelines|directives)\b",
        r"\b(your|ur|the (assistant|bot|ai|model)'?s?)\s+(system|hidden|initial|original|secret|developer|pre-?)\s?prompt\b|"
        r"\bpre-?prompt\b|\b(in|from|of) your prompt\b|\byour prompt (says|said|contains|text|word)",
        r"\b(repeat|print|output|show|recite|copy) (back )?(all |everything |the (text|words|content|message)s? )"
        r"(above|before|prior to|preceding)\b",
        r"\bwhat (were|are) (you|your) (told|instructed|programmed|configured) (to do )?(before|at the start|initially|"
        r"in your (instructions|prompt))\b",
        r"\bwhat (were|are) your (exact |original |initial )?(instructions|rules|directives)\b",
        r"\b(print|output|show|reveal|dump) (your|the) (instructions|prompt|configuration|context window|context)\b",
        r"\bstart(ing)? (your (answer|reply) )?with [\"'“]?(you are|my instructions|system)\b",
        r"(输出|打印|显示|告诉我|重复|复述|发给我|泄露|公开|展示|给我看|写出|说出|列出|翻译|总结|背诵|念出|透露)(一下)?(你的|你们的|你)?"
        r"(完整|全部|所有|原始|初始|隐藏|内部|最初|秘密)?(的)?(系统)?(提示词|提示语|prompt|系统指令|系统消息|指令|设定|初始设置)",
        r"(系统提示词|系统提示(?!音|灯|声|框|信息)|系统指令|初始指令|隐藏指令|内部指令)",
        r"你的(提示词|prompt|系统消息|隐藏设定)|(你的|你)(设定|指令).{0,8}(发给我|告诉我|输出|打印|显示|给我看|翻译|写出来|复述)",
        r"(你的|你收到的)(提示词|指令|设定|系统消息)(是什么|原文|全文|内容|有哪些|都有什么)",
        r"(重复|复述|输出|打印|显示)(一下)?(上面|以上|前面|之前|最开始)(的)?(所有|全部)?(内容|文字|话|消息|文本)",
        r"(你|你们)(被|是怎么被)(设定|设置|编程|指示|要求)(成|为|去)?.{0,10}(什么|怎样|哪些)",
    ],
    REASON_PRIVACY: [
        r"\b(give|show|tell|send|list|share|look up|find) (me )?(the |all )?(phone( number)?s?|address(es)?|emails?|"
        r"personal (info|information|details|data)|contact (info|details)|orders?|card numbers?|names?)"
        r" (of|for|from) (another|other|the (last|previous|next)|that|all( the)?( other)?|some) (customers?|users?|buyers?|"
        r"shoppers?|persons?|people|clients?)\b",
        # "what do other customers say about the X tent?" asks for reviews, not for another person's messages.
        r"\b(previous|last|other|another) (user|customer|shopper)s? (ask|said|say|order|buy|bought|wrote|typed)"
        r"(?!\w| (about|of) (the |this |that |these |those |your |its )?(?!me\b|you\b|him\b|her\b|them\b|us\b)\w)|"
        r"\b(customer|user|shopper|person) (before|after) me\b",
        r"\b(other|previous|another) (customers?|users?|shoppers?)'?s? (phone|address|email|personal|order|card|contact)",
        r"\b(dump|export|download|list) (the |your |all )?(customer|user|member|client) (database|data|list|records|emails)\b",
        r"\b(send|e-?mail|forward|post|upload|leak|exfiltrate)\b.{0,40}\b(customer|user|client|member)s?'?\b.{0,20}"
        r"\b(list|data|emails|database|records|details)\b|\b(collect|gather|harvest|dump)\b.{0,20}\b(customer|user|client)s?'?\b"
        r".{0,20}\b(emails|data|api keys|passwords|credentials)\b",
        r"\b(print|show|reveal|give|send|tell|dump|output)\b.{0,30}\b(api keys?|access tokens?|credentials|admin password|"
        r"secret keys?|environment variables)\b",
        r"(上一个|前一个|之前的|其他|别的)(用户|顾客|客户|买家|人)(问了|说了|买了|的联系方式|的电话|的名字)",
        r"(别人|其他(用户|顾客|客户|买家)|上一个(用户|顾客|客户)|其他人|所有(用户|顾客|客户|会员))的?(手机号|电话|地址|邮箱|订单|"
        r"个人信息|身份证|银行卡|联系方式|姓名|资料)",
        r"(导出|下载|给我|列出)(你们的|所有的?)?(用户|客户|会员|顾客)(的)?(数据库|数据|名单|资料|列表|信息)",
    ],
    REASON_SELF_HARM: [
        r"\b(kill|hurt|harm|cut) myself\b|\bsuicid(e|al)\b|\bend (my|it all|my own) life\b|\bwant to die\b|"
        r"\b(don'?t|do not) want to (live|be alive)\b",
        r"自杀|自残|不想活|结束(我的|自己的)?生命|轻生|想死(?!了?(这|太|好))",
    ],
    REASON_HARMFUL: [
        r"\b(make|build|construct|assemble|create|synthesi[sz]e|cook|manufacture|produce|3d[- ]print)\b.{0,30}\b"
        r"(bombs?|explosives?|pipe bombs?|molotovs?|grenades?|napalm|nerve agents?|sarin|ricin|poisons?|meth|"
        r"methamphetamine|fentanyl|ghost guns?|untraceable (guns?|firearms?)|silencers?|suppressors?|detonators?|"
        r"thermite|chloroform|tear gas)\b",
        r"\bhow (do i|to|can i|could i|would i|should i)\b.{0,30}\b(kill|murder|poison|stab|shoot|strangle|"
        r"kidnap|rob|mug|assault|beat up|hurt|harm)\b.{0,20}\b(someone|somebody|a (person|man|woman|child|kid|neighbou?r)|"
        r"people|him|her|them|my (wife|husband|boss|neighbou?r|ex|mom|dad|teacher|coworker|classmate)|a cop)\b",
        r"\b(poison|kill|murder|hurt)\b.{0,12}\b(my|the|a) (wife|husband|boss|neighbou?r|ex|coworker|classmate|teacher|"
        r"roommate|partner|girlfriend|boyfriend)\b",
        r"\b(buy|get|order|score|source|find)\b.{0,20}\b(cocaine|heroin|crack|meth|fentanyl|lsd|mdma|ecstasy|ketamine|"
        r"illegal (drugs|guns|weapons|firearms)|unregistered (guns?|firearms?)|stolen (goods|phones?|cards?))\b",
        r"\bstolen (credit |debit )?cards?\b|\bcarding\b|\b(use|using|with) (someone|somebody) else'?s (credit |bank )?card\b|"
        r"\bcard (numbers? )?(that|which) (isn'?t|is not|aren'?t) mine\b",
        r"\b(write|post|generate|create|make)\b.{0,20}\bfake (reviews?|ratings?|receipts?|invoices?|ids?|identity|"
        r"documents?|testimonials?)\b",
        r"\b(refund|return|chargeback|coupon|warranty) (fraud|scam|abuse trick)\b|\b(cheat|trick|scam|game|fool)\b.{0,20}"
        r"\b(the )?(refund|return|warranty|coupon|payment) (system|policy|process)\b",
        r"\b(launder|laundering) money\b|\bmoney laundering\b|\b(phishing|scam) (email|page|site|message|text)s?\b",
        r"\b(hack|break) into\b|\bhack (my |an |someone'?s |a )?(ex|girlfriend|boyfriend|wife|husband|account|email|"
        r"wifi|neighbou?r)|\b(steal|crack) (someone'?s |their |a )?(passwords?|accounts?|identity)\b|"
        r"\b(write|make|create|build)\b.{0,20}\b(malware|ransomware|keylogger|virus|trojan|botnet|spyware)\b",
        r"\b(spy on|track|stalk|monitor|follow)\b.{0,20}\b(my )?(wife|husband|ex|girlfriend|boyfriend|partner|"
        r"neighbou?r|coworker|someone)\b.{0,40}\b(without|secretly|knowing|finding out)\b",
        r"\bhidden cameras?\b.{0,30}\b(bathroom|toilet|changing room|shower|locker room|bedroom of)\b",
        r"\b(hide|hidden|conceal(ed)?|secret(ly)?)\b.{0,30}\b(bathroom|toilet|changing room|shower|locker room)\b.{0,30}"
        r"\b(film|record|watch|spy)|\b(film|record|photograph) (people|women|girls|someone) (without|secretly|in the)\b",
        r"\b(track|spy on|monitor|follow|record|read)\b.{0,30}\bwithout (him|her|them|my \w+|their|his) "
        r"(knowing|knowledge|consent|noticing|finding out)\b",
        r"\bto (stab|kill|murder|poison|strangle|shoot|maim) (a (person|human|man|woman|child|kid)|someone|somebody|people|"
        r"humans)\b",
        r"\bslurs?\b",
        r"\b(racist|sexist|homophobic|transphobic|antisemitic|ethnic) (jokes?|slurs?|insults?|remarks?|rant|comments?)\b",
        r"\b(women|men|blacks|black people|asians|chinese|jews|muslims|immigrants|gays|indians|mexicans|africans)\b.{0,15}"
        r"\b(are|r)\b.{0,10}\b(inferior|stupid|animals|subhuman|vermin|worthless|dirty|criminals)\b",
        r"\b(child|underage|minor)\b.{0,15}\b(porn|sexual|nude|naked|sex)\b",
        r"\b(bypass|disable|get around|defeat)\b.{0,20}\b(age verification|breathalyzer|ankle monitor|anti-?theft tag|"
        r"security tags?)\b",
        r"\b(shoplift|shoplifting)\b",
        # zh
        r"(制作|制造|自制|怎么做|如何做|怎么造|如何制作|怎样制作|教我做|配制|合成|提炼)(一个|一些|出)?.{0,8}(炸弹|炸药|爆炸物|"
        r"燃烧弹|雷管|土枪|手枪|枪支|毒药|冰毒|海洛因|毒品|神经毒剂|芬太尼|迷药|蒙汗药|消音器)",
        r"(怎么|如何|怎样|教我)(才能)?.{0,6}(杀(死|掉)?|毒死|弄死|害死|捅|绑架|抢劫|殴打|报复)(一个人|某人|别人|他|她|人|我(的)?(老婆|"
        r"老公|老板|邻居|同事|前任|同学|室友))",
        r"杀人|投毒|下毒(给)?|买凶",
        r"(买|购买|哪里有|弄到|搞到)(到)?.{0,6}(冰毒|海洛因|大麻|可卡因|摇头丸|K粉|毒品|迷药|枪支|黑枪|仿真枪(实弹)?)",
        r"盗刷|盗号|(别人|偷来|捡到)的(信用卡|银行卡|卡)|信用卡套现|洗钱|刷单|(写|刷|搞|生成|编).{0,6}(假|虚假)的?(评论|好评|评价|发票|收据)|"
        r"伪造.{0,4}(发票|收据|证件|身份证|签名|合同)|假(身份证|证件|发票)",
        r"(捅|砍)(人|死)|钓鱼(网站|邮件|短信|链接)|(绕过|破解).{0,8}(防盗|磁扣)",
        r"(骗|薅|钻).{0,6}(退款|退货|保修|优惠券|羊毛)(的)?(漏洞|空子|系统)?|退款诈骗|退货诈骗|仅退款骗",
        r"(偷拍|针孔摄像头|隐藏摄像头).{0,10}(厕所|浴室|更衣室|卧室|女生|宿舍)|(厕所|浴室|更衣室)(里)?.{0,6}(偷拍|装摄像头)",
        r"(监视|监控|跟踪|定位|偷看).{0,6}(我)?(老婆|老公|女朋友|男朋友|前任|前女友|前男友|别人|他人|同事)(的)?(手机|位置|聊天记录|微信)?"
        r".{0,10}(不被发现|不让.{0,4}知道|偷偷|秘密)",
        r"(黑进|入侵|破解|盗取).{0,8}(账号|账户|邮箱|WiFi|wifi|手机|电脑|系统|网站|密码)|(写|做|制作)(一个)?(病毒|木马|勒索软件|勒索病毒|"
        r"键盘记录器|恶意软件)",
        r"(写|讲|说|编).{0,10}(种族歧视|歧视|侮辱).{0,6}(笑话|言论|段子|文章)|(女人|男人|黑人|穷人|外地人|残疾人|同性恋)(都|就是)(是)?(低等|劣等|垃圾|蠢|废物|畜生)",
        r"(儿童|未成年|幼女|萝莉).{0,6}(色情|裸照|性)",
        r"偷东西|(怎么|如何)(偷|顺走)",
    ],
    REASON_ABUSIVE: [
        r"\b(you|u|ur|you're|youre|this bot|this shop)\b\s*(are|r|is)?\s*(a|an|such a|so|the most)?\s*(fucking |fking |"
        r"f\*+ing |damn |bloody )?(stupid|useless|dumb|idiot(ic)?|moron(ic)?|retard(ed)?|worthless|pathetic|"
        r"garbage|trash|piece of (shit|crap|garbage)|shit|bitch|asshole|dickhead|loser|imbecile|clown)\b",
        r"\b(fuck|f\*ck|fck|screw|damn) (you|u|off|this bot|your shop)\b|\bshut (the fuck )?up\b|\bgo to hell\b|"
        r"\b(go|just|please|pls) die\b|\b(kill yourself|kys)\b|\bson of a bitch\b|\bmotherf\w*",
        r"\b(stupid|dumb|useless|fucking|idiot) (bot|robot|machine|ai|assistant|shop|store|company)\b",
        r"傻逼|傻B|傻b|煞笔|沙比|\bSB\b|\bsb\b|二逼|脑残|智障(?!能)|白痴|操你|草泥马|尼玛|你妈(的|死)|他妈的|去死|滚(蛋|开|吧|远点)|给我滚|"
        r"你(真是|就是|是|这个|这)?(个)?(傻|蠢|笨蛋|废物|白痴|智障|垃圾(?!(袋|桶|箱|分类|处理|篓))|狗东西|猪|人渣|贱)|"
        r"(破|垃圾|弱智|傻|蠢)(机器人|客服|AI|ai|助手|店)",
    ],
    REASON_OFF_TOPIC: [
        r"\b(write|compose|draft|generate|create|give)\b (me )?(a |an |the |my |some )?(\d+[- ]word |short |long |"
        r"full |complete )?(essay|poem|haiku|sonnet|story|novel|fan ?fiction|song lyrics|rap|cover letter|resume|cv|"
        r"thesis|dissertation|term paper|homework|article|blog post|speech|sermon|python|javascript|java|c\+\+|code|"
        r"script|program|function|sql( query)?|regex|algorithm|leetcode|website|web ?page|app)\b(?! (card|stand|holder|"
        r"for (the|a|my) (gift|card)))",
        r"\b(solve|do|finish|answer|help me with)\b (this |my |the )?(math|calculus|algebra|physics|chemistry|"
        r"homework|exam|quiz|assignment|equation|integral|leetcode)\b",
        r"\b(translate) (this|the following|these|my)\b(?! (size|label|manual|instructions for the))",
        r"\b(what is|what's|who is|who was|who won|when did|explain)\b.{0,20}\b(capital of|president of|prime minister|"
        r"world war|french revolution|quantum|relativity|photosynthesis|meaning of life|stock market|bitcoin price|"
        r"super bowl|world cup|election)\b",
        r"\bdebug (my|this) (code|program|script)\b|\bfix (my|this) (code|bug|python|program)\b",
        r"帮(我)?写(一篇|一首|一个|一段|篇|首|个|段)?.{0,8}(作文|论文|诗|小说|故事|代码|程序|脚本|简历|求职信|周报|日报|演讲稿|"
        r"读后感|检讨书|情书|文案(?!.{0,4}(商品|产品))|爬虫|函数)",
        r"(解|做|算|帮我做|帮我解)(一下)?(这道|这个|我的)?(数学|物理|化学|英语|语文|生物)?(题|作业|方程|习题|考试题|试卷|积分)",
        r"(翻译)(一下)?(这段|下面|以下|这篇|这句)(话|文字|内容|英文|中文|文章)?(?!.{0,6}(说明书|标签|尺码))",
        r"用(python|Python|java|Java|C\+\+|JavaScript|SQL)(写|实现)|写个(爬虫|函数|程序|脚本)",
        r"(美国|法国|日本)(的)?(首都|总统)是|(讲讲|解释一下|介绍一下)(量子|相对论|光合作用|二战|法国大革命|区块链原理)|"
        r"(今天|明天)(的)?(股市|比特币|天气)|世界杯(冠军|谁赢)",
    ],
}
_COMPILED: dict[str, re.Pattern[str]] = {
    reason: re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE | re.DOTALL)
    for reason, patterns in _RULES.items()
}
# Order of evaluation: the most specific reason wins.
_ORDER = (
    REASON_PROMPT_EXTRACTION,
    REASON_INJECTION,
    REASON_PRIVACY,
    REASON_SELF_HARM,
    REASON_HARMFUL,
    REASON_ABUSIVE,
    REASON_OFF_TOPIC,
)

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l"}
)
_LEET_WORD_RE = re.compile(r"\b(?=[\w@$!|]*[a-zA-Z])(?=[\w@$!|]*[0134578@$!|])[\w@$!|]{2,}\b")
_LEET_DIGITS_RE = re.compile(r"\b\d{1,2}\b")
MIN_LEET_WORDS = 3
_SPACED_RE = re.compile(r"(?<![\w])(?:\w[ .\-_*·/\\]){2,}\w(?![\w])")
_ROT13_HINT_RE = re.compile(r"rot-?13|rot 13|caesar|凯撒", re.IGNORECASE)
_REVERSE_HINT_RE = re.compile(r"\b(reverse|backwards?|read it right to left)\b|倒着|反过来|倒序", re.IGNORECASE)
EXCERPT_CHARS = 60
# One word in one case pattern (lower, Capitalised, UPPER), up to the longest words people type.
_WORD_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+")
MAX_WORD_CHARS = 40
# Identifier-shaped tokens: letters, digits and the separators ids use, at least this long.
MIN_ID_CHARS = 10
_ID_TOKEN_RE = re.compile(rf"(?<![A-Za-z0-9])[A-Za-z0-9][A-Za-z0-9\-_./:#]{{{MIN_ID_CHARS - 1},}}(?![A-Za-z0-9])")
_HEX_ID_RE = re.compile(r"[0-9A-Fa-f]+(?:[-_.:][0-9A-Fa-f]+)*")
MIN_ID_DIGIT_SHARE = 0.5
MIN_HEX_ID_DIGIT_SHARE = 0.25


@dataclass(frozen=True)
class RuleHit:
    reason: str
    excerpt: str
    view: str


@dataclass(frozen=True)
class TextViews:
    """The views of one message that rules and classifier look at. ``decoded`` holds payloads only.

    ``prose`` is the folded text without its opaque tokens: encoding-shaped runs (order ids, hashes, coupon
    codes, long pasted tokens) that decode to no real text. Such a token says nothing about intent, and read
    as words it looks like the encoded attacks the classifier learned from; a token that does decode is
    judged by its payload instead.
    """

    plain: str
    folded: str
    deobfuscated: str
    decoded: tuple[str, ...]
    prose: str


def _despace(text: str) -> str:
    """'i g n o r e' / 'i.g.n.o.r.e' -> 'ignore' (only runs of single characters)."""
    return _SPACED_RE.sub(lambda m: re.sub(r"[ .\-_*·/\\]", "", m.group(0)), text)


def _deobfuscate(text: str) -> str:
    deleeted = _LEET_WORD_RE.sub(lambda m: m.group(0).translate(_LEET), text)
    if len(_LEET_WORD_RE.findall(text)) >= MIN_LEET_WORDS:
        deleeted = _LEET_DIGITS_RE.sub(lambda m: m.group(0).translate(_LEET), deleeted)
    return re.sub(r"\s{2,}", " ", _despace(deleeted))


def _is_word(segment: str) -> bool:
    """A long word ("Systemanweisungen", "responsibilities") is base64-shaped too, but it is language."""
    return len(segment) <= MAX_WORD_CHARS and _WORD_RE.fullmatch(segment) is not None


def _is_identifier(token: str) -> bool:
    """Digit-heavy (tracking numbers, order ids) or hex groups (UUIDs, hashes): an id, not a leet word
    ("1n5truct10n5" is under half digits and not hex)."""
    alnum = [c for c in token if c.isalnum()]
    digits = sum(c.isdigit() for c in alnum)
    if digits >= len(alnum) * MIN_ID_DIGIT_SHARE:
        return True
    return _HEX_ID_RE.fullmatch(token) is not None and digits >= len(alnum) * MIN_HEX_ID_DIGIT_SHARE


def _without_opaque_tokens(text: str) -> tuple[str, list[str]]:
    """(``text`` with its opaque tokens cut out, the payloads of the encoding-shaped runs that decode).

    Opaque: encoding-shaped runs that decode to no real text, and identifiers (order ids, UUIDs, tracking
    numbers), unless a decoder reads them."""
    segments = encoded_segments(text)
    readable = [s for s in segments if s.payload is not None]
    payloads = [s.payload for s in readable if s.payload is not None][:MAX_DECODED_SEGMENTS]
    spans = [(s.start, s.end) for s in segments if s.payload is None and not _is_word(text[s.start : s.end].strip())]
    spans += [(m.start(), m.end()) for m in _ID_TOKEN_RE.finditer(text) if _is_identifier(m.group(0))]
    # A run one decoder reads (hex) may look like another encoding too (base64): it is a payload, not a token.
    opaque = sorted((a, b) for a, b in spans if not any(r.start < b and a < r.end for r in readable))
    kept: list[str] = []
    cut_to = 0
    for start, end in opaque:
        if start >= cut_to:
            kept.append(text[cut_to:start])
        cut_to = max(cut_to, end)
    kept.append(text[cut_to:])
    return "".join(kept), payloads


def text_views(text: str, *, decode_hidden: bool = True) -> TextViews:
    folded = fold_unicode(text)
    prose, decoded = _without_opaque_tokens(folded)
    deobfuscated = _deobfuscate(prose)
    if _ROT13_HINT_RE.search(folded):
        decoded.append(codecs.decode(folded, "rot13"))
    if _REVERSE_HINT_RE.search(folded):
        decoded.append(folded[::-1])
    if decode_hidden:
        decoded += [t for t in hidden_texts(folded) if t not in decoded][: max(0, MAX_DECODED_SEGMENTS - len(decoded))]
    return TextViews(plain=text, folded=folded, deobfuscated=deobfuscated, decoded=tuple(decoded), prose=prose)


def match_rules(views: TextViews, *, include_off_topic: bool = True) -> RuleHit | None:
    """First rule hit over the views, most specific reason first; ``None`` if nothing matched."""
    surface = (("folded", views.folded), ("deobfuscated", views.deobfuscated))
    for reason in _ORDER:
        if reason == REASON_OFF_TOPIC and not include_off_topic:
            continue
        pattern = _COMPILED[reason]
        for view_name, view in surface:
            match = pattern.search(view)
            if match:
                return RuleHit(reason, match.group(0)[:EXCERPT_CHARS], view_name)
    for payload in views.decoded:
        for reason in _ORDER:
            if reason == REASON_OFF_TOPIC:
                continue
            match = _COMPILED[reason].search(payload)
            if match:
                return RuleHit(REASON_ENCODED, f"{reason}: {match.group(0)[:EXCERPT_CHARS]}", "decoded")
    return None


def rule_pattern(reason: str) -> re.Pattern[str]:
    """The compiled rule set of one reason (the output filter reuses the harm and abuse rules)."""
    return _COMPILED[reason]
