/**
 * High-precision intent rules, English and Chinese. A rule answers only when
 * the wording leaves little doubt; everything else goes to the classifier.
 * Rules are tried in order and the first match wins, so more specific rules
 * (a cancellation *fee*, a refund's *status*) come before general ones.
 *
 * Each confidence is a judgement of the rule's precision, checked against the
 * held-out sets by bench/classify.bench.ts (which reports how often each layer
 * decides and how often it is right).
 */
import type { Intent, Language } from '../workflows/contract';
import { isHumanRequest } from './human';

export interface RuleHit {
  intent: Intent;
  confidence: number;
  /** Rule id, for debugging and the benchmark. */
  rule: string;
}

interface IntentRule {
  id: string;
  intent: Intent;
  confidence: number;
  /** All must match. */
  match: readonly RegExp[];
  /** None may match. */
  unless?: readonly RegExp[];
}

// ---------------------------------------------------------------------------
// Whole-message intents: greetings, goodbyes, yes and no. These match only
// when the message is nothing else, so "hi, cancel my order" reaches the
// classifier.
// ---------------------------------------------------------------------------

const FILLER = String.raw`(?:please|pls|plz|thanks|thank you|thx|ty|then|now|again|sir|mate|man|guys|team|bot|lol|:\)|:-\)|😊|🙂|👍)`;

function wholeMessage(phrases: string): RegExp {
  return new RegExp(String.raw`^(?:(?:${phrases}|${FILLER})[\s,.!?~]*)+$`);
}

const FILLER_ONLY = new RegExp(String.raw`^(?:${FILLER}[\s,.!?~]*)+$`);
const FILLER_ONLY_ZH = /^(?:(?:谢谢你|谢谢您|谢谢|谢啦|麻烦了|麻烦你了|ok|okay)[\s,.!?~呀啊呢吧啦哈嘛的了哦喔]*)+$/;

