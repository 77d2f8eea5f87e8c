/**
 * The dialogue table: 60+ multi-turn conversations, half English, half
 * Chinese, in the way customers actually write (colloquial, misspelt,
 * half-sentences), each with the task, slots and outcome it must end in.
 * Written from the customer's side: none of these lines is in the training
 * data, and the rules were not written against them.
 */
import type { CustomerName } from './run';
import type { ToolName, EscalationReason, Intent, Language } from '../../src/workflows/contract';

export interface DialogueCase {
  name: string;
  who: CustomerName;
  lang: Language;
  turns: string[];
  /** A side-effecting or lookup tool that must have been called (input matched partially). */
  tool?: { tool: ToolName; input?: Record<string, unknown> };
  /** Other side-effecting tools allowed in this dialogue. */
  alsoTools?: ToolName[];
  escalate?: EscalationReason;
  /** Template of the last reply (any of the last turn's replies). */
  last?: string;
  /** The open task at the end. */
  task?: { intent: Intent; slots?: Record<string, string> };
  /** Text that must appear in no reply (data of someone else's order). */
  neverSay?: string[];
}

export const DIALOGUES: DialogueCase[] = [
  // --- English ---------------------------------------------------------------
  { name: 'en refund, colloquial', who: 'alice', lang: 'en', turns: ['hey i want my money back for order 100000000001', 'it broke after 2 days', 'store credit is fine', 'yes'], tool: { tool: 'submitRefund', input: { orderNumber: '100000000001', reason: 'it broke after 2 days', method: 'store_credit' } }, last: 'refund_submitted' },
  // A burst typed while the bot was busy is one turn (the workflow joins it with newlines): both answers count.
  { name: 'en refund, reason and method in one burst', who: 'alice', lang: 'en', turns: ['I want a refund for order 100000000001', 'it arrived broken\nstore credit please', 'yes'], tool: { tool: 'submitRefund', input: { orderNumber: '100000000001', reason: 'it arrived broken', method: 'store_credit' } }, last: 'refund_submitted' },
  { name: 'en refund, misspelt', who: 'alice', lang: 'en', turns: ['i need a refnd for 100000000001', 'stopped working', 'back to my card', 'yep'], tool: { tool: 'submitRefund', input: { orderNumber: '100000000001', method: 'original_payment' } }, last: 'refund_submitted' },
  { name: 'en refund below the threshold wording', who: 'alice', lang: 'en', turns: ['can you refund me for order 100000000001 please'], last: 'ask_reason_refund', task: { intent: 'get_refund', slots: { orderNumber: '100000000001' } } },
  { name: 'en track, misspelt then the number', who: 'alice', lang: 'en', turns: ['wher is my oder', '100000000004'], tool: { tool: 'getOrder' }, last: 'order_status' },
  { name: 'en track own parcel in transit', who: 'bob', lang: 'en', turns: ["where's my package? order 100000000002"], tool: { tool: 'trackShipment' }, last: 'shipment_status' },
  { name: "en a stranger's order number reads out nothing", who: 'alice', lang: 'en', turns: ['where is order 100000000002'], last: 'order_not_yours', neverSay: ['Harbor', '129', 'UPS', '1Z999'] },
  { name: "en a stranger's refund is never submitted", who: 'alice', lang: 'en', turns: ['refund order 100000000002 please', 'it never came'], neverSay: ['129', 'Harbor'], task: { intent: 'get_refund' } },
  { name: 'en anonymous verifies by email, then tracking', who: 'anon', lang: 'en', turns: ['track order 100000000002', 'bob@example.com'], tool: { tool: 'trackShipment' }, last: 'shipment_status' },
  { name: 'en anonymous verifies by phone', who: 'anon', lang: 'en', turns: ['where is 100000000001', 'my phone is 217 555 0101'], tool: { tool: 'verifyOrderContact' }, last: 'order_status' },
  { name: 'en anonymous with wrong emails is stopped after three tries', who: 'anon', lang: 'en', turns: ['refund order 100000000001', 'me@nowhere.com', 'other@nowhere.com', 'third@nowhere.com'], escalate: 'verification_failed', neverSay: ['59.90', 'Elm Street'] },
  { name: 'en anonymous is asked, never told', who: 'anon', lang: 'en', turns: ['status of 100000000002 pls'], last: 'ask_verification', neverSay: ['in transit', 'UPS', '129'] },
  // Found by talking to npm start: the reason given before the contact was dropped and asked again later.
  { name: 'en anonymous gives the reason before the email: kept', who: 'anon', lang: 'en', turns: ['I want a refund for order 100000000002', 'it arrived broken', 'bob@example.com'], last: 'ask_refundMethod', task: { intent: 'get_refund', slots: { orderNumber: '100000000002', reason: 'it arrived broken' } } },
  // …and the method, answered when the reason was asked, went to a human as a payment problem.
  { name: 'en the method when the reason is asked stays in the refund', who: 'bob', lang: 'en', turns: ['I want a refund for order 100000000002', 'original payment', 'it arrived broken', 'yes'], tool: { tool: 'submitRefund', input: { orderNumber: '100000000002', reason: 'it arrived broken', method: 'original_payment' } }, last: 'refund_submitted' },
  { name: 'en a bare no to the contact question drops the task', who: 'anon', lang: 'en', turns: ['refund order 100000000002', 'no'], last: 'task_dropped' },
  { name: 'en new request with its own order at a confirmation', who: 'alice', lang: 'en', turns: ['refund for 100000000001', 'it is broken', 'original payment', 'wait, can you change the shipping address of 100000000004?', '9 Pine Road, Springfield, IL 62704', 'yes', 'yes'], tool: { tool: 'changeAddress', input: { orderNumber: '100000000004', address: '9 Pine Road, Springfield, IL 62704' } }, alsoTools: ['submitRefund'], last: 'refund_submitted' },
  { name: 'en thanks at a confirmation is not a yes', who: 'alice', lang: 'en', turns: ['refund 100000000001', 'does not work', 'store credit', 'thanks'], last: 'thanks_confirm', task: { intent: 'get_refund', slots: { orderNumber: '100000000001', refundMethod: 'store_credit' } } },
  { name: 'en never mind at a confirmation cancels', who: 'alice', lang: 'en', turns: ['cancel my order 100000000004', 'never mind'], last: 'task_dropped' },
  { name: 'en thanks is not a greeting', who: 'alice', lang: 'en', turns: ['thanks'], last: 'thanks_reply' },
  { name: 'en compensation demand goes to a human, not a refund', who: 'alice', lang: 'en', turns: ['order 100000000001 was broken and I demand 500 dollars compensation'], escalate: 'compensation_request' },
  { name: 'en refusal reason in plain words', who: 'alice', lang: 'en', turns: ['i want a refund for 100000000004', 'changed my mind', 'store credit', 'yes'], tool: { tool: 'submitRefund' }, last: 'refusal_order_not_refundable' },
  { name: 'en cancel a shipped order is refused with the reason', who: 'bob', lang: 'en', turns: ['pls cancel 100000000002', 'yes'], tool: { tool: 'cancelOrder' }, last: 'refusal_order_not_cancellable' },
  { name: 'en ship back a jacket', who: 'alice', lang: 'en', turns: ['how do i ship back the jacket i got'], last: 'ask_orderNumber', task: { intent: 'return_exchange' } },
  { name: 'en return with the reason as an answer', who: 'alice', lang: 'en', turns: ['I want to return order 100000000001', 'too small for me', 'yes'], tool: { tool: 'createReturn', input: { orderNumber: '100000000001', type: 'return', reason: 'too small for me' } }, last: 'return_created' },
  { name: 'en bare order number first', who: 'alice', lang: 'en', turns: ['100000000001', 'where is it'], last: 'order_status' },
  { name: 'en exchange, colloquial', who: 'alice', lang: 'en', turns: ['can i swap the keyboard from 100000000001 for a new one', 'some keys stick', 'ok'], tool: { tool: 'createReturn', input: { type: 'exchange', reason: 'some keys stick' } }, last: 'return_created' },
  { name: 'en cancel an unshipped order', who: 'alice', lang: 'en', turns: ['pls cancel order 100000000004', 'yes please'], tool: { tool: 'cancelOrder', input: { orderNumber: '100000000004' } }, last: 'order_cancelled' },
  { name: 'en repair request', who: 'alice', lang: 'en', turns: ['the keyboard from 100000000001 needs a repair', 'half the keys dont type anymore', 'yes'], tool: { tool: 'createRepair', input: { orderNumber: '100000000001', description: 'half the keys dont type anymore' } }, last: 'repair_created' },
  { name: 'en address change', who: 'alice', lang: 'en', turns: ['i need to change the delivery address for 100000000004', '77 Lake Street, Springfield, IL 62701', 'correct'], tool: { tool: 'changeAddress', input: { orderNumber: '100000000004' } }, last: 'address_changed' },
  { name: 'en human on request', who: 'alice', lang: 'en', turns: ['let me talk to a real person'], escalate: 'explicit_request' },
  { name: 'en three unclear turns in a row escalate, two do not', who: 'alice', lang: 'en', turns: ['asdf', 'qwerty zxcv', 'zzzz'], escalate: 'low_confidence' },
  { name: 'en slot answer that sounds like cancelling', who: 'alice', lang: 'en', turns: ['refund order 100000000001', "i dont want it anymore"], last: 'ask_refundMethod', task: { intent: 'get_refund', slots: { reason: 'i dont want it anymore' } } },
  { name: 'en correction at a confirmation', who: 'alice', lang: 'en', turns: ['return 100000000001 please', 'exchange', 'wrong colour', "no, it's order 100000000004"], task: { intent: 'return_exchange', slots: { orderNumber: '100000000004', reason: 'wrong colour' } }, last: 'confirm_return_exchange' },
  { name: 'en vip after an unresolved turn', who: 'victoria', lang: 'en', turns: ['hello', 'blorp frobnicate'], escalate: 'vip_customer' },
  { name: 'en greeting then tracking', who: 'alice', lang: 'en', turns: ['hi there', 'where is my order 100000000001'], last: 'order_status' },
  { name: 'en damage without a photo: repair or return, the order carried over', who: 'alice', lang: 'en', turns: ['my keyboard from order 100000000001 arrived cracked', 'a repair please'], last: 'ask_description_repair', task: { intent: 'repair_request', slots: { orderNumber: '100000000001' } } },
  { name: 'en high-value refund goes to a human', who: 'victoria', lang: 'en', turns: ['I would like a refund on order 100000000003'], escalate: 'high_value_refund' },

  // --- 中文 -------------------------------------------------------------------
  { name: 'zh 退款，原因"不想要了"', who: 'wang', lang: 'zh', turns: ['我要退款，订单100000000006', '不想要了', '原路退回', '确认'], tool: { tool: 'submitRefund', input: { orderNumber: '100000000006', reason: '不想要了', method: 'original_payment' } }, last: 'refund_submitted' },
  { name: 'zh 退款，原因和退款方式在一串消息里', who: 'wang', lang: 'zh', turns: ['我要退款，订单100000000006', '质量有问题\n原路退回', '确认'], tool: { tool: 'submitRefund', input: { orderNumber: '100000000006', reason: '质量有问题', method: 'original_payment' } }, last: 'refund_submitted' },
  { name: 'zh 退款，原因"尺码不合适"', who: 'wang', lang: 'zh', turns: ['我要退款，订单100000000006', '尺码不合适'], last: 'ask_refundMethod', task: { intent: 'get_refund', slots: { reason: '尺码不合适' } } },
  { name: 'zh 退款，原因"质量太差了"', who: 'wang', lang: 'zh', turns: ['订单100000000006要退款', '质量太差了'], last: 'ask_refundMethod', task: { intent: 'get_refund', slots: { reason: '质量太差了' } } },
  { name: 'zh 谢谢 at a confirmation is not consent', who: 'wang', lang: 'zh', turns: ['我要退款，订单100000000006', '坏了', '退到余额', '谢谢'], last: 'thanks_confirm', task: { intent: 'get_refund', slots: { refundMethod: 'store_credit' } } },
  { name: 'zh 算了 at a confirmation cancels', who: 'wang', lang: 'zh', turns: ['我要退款，订单100000000006', '不好用', '原路退回', '算了'], last: 'task_dropped' },
  { name: 'zh 不用了 at a confirmation cancels', who: 'wang', lang: 'zh', turns: ['退货 100000000006', '不喜欢', '不用了'], last: 'task_dropped' },
  { name: 'zh 质量太次 + 退钱', who: 'wang', lang: 'zh', turns: ['这个质量太次了，钱能退我吗'], last: 'ask_orderNumber', task: { intent: 'get_refund' } },
  { name: 'zh 查订单', who: 'wang', lang: 'zh', turns: ['帮我查一下订单100000000006'], last: 'order_status' },
  { name: 'zh VIP 物流', who: 'lina', lang: 'zh', turns: ['帮我看看订单100000000007的物流'], tool: { tool: 'trackShipment' }, last: 'shipment_status' },
  { name: 'zh 着急的VIP直接转人工', who: 'lina', lang: 'zh', turns: ['东西咋还没到啊 单号100000000007'], escalate: 'vip_customer' },
  { name: 'zh 别人的订单', who: 'wang', lang: 'zh', turns: ['查一下订单100000000002'], last: 'order_not_yours', neverSay: ['Harbor', '129', 'UPS'] },
  { name: 'zh 匿名用邮箱验证', who: 'anon', lang: 'zh', turns: ['帮我查下100000000006的物流', 'xiaoming@example.cn'], tool: { tool: 'verifyOrderContact' }, last: 'order_status' },
  { name: 'zh 匿名用手机号验证后退款', who: 'anon', lang: 'zh', turns: ['100000000006 退款', '手机号13800138006'], last: 'ask_reason_refund', task: { intent: 'get_refund', slots: { orderNumber: '100000000006' } } },
  { name: 'zh 匿名用邮箱验证后仍用中文回复', who: 'anon', lang: 'zh', turns: ['我要退款，订单100000000006', 'xiaoming@example.cn'], last: 'ask_reason_refund' },
  // 不想要了 at the contact question is the reason (it dropped the refund: it starts with 不).
  { name: 'zh 匿名先说原因再验证', who: 'anon', lang: 'zh', turns: ['我要退款，订单100000000006', '不想要了', '13800138006', '原路退回', '确认'], tool: { tool: 'submitRefund', input: { orderNumber: '100000000006', reason: '不想要了', method: 'original_payment' } }, last: 'refund_submitted' },
  { name: 'zh 匿名验证时说算了', who: 'anon', lang: 'zh', turns: ['我要退款，订单100000000006', '算了'], last: 'task_dropped' },
  { name: 'zh 匿名验证三次失败', who: 'anon', lang: 'zh', turns: ['我要退款 100000000006', 'a@b.cn', '13900000000', 'x@y.cn'], escalate: 'verification_failed', neverSay: ['1299', '世纪大道'] },
  { name: 'zh 要求赔偿', who: 'wang', lang: 'zh', turns: ['你们必须赔偿我500块'], escalate: 'compensation_request' },
  { name: 'zh 转人工', who: 'wang', lang: 'zh', turns: ['转人工'], escalate: 'explicit_request' },
  { name: 'zh 口语退款', who: 'wang', lang: 'zh', turns: ['我想退个款', '100000000006'], last: 'ask_reason_refund' },
  { name: 'zh 已签收订单取消被拒，说明原因', who: 'wang', lang: 'zh', turns: ['取消订单100000000006', '确认'], tool: { tool: 'cancelOrder' }, last: 'refusal_order_not_cancellable' },
  { name: 'zh 已签收订单改地址被拒', who: 'wang', lang: 'zh', turns: ['订单100000000006改一下收货地址', '上海市徐汇区漕溪北路1号', '确认'], tool: { tool: 'changeAddress' }, last: 'refusal_address_locked' },
  { name: 'zh 维修', who: 'wang', lang: 'zh', turns: ['100000000006的净化器坏了，能修吗', '开机没反应，一直响', '好的'], tool: { tool: 'createRepair', input: { orderNumber: '100000000006', description: '开机没反应,一直响' } }, last: 'repair_created' },
  { name: 'zh 换货', who: 'wang', lang: 'zh', turns: ['100000000006想换个新的', '外壳有划痕', '是的'], tool: { tool: 'createReturn', input: { type: 'exchange', reason: '外壳有划痕' } }, last: 'return_created' },
  { name: 'zh 退货', who: 'wang', lang: 'zh', turns: ['我要退货 100000000006', '不喜欢这个颜色', '是的'], tool: { tool: 'createReturn', input: { type: 'return', reason: '不喜欢这个颜色' } }, last: 'return_created' },
  { name: 'zh 确认时问别的，确认保留', who: 'wang', lang: 'zh', turns: ['我要退款，订单100000000006', '坏了', '原路退回', '我的积分有多少', '确认'], tool: { tool: 'submitRefund', input: { orderNumber: '100000000006' } }, last: 'refund_submitted' },
  { name: 'zh 连续三次不清楚才转人工', who: 'wang', lang: 'zh', turns: ['啊啊啊', '嗯嗯？？', '哈哈哈哈哈'], escalate: 'low_confidence' },
  { name: 'zh 谢谢不是问候', who: 'wang', lang: 'zh', turns: ['谢谢'], last: 'thanks_reply' },
  { name: 'zh 问候后退款', who: 'wang', lang: 'zh', turns: ['你好', '我要退款'], last: 'ask_orderNumber', task: { intent: 'get_refund' } },
  { name: 'zh 只发订单号', who: 'wang', lang: 'zh', turns: ['100000000006', '查物流'], last: 'order_status' },
  { name: 'zh 确认时说不对再改原因', who: 'wang', lang: 'zh', turns: ['我要退款，订单100000000006', '不想要了', '原路退回', '不对', '原因', '收到就是坏的'], last: 'confirm_get_refund', task: { intent: 'get_refund', slots: { reason: '收到就是坏的' } } },
  { name: 'zh 退到余额', who: 'wang', lang: 'zh', turns: ['订单100000000006退款', '用着不顺手', '退到余额吧', '好的'], tool: { tool: 'submitRefund', input: { method: 'store_credit' } }, last: 'refund_submitted' },
  // The transfer design sends complaints to people (complaint handling 'human', issue 9): the description goes with the handover.
  { name: 'zh 投诉', who: 'wang', lang: 'zh', turns: ['你们快递员态度太差了，送货还把箱子扔在门口，我要投诉'], escalate: 'complaint', last: 'escalating_complaint' },
  { name: 'zh 大额退款转人工', who: 'lina', lang: 'zh', turns: ['100000000007我要退款'], escalate: 'high_value_refund' },
  { name: 'zh 错别字查物流', who: 'wang', lang: 'zh', turns: ['我的包过到哪了', '100000000006'], last: 'order_status' },
];
