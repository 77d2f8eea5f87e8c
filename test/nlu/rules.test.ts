import { isHumanRequest, matchForm, matchRules, normalize } from '../../src/nlu';
import type { Intent, Language } from '../../src/workflows/contract';

const prepare = (text: string): string => matchForm(normalize(text));

describe('explicit human requests', () => {
  test.each([
    'human',
    'Human please',
    'AGENT!',
    'operator please',
    'let me talk to a real person',
    'I want a human not a bot',
    'can I speak with a representative',
    'get me an agent',
    'connect me to a live agent',
    'transfer me to someone from your team',
    'I need to speak to someone',
    'is there an actual person I can chat with',
    'speak to a manager',
    '转人工',
    '人工客服',
    '找人工',
    '人工',
    '我要人工服务',
    '我要和真人说话',
    '不要机器人',
    '帮我转接人工客服',
  ])('%j is a request', (text) => {
    expect(isHumanRequest(prepare(text))).toBe(true);
    expect(matchRules(prepare(text), /[\u4e00-\u9fff]/.test(text) ? 'zh' : 'en')).toMatchObject({
      intent: 'contact_human_agent',
      rule: 'human',
    });
  });

  test.each([
    'the agent was rude to me',
    'where is my order',
    'your representative hung up on me',
    'human resources called me',
    'is this product made by humans',
    '人工智能音箱有货吗',
    '客服态度太差了',
    '你是真人还是机器人',
    'are you human or ai',
  ])('%j is not a request', (text) => {
    expect(isHumanRequest(prepare(text))).toBe(false);
  });
});

describe('whole-message rules', () => {
  test.each([
    ['hi', 'en', 'greeting'],
    ['Hello there!', 'en', 'greeting'],
    ['good morning :)', 'en', 'greeting'],
    ['hey, anyone there?', 'en', 'greeting'],
    ['bye', 'en', 'goodbye'],
    ['thanks, bye!', 'en', 'goodbye'],
    ["that's all, thank you", 'en', 'goodbye'],
    ['have a nice day', 'en', 'goodbye'],
    ['yes', 'en', 'affirm'],
    ['Yes please', 'en', 'affirm'],
    ['yep, that is correct', 'en', 'affirm'],
    ['sure, go ahead', 'en', 'affirm'],
    ['no', 'en', 'deny'],
    ['nope', 'en', 'deny'],
    ["no, that's wrong", 'en', 'deny'],
    ["don't", 'en', 'deny'],
    ['你好', 'zh', 'greeting'],
    ['您好，在吗？', 'zh', 'greeting'],
    ['再见', 'zh', 'goodbye'],
    ['好的，谢谢，拜拜', 'zh', 'goodbye'],
    ['没有别的问题了，谢谢', 'zh', 'goodbye'],
    ['是的', 'zh', 'affirm'],
    ['对对对', 'zh', 'affirm'],
    ['好的没问题', 'zh', 'affirm'],
    ['不用了谢谢你', 'zh', 'deny'],
    ['不是', 'zh', 'deny'],
    ['不对不对', 'zh', 'deny'],
  ] as const)('%j (%s) → %s', (text, lang: Language, intent: Intent) => {
    expect(matchRules(prepare(text), lang)?.intent).toBe(intent);
  });

  test.each([
    ['hi, I want to cancel my order', 'en'],
    ['yes I want to know where my refund is', 'en'],
    ['你好，我要退款', 'zh'],
  ] as const)('%j is more than a greeting or a yes', (text, lang) => {
    const hit = matchRules(prepare(text), lang);
    expect(['greeting', 'affirm', 'deny', 'goodbye']).not.toContain(hit?.intent);
  });
});