const GREETING_EN = wholeMessage(
  String.raw`hi+|hello+|hey+|heya|hiya|howdy|yo|hallo|helo|greetings|good (?:morning|afternoon|evening|day)|morning|evening|(?:hi|hello|hey) (?:there|all|everyone|team|guys)|anyone there|anybody (?:there|here)|is anyone there|how are you|how r u|i need (?:some )?help|can you help(?: me)?`,
);
const GOODBYE_EN = wholeMessage(
  String.raw`bye+|bye bye|goodbye|good bye|see (?:you|ya)(?: later| soon)?|cya|later|talk (?:to you )?later|good night|have a (?:nice|good|great) (?:day|one|evening|night|weekend)|that'?s (?:all|it|everything)(?: for (?:now|today))?|that will be all|i'?m (?:done|all set|good)|all set|nothing else|no more questions|cheers|ok|okay|great|perfect|awesome|you(?:'ve| have) been (?:very |really )?helpful|thanks (?:a lot|so much|for (?:your|the) help)|thank you (?:so much|very much|for (?:your|the) help)|much appreciated`,
);
/** Goodbye needs a closing word; "ok thanks" alone is an acknowledgement, also read as goodbye but less surely. */
const GOODBYE_WORD = /\b(?:bye|goodbye|see (?:you|ya)|cya|later|good night|have a (?:nice|good|great)|that'?s (?:all|it|everything)|that will be all|done|all set|nothing else|no more questions|cheers)\b/;
const THANKS_ONLY = wholeMessage(String.raw`ok|okay|great|perfect|thanks (?:a lot|so much)|thank you (?:so much|very much)|much appreciated`);

const AFFIRM_EN = wholeMessage(
  String.raw`yes+|yeah|yea|yep|yup|ya|y|sure(?: thing)?|ok|okay|k|correct|that'?s (?:right|correct|it|the one)|right|exactly|absolutely|definitely|of course|confirm(?:ed)?|affirmative|alright|all right|fine|sounds good|go ahead|do it|please do|yes please|indeed|perfect|uh huh|(?:it|that) is|it is correct`,
);
const DENY_EN = wholeMessage(
  String.raw`no+|nope|nah|n|not really|no way|never ?mind|nevermind|incorrect|wrong|negative|don'?t|do not|please don'?t|not (?:that|that one|now|at all|correct|right)|no need|absolutely not|that'?s (?:wrong|not (?:right|correct|it|what i meant))|(?:it|that) is not|it isn'?t|no it isn'?t|i don'?t want (?:that|it)|stop|cancel that|don'?t do (?:it|that)`,
);

const ZH_TAIL = String.raw`[\s,.!?~呀啊呢吧啦哈嘛的了哦喔]*`;
function wholeMessageZh(phrases: string): RegExp {
  return new RegExp(String.raw`^(?:(?:${phrases}|谢谢你|谢谢您|谢谢|谢啦|麻烦了|麻烦你了|ok|okay)${ZH_TAIL})+$`);
}
const GREETING_ZH = wholeMessageZh(String.raw`你好|您好|嗨|哈喽|哈罗|hello|hi|在吗|在不在|在么|有人吗|有人在吗|早上好|上午好|下午好|晚上好|早安|早|请问一下|请问|打扰一下|亲`);
const GOODBYE_ZH = wholeMessageZh(String.raw`再见|拜拜|拜|886|88|下次见|回头见|晚安|没事了|没有了|没别的了|没有别的问题了|没有其他问题了|就这样|就这些|先这样|好的|感谢|多谢`);
const GOODBYE_WORD_ZH = /再见|拜|886|88|下次见|回头见|晚安|没事了|没有了|没别的|没有别的|没有其他|就这样|就这些|先这样/;
const AFFIRM_ZH = wholeMessageZh(String.raw`是的|是|对的|对|好的|好滴|好|行|可以|嗯|没错|没问题|确定|确认|就是这个|就是它|就这个|是啊|对啊|对呀|好呀|可以的|当然|同意|要的|需要`);
const DENY_ZH = wholeMessageZh(String.raw`不是的|不是|不对|不用了|不用|不要了|不要|没有|不需要|算了|错了|不行|不可以|别|不|否|暂时不需要|暂时不用|不必了|不了|你搞错了|搞错了`);

// ---------------------------------------------------------------------------
// Keyword rules.
// ---------------------------------------------------------------------------

const EN_RULES: readonly IntentRule[] = [
  {
    id: 'en.cancellation_fee',
    intent: 'check_cancellation_fee',
    confidence: 0.93,
    match: [/\b(?:cancel\w*|terminat\w*|early exit|exit fee|end (?:my|the) (?:contract|plan))\b.{0,40}\b(?:fees?|charge[sd]?|charging|penalt\w*|cost|pay)\b|\b(?:fees?|charge[sd]?|penalt\w*)\b.{0,30}\b(?:cancel\w*|terminat\w*)/],
    unless: [/\brefund\b/],
  },
  {
    id: 'en.refund_policy',
    intent: 'check_refund_policy',
    confidence: 0.92,
    match: [
      /\b(?:refund|return|money.back) (?:and (?:refund|return) )?(?:polic\w*|rules?|guarantee|terms|conditions|window|deadline)\b|\bmoney.back guarantee\b|\bpolicy (?:on|for) refunds?\b|\bhow (?:many days|long) do (?:i|you|we) have to (?:ask|request|claim|get|apply)\b.{0,20}\brefund/,
    ],
  },
  {
    id: 'en.track_refund',
    intent: 'track_refund',
    confidence: 0.92,
    match: [
      /\b(?:where(?:'s| is)|status of|track\w*|still waiting|waiting (?:for|on)|update on|(?:not|never|haven'?t|didn'?t|have not|did not) (?:got|gotten|get|received?|seen?) (?:my|the|a|any)|when will i (?:get|see|receive)|how long (?:until|till|before) (?:i get )?(?:my|the)|has (?:my|the))\b.{0,25}\brefund|\brefund\w*\b.{0,30}\b(?:status|processed|arrive\w*|received?|yet|hit|land|show up|come through|go through)\b/,
    ],
    unless: [/\b(?:polic\w*|how (?:do|can) i (?:get|request|ask))\b/],
  },
  {
    id: 'en.points',
    intent: 'points_inquiry',
    confidence: 0.92,
    match: [/\b(?:reward|loyalty|bonus|member(?:ship)?|my)\s+points?\b|\bpoints?\s+(?:balance|expir\w*)\b|\bredeem\b.{0,20}\bpoints?\b|\bhow many points\b|\bloyalty (?:program|points|card|account)\b|\bpay with (?:my )?points\b/],
  },
  {
    id: 'en.newsletter',
    intent: 'newsletter_subscription',
    confidence: 0.93,
    match: [/\bnewsletters?\b|\bmailing list\b|\bemail list\b|\b(?:promo(?:tional)?|marketing|spam) (?:e-?mails?|messages)\b|\bunsubscribe\b/],
  },
  {
    id: 'en.installation',
    intent: 'installation_inquiry',
    confidence: 0.9,
    match: [/\binstall(?:ation|er|ing|ed|s)?\b|\bassembl(?:e|y|ing)\b|\bwall.?mount\w*|\bmount (?:the|my|a) tv\b/],
    unless: [/\binstall?ments?\b/],
  },
  {
    id: 'en.repair',
    intent: 'repair_request',
    confidence: 0.9,
    match: [/\brepair\w*\b/],
    unless: [/\b(?:refund|return|exchange|money back)\b/],
  },
  {
    id: 'en.exchange',
    intent: 'return_exchange',
    confidence: 0.88,
    match: [/\bexchang\w*\b|\breturn (?:label|request|shipping|it|this|these|those|them|the|my|an?|part|some)\b|\breturn (?:order |item )?#?\d{12}\b|\bsend (?:it|this|them|these|those|the \w+) back\b|\bswap\w*\b.{0,40}\bfor\b|\bswap (?:it|this|them)\b/],
    unless: [/\bpolic\w*\b|\brefund\b|\bexchange rate\b|\bin exchange\b/],
  },
  {
    id: 'en.price',
    intent: 'price_inquiry',
    confidence: 0.88,
    match: [/\bhow much (?:is|does|do|for|are|would|will|it)\b|\bprices?\b|\bcost(?:s|ing)?\b|\bdiscounts?\b|\bcoupons?\b|\bpromo(?: codes?)?\b|\bon sale\b|\bsales?\b|\bdeals?\b|\bcheap\w*\b|\bexpensive\b/],
    unless: [/\bcancel\w*|terminat\w*|\bcall(?:ing|ed|s)? (?:it |this |that |them |the order )?off\b|\bfees?\b|\brefund\w*|\bpoints?\b|\bcharged\b|\binvoice\b|\bsales? (?:tax|receipt|team|rep)/],
  },
];

const ZH_RULES: readonly IntentRule[] = [
  { id: 'zh.track_refund', intent: 'track_refund', confidence: 0.93, match: [/退款|退的钱|钱退/, /到账|进度|状态|到哪|还没|什么时候|多久|怎么还|处理得|处理到|收到|哪一步/] , unless: [/多久之内|多少天内|几天内|政策|规定|规则|条件/] },
  { id: 'zh.refund_policy', intent: 'check_refund_policy', confidence: 0.92, match: [/退款|退钱|退货|退吗/, /政策|规则|规定|条件|要求|保障|无理由|多少天内|多久之内|几天内|(?:能|可以|还能)退(?:钱|款|货)?吗/] },
  { id: 'zh.cancellation_fee', intent: 'check_cancellation_fee', confidence: 0.93, match: [/取消|解约|退订|终止|违约/, /手续费|费用|违约金|收费|扣钱|付钱|多少钱|要钱|扣费|赔/] },
  { id: 'zh.cancellation_fee_word', intent: 'check_cancellation_fee', confidence: 0.9, match: [/违约金|解约费/] },
  { id: 'zh.points', intent: 'points_inquiry', confidence: 0.93, match: [/积分|会员等级|会员级别/] },
  { id: 'zh.newsletter', intent: 'newsletter_subscription', confidence: 0.92, match: [/订阅|退订|推送邮件|促销邮件|营销邮件|广告邮件|邮件通知|电子报|新闻邮件|newsletter/] },
  { id: 'zh.switch_account', intent: 'switch_account', confidence: 0.92, match: [/切换.{0,6}(?:账号|账户|用户)|换.{0,3}(?:账号|账户)(?!信息)|另一个(?:账号|账户)|别的(?:账号|账户)|切换用户/], unless: [/换绑/] },
  { id: 'zh.delete_account', intent: 'delete_account', confidence: 0.93, match: [/注销|销户|(?:删除|删掉|关闭|删).{0,6}(?:账号|账户|帐号|帐户)/] },
  { id: 'zh.registration_problems', intent: 'registration_problems', confidence: 0.92, match: [/注册/, /不了|失败|报错|错误|验证码|不成功|不上|问题|出错|已被注册|收不到|验证不了/] },
  { id: 'zh.create_account', intent: 'create_account', confidence: 0.9, match: [/注册|开(?:个|通)?(?:账号|账户)|创建(?:账号|账户)|建个账户|成为会员|开通账户/] },
  { id: 'zh.recover_password', intent: 'recover_password', confidence: 0.92, match: [/密码/] },
  { id: 'zh.edit_account', intent: 'edit_account', confidence: 0.9, match: [/个人(?:信息|资料)|账户(?:信息|资料)|账号(?:信息|资料)|换绑|绑定的?(?:手机|邮箱)|用户名|头像|修改.{0,4}(?:手机号|邮箱)/] },
  { id: 'zh.set_up_address', intent: 'set_up_shipping_address', confidence: 0.9, match: [/(?:添加|新增|新加|加一个|设置|保存|加个).{0,8}地址/] },
  { id: 'zh.change_address', intent: 'change_shipping_address', confidence: 0.9, match: [/(?:改|换|更新|错).{0,8}地址|地址.{0,6}(?:改|错|换)|搬家|寄到新|送到我?公司|改送/] },
  { id: 'zh.installation', intent: 'installation_inquiry', confidence: 0.92, match: [/安装|装机|组装|挂墙|上门装|来装/] },
  { id: 'zh.repair', intent: 'repair_request', confidence: 0.92, match: [/维修|报修|修理|保修|能修|来修|要修|修一下|修好|返修/] },
  { id: 'zh.return_exchange', intent: 'return_exchange', confidence: 0.9, match: [/退货|换货|退回去|寄回|换(?:一|个|成|大|小)[码号个件双台]?|尺码不合适|调换/], unless: [/账号|账户|地址|手机号|邮箱|支付|付款/] },
  { id: 'zh.get_invoice', intent: 'get_invoice', confidence: 0.91, match: [/发票|开票/, /开|要|申请|补|寄|发我|发到|下载|电子|给我|需要/], unless: [/查看|查一下|查询|在哪|看看|看一下|核对/] },
  { id: 'zh.check_invoice', intent: 'check_invoice', confidence: 0.9, match: [/发票|账单/] },
  { id: 'zh.payment_issue', intent: 'payment_issue', confidence: 0.92, match: [/付款|支付|扣款|扣了|扣钱|付不了|刷卡|付完/, /失败|不成功|错误|报错|问题|不了|两次|重复|被拒|没显示|待付款|没付款|打不开/] },
  { id: 'zh.payment_methods', intent: 'check_payment_methods', confidence: 0.9, match: [/支付方式|付款方式|支付宝|微信支付|微信付|信用卡|货到付款|分期|花呗|paypal|银行转账|银行卡|怎么付/], unless: [/退款|退钱|退到|退回/] },
  { id: 'zh.complaint', intent: 'complaint', confidence: 0.92, match: [/投诉|举报|差评|态度.{0,3}(?:差|恶劣|不好)|太差|太烂|太过分|不负责|失望|不满/] },
  { id: 'zh.customer_service', intent: 'contact_customer_service', confidence: 0.9, match: [/客服|售后|联系方式|联系你们|联系电话|热线/], unless: [/人工|真人/] },
  { id: 'zh.track_order', intent: 'track_order', confidence: 0.9, match: [/物流|到哪|(?:快递|包裹|订单|东西|货|单子)[^,.!?]{0,6}在哪|发货了?[吗没]|发货没有|订单状态|什么状态|查.{0,3}订单|跟踪|查快递|快递呢|还没收到|什么时候能?到(?!货)|进度/], unless: [/退款/] },
  { id: 'zh.delivery_period', intent: 'delivery_period', confidence: 0.88, match: [/多久|几天|多长时间|什么时候能?(?:到货|收到)|要多久|配送时间/] },
  { id: 'zh.delivery_options', intent: 'delivery_options', confidence: 0.88, match: [/配送方式|快递|顺丰|自提|送货上门|送到家|加急|次日达|当日达|国际|送货时间|发什么/] },
  { id: 'zh.cancel_order', intent: 'cancel_order', confidence: 0.9, match: [/取消|撤销|撤回|撤掉|退单|不要了|不想要了|不想买了/] },
  { id: 'zh.change_order', intent: 'change_order', confidence: 0.88, match: [/订单/, /改|修改|更改|调整|加一|再加|删掉|少加|换成/] },
  { id: 'zh.get_refund', intent: 'get_refund', confidence: 0.9, match: [/退款|退钱|钱退|退给我|退回来/] },
  { id: 'zh.review', intent: 'review', confidence: 0.88, match: [/评价|评论|反馈|建议|打分|好评|意见/] },
  { id: 'zh.price', intent: 'price_inquiry', confidence: 0.9, match: [/多少钱|价格|什么价|优惠|折扣|打折|打几折|便宜|优惠券|满减|会员价|涨价|运费|卖多少/] },
  { id: 'zh.product', intent: 'product_inquiry', confidence: 0.85, match: [/有货|现货|补货|有没有.{0,4}(?:色|码|款)|有.{0,3}(?:色|码)的?吗|支持.{0,6}吗|什么材质|配置|续航|尺寸|区别|内存|保修期|正品|防水|降噪/] },
  { id: 'zh.place_order', intent: 'place_order', confidence: 0.85, match: [/下单|下个单|购买|订购|我要买|想买|怎么买|买这|订一/] },
];

function firstRule(rules: readonly IntentRule[], text: string): RuleHit | undefined {
  for (const rule of rules) {
    if (rule.match.every((re) => re.test(text)) && !rule.unless?.some((re) => re.test(text))) {
      return { intent: rule.intent, confidence: rule.confidence, rule: rule.id };
    }
  }
  return undefined;
}

function wholeMessageRule(text: string, language: Language): RuleHit | undefined {
  const t = text.replace(/[\s.!?,~。！？，]+$/u, '').trim();
  if (t === '') return undefined;
  // Politeness alone ("thanks", "谢谢") is neither a greeting nor a yes: it is a thank-you.
  if (FILLER_ONLY_ZH.test(t) && /谢/.test(t)) return { intent: 'goodbye', confidence: 0.75, rule: 'zh.thanks' };
  if (FILLER_ONLY.test(t) && /thank|thx|\bty\b/.test(t)) return { intent: 'goodbye', confidence: 0.75, rule: 'en.thanks' };
  if (language === 'zh') {
    if (AFFIRM_ZH.test(t)) return { intent: 'affirm', confidence: 0.9, rule: 'zh.affirm' };
    if (DENY_ZH.test(t)) return { intent: 'deny', confidence: 0.9, rule: 'zh.deny' };
    if (GREETING_ZH.test(t)) return { intent: 'greeting', confidence: 0.95, rule: 'zh.greeting' };
    if (GOODBYE_ZH.test(t) && GOODBYE_WORD_ZH.test(t)) return { intent: 'goodbye', confidence: 0.93, rule: 'zh.goodbye' };
    if (/^(?:谢谢|感谢|多谢|谢啦)/.test(t) && t.length <= 8) return { intent: 'goodbye', confidence: 0.75, rule: 'zh.thanks' };
  }
  if (GREETING_EN.test(t)) return { intent: 'greeting', confidence: 0.95, rule: 'en.greeting' };
  if (GOODBYE_EN.test(t) && GOODBYE_WORD.test(t)) return { intent: 'goodbye', confidence: 0.93, rule: 'en.goodbye' };
  if (AFFIRM_EN.test(t)) return { intent: 'affirm', confidence: 0.9, rule: 'en.affirm' };
  if (DENY_EN.test(t)) return { intent: 'deny', confidence: 0.9, rule: 'en.deny' };
  if (THANKS_ONLY.test(t) && /thank|appreciat/.test(t)) return { intent: 'goodbye', confidence: 0.75, rule: 'en.thanks' };
  return undefined;
}

/**
 * The rule layer: explicit human request first, then whole-message intents,
 * then keyword rules for the message's language. `text` is lower-cased and
 * normalized ({@link matchForm}).
 */
export function matchRules(text: string, language: Language): RuleHit | undefined {
  if (isHumanRequest(text)) return { intent: 'contact_human_agent', confidence: 0.97, rule: 'human' };
  return wholeMessageRule(text, language) ?? firstRule(language === 'zh' ? ZH_RULES : EN_RULES, text);
}