describe('keyword rules', () => {
  test.each([
    ['is there a fee if I cancel', 'en', 'check_cancellation_fee'],
    ['how much is the early termination fee', 'en', 'check_cancellation_fee'],
    ['what is your refund policy', 'en', 'check_refund_policy'],
    ["I still haven't received my refund", 'en', 'track_refund'],
    ['what is the status of my refund', 'en', 'track_refund'],
    ['how many reward points do I have', 'en', 'points_inquiry'],
    ['unsubscribe me from the newsletter', 'en', 'newsletter_subscription'],
    ['do you install dishwashers', 'en', 'installation_inquiry'],
    ['I need my laptop repaired', 'en', 'repair_request'],
    ['can I exchange this for a medium', 'en', 'return_exchange'],
    ['I need a return label', 'en', 'return_exchange'],
    ['how much is the X200 laptop', 'en', 'price_inquiry'],
    ['any discount codes?', 'en', 'price_inquiry'],
    ['退款到账了吗', 'zh', 'track_refund'],
    ['退款政策是什么', 'zh', 'check_refund_policy'],
    ['取消订单要手续费吗', 'zh', 'check_cancellation_fee'],
    ['我有多少积分', 'zh', 'points_inquiry'],
    ['取消订阅邮件', 'zh', 'newsletter_subscription'],
    ['切换账号', 'zh', 'switch_account'],
    ['注销账号', 'zh', 'delete_account'],
    ['注册收不到验证码', 'zh', 'registration_problems'],
    ['怎么注册', 'zh', 'create_account'],
    ['忘记密码了', 'zh', 'recover_password'],
    ['修改绑定手机号', 'zh', 'edit_account'],
    ['添加一个收货地址', 'zh', 'set_up_shipping_address'],
    ['收货地址写错了要改', 'zh', 'change_shipping_address'],
    ['空调可以上门安装吗', 'zh', 'installation_inquiry'],
    ['洗衣机坏了要维修', 'zh', 'repair_request'],
    ['我要退货', 'zh', 'return_exchange'],
    ['我要开发票', 'zh', 'get_invoice'],
    ['在哪里查看发票', 'zh', 'check_invoice'],
    ['付款失败了', 'zh', 'payment_issue'],
    ['可以用支付宝吗', 'zh', 'check_payment_methods'],
    ['我要投诉', 'zh', 'complaint'],
    ['客服电话是多少', 'zh', 'contact_customer_service'],
    ['我的快递到哪了', 'zh', 'track_order'],
    ['多久能到货', 'zh', 'delivery_period'],
    ['可以发顺丰吗', 'zh', 'delivery_options'],
    ['帮我取消订单', 'zh', 'cancel_order'],
    ['订单里的数量改成两个', 'zh', 'change_order'],
    ['我要退款', 'zh', 'get_refund'],
    ['我想写个评价', 'zh', 'review'],
    ['这个多少钱', 'zh', 'price_inquiry'],
    ['这款有白色的吗', 'zh', 'product_inquiry'],
    ['我想下单', 'zh', 'place_order'],
  ] as const)('%j (%s) → %s', (text, lang: Language, intent: Intent) => {
    const hit = matchRules(prepare(text), lang);
    expect(hit?.intent).toBe(intent);
    expect(hit!.confidence).toBeGreaterThanOrEqual(0.85);
  });

  test.each([
    ['what is your return policy', 'en', 'return_exchange'],
    ['the fix the zip code on my address', 'en', 'repair_request'],
    ['I want to pay in installments', 'en', 'installation_inquiry'],
    ['退款到原支付方式', 'zh', 'check_payment_methods'],
    ['换个账号登录', 'zh', 'return_exchange'],
    ['saw it cheaper somewhere else so please call the order off', 'en', 'price_inquiry'],
  ] as const)('%j (%s) is not %s', (text, lang: Language, wrong: Intent) => {
    expect(matchRules(prepare(text), lang)?.intent).not.toBe(wrong);
  });

  test('messages the rules cannot place are left to the classifier', () => {
    expect(matchRules(prepare('I moved last week and the parcel needs to follow me'), 'en')).toBeUndefined();
    expect(matchRules(prepare('can you help me with something'), 'en')).toBeUndefined();
  });
});
