/**
 * Reply templates, English and Chinese. Rules every template follows:
 * - facts (statuses, amounts, ids, dates) appear only as parameters that the
 *   caller filled from tool results — a template states none of its own;
 * - no template promises compensation, a refund outcome or a time frame;
 * - apologies are added by {@link renderReply} only, so they can be capped.
 */
import type { Intent, Language } from '../workflows/contract';
import type { OrderStatus, RefundMethod } from '../tools/types';
import type { Shipment } from '../tools/types';

export type Params = Record<string, string | undefined>;
type Render = (p: Params) => string;
interface Pair {
  en: Render;
  zh: Render;
}

const opt = (v: string | undefined, text: (v: string) => string): string => (v ? text(v) : '');
const minutesEn = (m: string | undefined): string => `${m} minute${m === '1' ? '' : 's'}`;

export const TEMPLATES = {
  greeting: {
    en: () => 'Hello! I can help you track an order, request a refund, return or exchange an item, book a repair, change a shipping address, cancel an order or file a complaint. What can I do for you?',
    zh: () => '您好！我可以帮您查询订单、申请退款、退换货、预约维修、修改收货地址、取消订单或提交投诉。请问有什么可以帮您？',
  },
  goodbye: {
    en: () => 'Thanks for contacting us. Have a good day!',
    zh: () => '感谢您的咨询，祝您生活愉快！',
  },
  how_can_help: {
    en: () => 'How can I help you today?',
    zh: () => '请问有什么可以帮您？',
  },
  anything_else: {
    en: () => 'Is there anything else I can help you with?',
    zh: () => '还有其他可以帮您的吗？',
  },
  not_understood: {
    en: () =>
      "I didn't quite catch that. I can track orders, handle refunds, returns and exchanges, repairs, address changes, cancellations and complaints — or connect you with a human agent.",
    zh: () => '我没有完全理解您的意思。我可以查询订单、处理退款、退换货、维修、修改地址、取消订单和投诉，也可以为您转接人工客服。',
  },
  ask_orderNumber: {
    en: () => 'Could you give me your 12-digit order number?',
    zh: () => '请提供您的12位订单号。',
  },
  invalid_order_number: {
    en: () => "That doesn't look like an order number. Order numbers have 12 digits — could you check and send it again?",
    zh: () => '这似乎不是有效的订单号。订单号为12位数字，请核对后重新发送。',
  },
  ask_reason_refund: {
    en: () => "What's the reason for the refund?",
    zh: () => '请问退款原因是什么？',
  },
  ask_reason_return: {
    en: (p) => `What's the reason for the ${p.returnType === 'exchange' ? 'exchange' : 'return'}?`,
    zh: (p) => `请问${p.returnType === 'exchange' ? '换货' : '退货'}原因是什么？`,
  },
  ask_refundMethod: {
    en: () => 'How would you like to be refunded: to the original payment method, as store credit, or by bank transfer?',
    zh: () => '您希望退款退到哪里：原支付方式、店铺余额，还是银行转账？',
  },
  ask_returnType: {
    en: () => 'Would you like to return the item or exchange it?',
    zh: () => '请问您是要退货还是换货？',
  },
  ask_description_repair: {
    en: () => "Please describe what's wrong with the product.",
    zh: () => '请描述一下产品出现的问题。',
  },
  ask_description_complaint: {
    en: () => "Please tell me what happened, and I'll file it for our team.",
    zh: () => '请告诉我具体发生了什么，我会为您提交给相关团队。',
  },
  ask_address: {
    en: () => "What's the new shipping address?",
    zh: () => '请提供新的收货地址。',
  },
  confirm_get_refund: {
    en: (p) =>
      `To confirm: refund${opt(p.amount, (a) => ` of ${a}`)} for order ${p.orderNumber}, reason "${p.reason}", to ${p.refundMethodLabel}. Shall I submit it?`,
    zh: (p) => `请确认：订单 ${p.orderNumber}${opt(p.amount, (a) => ` 退款 ${a}`)}，原因"${p.reason}"，退款方式：${p.refundMethodLabel}。确认提交吗？`,
  },
  confirm_return_exchange: {
    en: (p) => `To confirm: ${p.returnType === 'exchange' ? 'an exchange' : 'a return'} for order ${p.orderNumber}, reason "${p.reason}". Shall I create it?`,
    zh: (p) => `请确认：订单 ${p.orderNumber} 申请${p.returnType === 'exchange' ? '换货' : '退货'}，原因"${p.reason}"。确认提交吗？`,
  },
  confirm_repair_request: {
    en: (p) => `To confirm: a repair request for order ${p.orderNumber}: "${p.description}". Shall I submit it?`,
    zh: (p) => `请确认：为订单 ${p.orderNumber} 申请维修，问题描述："${p.description}"。确认提交吗？`,
  },
  confirm_change_shipping_address: {
    en: (p) => `To confirm: change the shipping address of order ${p.orderNumber} to "${p.address}". Shall I go ahead?`,
    zh: (p) => `请确认：将订单 ${p.orderNumber} 的收货地址改为"${p.address}"。确认修改吗？`,
  },
  confirm_cancel_order: {
    en: (p) => `To confirm: cancel order ${p.orderNumber}. Shall I go ahead?`,
    zh: (p) => `请确认：取消订单 ${p.orderNumber}。确认取消吗？`,
  },
  confirm_complaint: {
    en: (p) => `To confirm: I'll file this complaint for our team: "${p.description}". Shall I submit it?`,
    zh: (p) => `请确认：我将为您提交以下投诉："${p.description}"。确认提交吗？`,
  },
  confirm_again: {
    en: () => 'Please answer yes to go ahead, or tell me what to change.',
    zh: () => '请回复"是"确认提交，或告诉我需要修改的内容。',
  },
  ask_change: {
    en: (p) => `What would you like to change? (${p.slotLabels})`,
    zh: (p) => `您想修改哪一项？（${p.slotLabels}）`,
  },
  task_dropped: {
    en: () => "OK, I've stopped that request. Is there anything else I can help you with?",
    zh: () => '好的，已为您取消该请求。还有其他可以帮您的吗？',
  },
  order_status: {
    en: (p) =>
      `Order ${p.orderNumber}: ${p.statusLabel}. Total ${p.total}, placed ${p.placedAt}${opt(p.deliveredAt, (d) => `, delivered ${d}`)}.`,
    zh: (p) => `订单 ${p.orderNumber}：${p.statusLabel}。金额 ${p.total}，下单时间 ${p.placedAt}${opt(p.deliveredAt, (d) => `，签收时间 ${d}`)}。`,
  },
  shipment_status: {
    en: (p) =>
      `Order ${p.orderNumber} is with ${p.carrier} (tracking ${p.trackingNumber}): ${p.shipmentStatusLabel}.` +
      opt(p.latest, (l) => ` Latest update: ${l}.`) +
      opt(p.eta, (e) => ` Estimated delivery: ${e}.`),
    zh: (p) =>
      `订单 ${p.orderNumber} 由 ${p.carrier} 承运（运单号 ${p.trackingNumber}）：${p.shipmentStatusLabel}。` +
      opt(p.latest, (l) => `最新动态：${l}。`) +
      opt(p.eta, (e) => `预计送达：${e}。`),
  },
  refund_submitted: {
    en: (p) => `Your refund request ${p.refundId} for order ${p.orderNumber} (${p.amount}, to ${p.refundMethodLabel}) is ${p.refundStatusLabel}.`,
    zh: (p) => `订单 ${p.orderNumber} 的退款申请 ${p.refundId}（${p.amount}，退至${p.refundMethodLabel}）状态：${p.refundStatusLabel}。`,
  },
  refund_rejected: {
    en: (p) => `The refund request ${p.refundId} for order ${p.orderNumber} was not accepted by our system. Would you like me to connect you with a human agent?`,
    zh: (p) => `订单 ${p.orderNumber} 的退款申请 ${p.refundId} 未被系统受理。需要为您转接人工客服吗？`,
  },
  return_created: {
    en: (p) => `Your ${p.returnType === 'exchange' ? 'exchange' : 'return'} ${p.rmaId} for order ${p.orderNumber} has been created. ${p.instructions}`,
    zh: (p) => `订单 ${p.orderNumber} 的${p.returnType === 'exchange' ? '换货' : '退货'}申请 ${p.rmaId} 已创建。${p.instructions}`,
  },
  repair_created: {
    en: (p) => `Your repair request ${p.repairId} for order ${p.orderNumber} is scheduled${opt(p.scheduledFor, (d) => ` for ${d}`)}.`,
    zh: (p) => `订单 ${p.orderNumber} 的维修申请 ${p.repairId} 已安排${opt(p.scheduledFor, (d) => `，时间：${d}`)}。`,
  },
  address_changed: {
    en: (p) => `The shipping address of order ${p.orderNumber} is now "${p.address}".`,
    zh: (p) => `订单 ${p.orderNumber} 的收货地址已更新为"${p.address}"。`,
  },
  order_cancelled: {
    en: (p) => `Order ${p.orderNumber} has been cancelled.`,
    zh: (p) => `订单 ${p.orderNumber} 已取消。`,
  },
  ticket_created: {
    en: (p) => `I've filed your complaint as ticket ${p.ticketId}; our team will follow up.`,
    zh: (p) => `已为您提交投诉，工单号 ${p.ticketId}，相关团队会跟进处理。`,
  },
  order_not_found: {
    en: (p) => `I couldn't find order ${p.orderNumber}. Could you check the number and send it again?`,
    zh: (p) => `没有找到订单 ${p.orderNumber}，请核对订单号后重新发送。`,
  },
  tool_unavailable: {
    en: (p) => `I couldn't ${p.actionEn} right now. Would you like me to connect you with a human agent? You can also ask me again in a moment.`,
    zh: (p) => `暂时无法${p.actionZh}。需要为您转接人工客服吗？您也可以稍后再问我一次。`,
  },
  tool_rejected: {
    en: (p) => `Our system did not accept the request to ${p.actionEn}. Would you like me to connect you with a human agent?`,
    zh: (p) => `系统未受理${p.actionZh}的请求。需要为您转接人工客服吗？`,
  },
  escalating: {
    en: () => "I'm connecting you with a human agent. Please stay in this chat; they will see our conversation so far.",
    zh: () => '正在为您转接人工客服，请不要离开对话，客服会看到我们之前的聊天记录。',
  },
  escalating_high_value: {
    en: (p) => `A refund of ${p.amount} needs a colleague's review, so I'm connecting you with a human agent. They will see our conversation so far.`,
    zh: (p) => `${p.amount} 的退款需要同事审核，正在为您转接人工客服，客服会看到我们之前的聊天记录。`,
  },
  escalating_tool_failure: {
    en: () => "Our systems aren't responding to me right now, so I'm connecting you with a human agent who can check for you.",
    zh: () => '系统暂时没有响应，正在为您转接人工客服为您核实。',
  },
  assistant_trouble: {
    en: () => "I'm having trouble reading messages right now. Would you like me to connect you with a human agent?",
    zh: () => '我暂时无法处理您的消息。需要为您转接人工客服吗？',
  },
  human_declined: {
    en: () => "Alright, I'll keep helping. What would you like to do?",
    zh: () => '好的，我继续为您服务。请问您需要什么帮助？',
  },
  escalating_complaint: {
    en: () => "Thank you for telling us. I'm passing your complaint to our customer care team; a colleague will join this chat and see everything you've written.",
    zh: () => '感谢您的反馈。正在将您的投诉转交客户关怀团队，同事接入后会看到您写的全部内容。',
  },
  queued: {
    en: (p) =>
      `You're in the queue for our ${p.skillLabel} team. An agent will join as soon as one is free; your place in the queue and the expected wait are kept up to date while you wait. If the wait gets long, I'll offer you a callback or to leave a message.`,
    zh: (p) => `您已进入${p.skillLabel}队列，客服空闲后会立即接入；排队位置和预计等待时间会实时更新。如果等待时间较长，我会为您提供回电或留言的选择。`,
  },
  queue_faq: {
    en: (p) => `While you wait, this may help:\n${p.items}`,
    zh: (p) => `等待期间，以下内容或许能帮到您：\n${p.items}`,
  },
  queue_remind: {
    en: (p) => `You've been waiting ${minutesEn(p.minutes)}. You're still in the queue and will be connected as soon as an agent is free.`,
    zh: (p) => `您已等待 ${p.minutes} 分钟，仍在排队中，客服空闲后会立即为您接入。`,
  },
  queue_supervisor: {
    en: (p) => `You've been waiting ${minutesEn(p.minutes)}, longer than we aim for, so I've let a supervisor know.`,
    zh: (p) => `您已等待 ${p.minutes} 分钟，超过了我们的服务目标，已通知主管跟进。`,
  },
  contact_offer_overflow: {
    en: (p) =>
      `All our agents are still busy. You can keep waiting, or: reply 1 to leave a message for the team, or 2 ${p.callbackEn}. Reply 3 to keep waiting.`,
    zh: (p) => `客服仍然繁忙。您可以继续等待，或者：回复 1 给团队留言，回复 2 ${p.callbackZh}。回复 3 继续等待。`,
  },
  contact_offer_after_hours: {
    en: (p) =>
      `Our ${p.skillLabel} team is not available right now; they're back ${p.reopen}. I can keep helping you here, or: reply 1 to leave a message for the team, or 2 ${p.callbackEn}.`,
    zh: (p) => `${p.skillLabel}团队当前不在服务时间，将于 ${p.reopen} 恢复服务。我可以继续在这里为您服务，或者：回复 1 给团队留言，回复 2 ${p.callbackZh}。`,
  },
  contact_ask_phone: {
    en: () => 'What phone number should we call you on?',
    zh: () => '请问我们应该拨打哪个电话号码联系您？',
  },
  contact_ask_reply_to: {
    en: () => 'How should the team reply to you? Send a phone number or an email address.',
    zh: () => '团队应该如何回复您？请发送电话号码或邮箱地址。',
  },
  contact_bad_contact: {
    en: () => "That doesn't look like a phone number or an email address. Could you send it again? (Say \"never mind\" to stop.)",
    zh: () => '这似乎不是有效的电话号码或邮箱地址，请重新发送。（回复"算了"可取消。）',
  },
  contact_ask_time: {
    en: (p) => `When would suit you for the call to ${p.contact}? (for example "today after 3pm" or "any time")`,
    zh: (p) => `请问什么时间方便拨打 ${p.contact} 联系您？（例如"今天下午3点后"或"随时"）`,
  },
  contact_ask_message: {
    en: () => "Please type your message for the team; I'll pass it on with our conversation so far.",
    zh: () => '请输入您要留给团队的信息，我会连同之前的对话一并转交。',
  },
  contact_done_callback: {
    en: (p) => `Thanks — a callback to ${p.contact} (${p.time}) is registered${opt(p.ticketId, (t) => ` as ticket ${t}`)}.${p.leftQueue === 'yes' ? " You've left the queue." : ''} I'm still here if you need anything else.`,
    zh: (p) => `好的，已为您登记回电：${p.contact}（${p.time}）${opt(p.ticketId, (t) => `，工单号 ${t}`)}。${p.leftQueue === 'yes' ? '您已退出排队。' : ''}如有其他问题，我仍可为您服务。`,
  },
  contact_done_message: {
    en: (p) => `Thanks — your message is with the team${opt(p.ticketId, (t) => ` as ticket ${t}`)}; they will reply to ${p.contact}.${p.leftQueue === 'yes' ? " You've left the queue." : ''} I'm still here if you need anything else.`,
    zh: (p) => `好的，您的留言已转交团队${opt(p.ticketId, (t) => `（工单号 ${t}）`)}，他们会通过 ${p.contact} 回复您。${p.leftQueue === 'yes' ? '您已退出排队。' : ''}如有其他问题，我仍可为您服务。`,
  },
  contact_not_registered: {
    en: () => "I couldn't register that just now: the ticket system did not answer.",
    zh: () => '暂时无法登记：工单系统没有响应。',
  },
  contact_keep_waiting: {
    en: () => "OK, you're still in the queue; an agent will join as soon as one is free.",
    zh: () => '好的，您仍在排队中，客服空闲后会立即接入。',
  },
  contact_cancelled: {
    en: () => "OK, I've left it there. I'm still here if you need anything.",
    zh: () => '好的，已为您取消。如有需要，我仍可为您服务。',
  },
  after_hours_again: {
    en: (p) => `Our ${p.skillLabel} team is back ${p.reopen}. Reply 1 to leave a message or 2 for a callback, or keep chatting with me.`,
    zh: (p) => `${p.skillLabel}团队将于 ${p.reopen} 恢复服务。回复 1 留言，回复 2 预约回电，或继续与我对话。`,
  },
  queue_abandoned: {
    en: () => 'You left the queue, so this conversation was closed. Message us again any time.',
    zh: () => '您已离开排队，本次对话已结束。如有需要，欢迎随时再次联系我们。',
  },
  human_request_limit: {
    en: (p) =>
      `You've asked for a person ${p.count === '1' ? 'once' : `${p.count} times`} in the last ${minutesEn(p.windowMinutes)}. ${p.where} Meanwhile I can help with orders, refunds, returns and more — just tell me what you need.`,
    zh: (p) => `您在最近 ${p.windowMinutes} 分钟内已 ${p.count} 次要求转人工。${p.where}在此期间，我可以帮您处理订单、退款、退换货等问题，请告诉我您的需求。`,
  },
  human_request_limit_queued: {
    en: () => 'You are already in the queue for an agent.',
    zh: () => '您已在人工客服队列中。',
  },
  human_request_limit_human: {
    en: () => 'An agent is already with you.',
    zh: () => '客服已在为您服务。',
  },
  human_request_limit_ai: {
    en: () => 'Please try again a little later.',
    zh: () => '请稍后再试。',
  },
  agent_joined: {
    en: (p) => `${p.agentName} has joined the conversation.`,
    zh: (p) => `客服 ${p.agentName} 已接入对话。`,
  },
  agent_requeued: {
    en: () => "Your agent had to step away; you're back in the queue and the next free agent will continue.",
    zh: () => '当前客服暂时离开，已为您重新排队，下一位空闲的客服会继续为您服务。',
  },
  released_to_ai: {
    en: () => "You're back with the assistant. How else can I help?",
    zh: () => '已转回智能助手，请问还有什么可以帮您？',
  },
  released_to_queue: {
    en: () => "You've been put back in the queue; the next free agent will continue.",
    zh: () => '已为您重新排队，下一位空闲的客服会继续为您服务。',
  },
  transferred: {
    en: (p) => `You've been transferred to our ${p.skillLabel} team; the next free agent there will continue.`,
    zh: (p) => `已为您转接至${p.skillLabel}团队，下一位空闲的客服会继续为您服务。`,
  },
  conversation_recovered: {
    en: () => "The earlier part of this conversation was lost on our side. Please tell us again what you need, and we'll take it from here.",
    zh: () => '由于我们这边的原因，本次对话之前的内容已丢失。请再告诉我们一次您需要什么，我们会从这里继续为您处理。',
  },
  idle_closed: {
    en: () => 'This conversation was closed after a period of inactivity. Message us again any time.',
    zh: () => '由于长时间无操作，本次对话已结束。如有需要欢迎随时再次联系我们。',
  },
  closed: {
    en: () => 'This conversation has been closed. Thank you for contacting us.',
    zh: () => '本次对话已结束，感谢您的咨询。',
  },
  takeover_side_effect: {
    en: (p) => `Before the agent joined, the assistant completed: ${p.summary}.`,
    zh: (p) => `客服接入前，智能助手已完成：${p.summary}。`,
  },
  info_order_help: {
    en: () => "If it's about an existing order, tell me the order number and I'll look up its status and tracking for you.",
    zh: () => '如果是关于已有订单的问题，请告诉我订单号，我可以为您查询订单状态和物流信息。',
  },
  info_refund_help: {
    en: () => 'Refund eligibility depends on the order. Tell me the order number and I can check it and start a refund for you.',
    zh: () => '能否退款取决于具体订单。请告诉我订单号，我可以为您查询并发起退款。',
  },
  thanks_reply: {
    en: () => "You're welcome! Is there anything else I can help you with?",
    zh: () => '不客气！还有其他可以帮您的吗？',
  },
  you_are_welcome: {
    en: () => "You're welcome!",
    zh: () => '不客气！',
  },
  thanks_confirm: {
    en: () => 'You\'re welcome! I haven\'t submitted anything yet: answer "yes" to go ahead, or tell me what to change.',
    zh: () => '不客气！目前还没有提交：回复"确认"即可提交，或告诉我需要修改的内容。',
  },
  thanks_verify: {
    en: (p) => `You're welcome! To continue with order ${p.orderNumber}, I still need the email address or phone number on the order.`,
    zh: (p) => `不客气！继续处理订单 ${p.orderNumber} 前，还需要您提供下单时留的邮箱或手机号。`,
  },
  ask_verification: {
    en: (p) => `To protect your account, please tell me the email address or phone number used on order ${p.orderNumber}.`,
    zh: (p) => `为保护您的账户安全，请提供订单 ${p.orderNumber} 下单时使用的邮箱或手机号。`,
  },
  noted_ask_verification: {
    en: (p) => `Noted. To protect your account, please first tell me the email address or phone number used on order ${p.orderNumber}.`,
    zh: (p) => `好的，已记下。为保护您的账户安全，请先提供订单 ${p.orderNumber} 下单时使用的邮箱或手机号。`,
  },
  verification_mismatch: {
    en: (p) => `That doesn't match what we have on order ${p.orderNumber}. Please check and try again (${p.triesLeft} ${p.triesLeft === '1' ? 'try' : 'tries'} left).`,
    zh: (p) => `与订单 ${p.orderNumber} 的信息不符，请核对后重试（还可尝试 ${p.triesLeft} 次）。`,
  },
  escalating_verification: {
    en: () => "I couldn't confirm the order is yours, so I can't share or change anything on it here. I'm connecting you with a human agent who can verify you another way.",
    zh: () => '无法确认该订单属于您，因此我不能在这里查看或修改它。正在为您转接人工客服，通过其他方式核实身份。',
  },
  order_not_yours: {
    en: (p) => `I can't find order ${p.orderNumber} on your account. Could you check the number? Order numbers have 12 digits.`,
    zh: (p) => `您的账户下没有订单 ${p.orderNumber}，请核对订单号（12位数字）。`,
  },
  escalating_compensation: {
    en: () => "Compensation is decided by our team, not by me, so I'm connecting you with a human agent who can look at your case. They will see our conversation so far.",
    zh: () => '赔偿需要由我们的团队决定，我无法直接处理，正在为您转接人工客服，客服会看到我们之前的聊天记录。',
  },
  clarify: {
    en: (p) => `Just to be sure: would you like to ${p.first}, or ${p.second}?`,
    zh: (p) => `想确认一下：您是想${p.first}，还是${p.second}？`,
  },
  clarify_order: {
    en: (p) => `What would you like to do with order ${p.orderNumber}: check where it is, or request a refund? (I can also handle returns, repairs, address changes and cancellations.)`,
    zh: (p) => `请问您想对订单 ${p.orderNumber} 做什么：查询物流，还是申请退款？（也可以办理退换货、维修、改地址和取消订单。）`,
  },
  ask_photo_topic: {
    en: () => 'Thanks for the photo. What is it about? If the item arrived damaged or faulty, I can arrange a repair or a return with the photo attached.',
    zh: () => '已收到您的照片。请问是关于什么问题？如果商品有损坏或故障，我可以为您安排维修或退货，并附上这张照片。',
  },
  // The wait limit of a conversation queued before routing (src/domain/legacy-queue.ts).
  queue_overflow: {
    en: (p) => `All our agents are still busy. I've registered a callback request (ticket ${p.ticketId}); you can also stay in this chat or leave a message here for the agent.`,
    zh: (p) => `客服仍然繁忙，已为您登记回电请求（工单号 ${p.ticketId}）；您也可以继续等待，或在此留言给客服。`,
  },
  queue_overflow_no_ticket: {
    en: () => 'All our agents are still busy. Please stay in this chat or leave a message here; an agent will read it when they join.',
    zh: () => '客服仍然繁忙，请继续等待或在此留言，客服接入后会看到您的留言。',
  },
  photo_shows_damage: {
    en: () => 'Thanks for the photo: I can see the item is damaged.',
    zh: () => '已收到您的照片，可以看到商品有损坏。',
  },
  photo_shows_wrong_item: {
    en: () => "Thanks for the photo: that doesn't look like what you ordered.",
    zh: () => '已收到您的照片，看起来这不是您订购的商品。',
  },
  photo_attached: {
    en: () => "I've attached your photo to this request.",
    zh: () => '已将您的照片附在此申请中。',
  },
  resume_task: {
    en: (p) => `Now, back to your earlier request (${p.intentLabel}${opt(p.orderNumber, (o) => `, order ${o}`)}).`,
    zh: (p) => `现在回到您之前的请求（${p.intentLabel}${opt(p.orderNumber, (o) => `，订单 ${o}`)}）。`,
  },
  tool_progress: {
    en: (p) => `One moment, I'm ${p.progressEn}…`,
    zh: (p) => `请稍候，正在${p.progressZh}…`,
  },
  refusal_order_not_refundable: {
    en: (p) => `Order ${p.orderNumber} can't be refunded${opt(p.statusLabel, (st) => ` while it is ${st}`)}: ${p.statusLabel === 'being processed' ? 'it has not shipped yet, so you can cancel it instead' : 'a refund is only possible for orders that shipped and were not cancelled'}. Would you like me to connect you with a human agent?`,
    zh: (p) => `订单 ${p.orderNumber}${opt(p.statusLabel, (st) => `当前状态为${st}，`)}无法退款：${p.statusLabel === '处理中' ? '订单尚未发货，您可以直接取消订单' : '只有已发货且未取消的订单可以退款'}。需要为您转接人工客服吗？`,
  },
  refusal_refund_exceeds_remaining: {
    en: (p) => `Order ${p.orderNumber} has already been refunded in full, so there is nothing left to refund. Would you like me to connect you with a human agent?`,
    zh: (p) => `订单 ${p.orderNumber} 已全额退款，没有可再退的金额。需要为您转接人工客服吗？`,
  },
  refusal_order_not_returnable: {
    en: (p) => `Order ${p.orderNumber} can't be returned or exchanged yet: only delivered orders can${opt(p.statusLabel, (st) => `, and it is ${st}`)}. Would you like me to connect you with a human agent?`,
    zh: (p) => `订单 ${p.orderNumber} 暂时无法退换货：只有已签收的订单可以办理${opt(p.statusLabel, (st) => `，该订单当前状态为${st}`)}。需要为您转接人工客服吗？`,
  },
  refusal_order_not_repairable: {
    en: (p) => `A repair can only be booked for a delivered order, and order ${p.orderNumber} is not delivered${opt(p.statusLabel, (st) => ` (${st})`)}. Would you like me to connect you with a human agent?`,
    zh: (p) => `只有已签收的订单才能预约维修，订单 ${p.orderNumber} 尚未签收${opt(p.statusLabel, (st) => `（${st}）`)}。需要为您转接人工客服吗？`,
  },
  refusal_address_locked: {
    en: (p) => `The address of order ${p.orderNumber} can't be changed any more: it can only change before the order ships${opt(p.statusLabel, (st) => `, and it is ${st}`)}. Would you like me to connect you with a human agent?`,
    zh: (p) => `订单 ${p.orderNumber} 的收货地址已无法修改：只能在发货前修改${opt(p.statusLabel, (st) => `，该订单当前状态为${st}`)}。需要为您转接人工客服吗？`,
  },
  refusal_order_not_cancellable: {
    en: (p) => `Order ${p.orderNumber} can't be cancelled: only orders that have not shipped can be${opt(p.statusLabel, (st) => `, and it is ${st}`)}. Would you like me to connect you with a human agent?`,
    zh: (p) => `订单 ${p.orderNumber} 无法取消：只有未发货的订单可以取消${opt(p.statusLabel, (st) => `，该订单当前状态为${st}`)}。需要为您转接人工客服吗？`,
  },
  info_offer_human: {
    en: () => "I can't handle that from this chat, but a human colleague can. Would you like me to connect you?",
    zh: () => '这个问题我无法在对话中直接处理，但人工客服可以帮您。需要为您转接吗？',
  },
} as const satisfies Record<string, Pair>;

export type TemplateKey = keyof typeof TEMPLATES;

export function render(key: TemplateKey, language: Language, params: Params = {}): string {
  const t: Pair = TEMPLATES[key];
  return t[language](params);
}

const APOLOGY: Record<Language, string> = { en: 'Sorry — ', zh: '抱歉，' };

/** Prefixes an apology. The caller decides (and counts) when one is allowed. */
export function withApology(text: string, language: Language): string {
  if (language === 'en') {
    // "I" and acronyms keep their capital; other sentence starts continue the apology.
    const keep = /^(I\b|[A-Z]{2,})/.test(text);
    return APOLOGY.en + (keep ? text : text.charAt(0).toLowerCase() + text.slice(1));
  }
  return APOLOGY.zh + text;
}

/** Phrases in either language that read as a promise of compensation; templates must contain none. */
export const COMPENSATION_PROMISE = /\b(we will|we'll|i will|i'll)\s+(compensate|refund you|give you (a )?(voucher|coupon|credit))|guarantee(d)? (a )?(refund|compensation)|保证(退款|赔偿)|一定(会)?赔偿|我们(会|将)赔偿/i;

// ---------------------------------------------------------------------------
// Labels used as template parameters
// ---------------------------------------------------------------------------

const ORDER_STATUS: Record<OrderStatus, Record<Language, string>> = {
  processing: { en: 'being processed', zh: '处理中' },
  shipped: { en: 'shipped', zh: '已发货' },
  in_transit: { en: 'in transit', zh: '运输中' },
  delivered: { en: 'delivered', zh: '已签收' },
  cancelled: { en: 'cancelled', zh: '已取消' },
  returned: { en: 'returned', zh: '已退货' },
};

const SHIPMENT_STATUS: Record<Shipment['status'], Record<Language, string>> = {
  label_created: { en: 'label created, not yet picked up', zh: '已创建运单，待揽收' },
  in_transit: { en: 'in transit', zh: '运输中' },
  out_for_delivery: { en: 'out for delivery', zh: '派送中' },
  delivered: { en: 'delivered', zh: '已签收' },
  exception: { en: 'delivery exception reported by the carrier', zh: '承运商报告配送异常' },
};

const REFUND_METHOD: Record<RefundMethod, Record<Language, string>> = {
  original_payment: { en: 'the original payment method', zh: '原支付方式' },
  store_credit: { en: 'store credit', zh: '店铺余额' },
  bank_transfer: { en: 'bank transfer', zh: '银行转账' },
};

const REFUND_STATUS: Record<'submitted' | 'approved' | 'rejected', Record<Language, string>> = {
  submitted: { en: 'submitted', zh: '已提交' },
  approved: { en: 'approved', zh: '已批准' },
  rejected: { en: 'rejected', zh: '未通过' },
};

const SLOT_LABEL: Record<string, Record<Language, string>> = {
  orderNumber: { en: 'order number', zh: '订单号' },
  reason: { en: 'reason', zh: '原因' },
  refundMethod: { en: 'refund method', zh: '退款方式' },
  returnType: { en: 'return or exchange', zh: '退货/换货' },
  description: { en: 'description', zh: '问题描述' },
  address: { en: 'address', zh: '地址' },
};

/** How the clarifying question names a task or topic; intents without a label are never offered. */
const INTENT_LABEL: Partial<Record<Intent, Record<Language, string>>> = {
  track_order: { en: 'track an order', zh: '查询订单物流' },
  get_refund: { en: 'get a refund', zh: '申请退款' },
  return_exchange: { en: 'return or exchange an item', zh: '退换货' },
  repair_request: { en: 'book a repair', zh: '预约维修' },
  change_shipping_address: { en: 'change a shipping address', zh: '修改收货地址' },
  cancel_order: { en: 'cancel an order', zh: '取消订单' },
  complaint: { en: 'file a complaint', zh: '提交投诉' },
  track_refund: { en: 'check on a refund', zh: '查询退款进度' },
  check_refund_policy: { en: 'know the refund policy', zh: '了解退款政策' },
  delivery_period: { en: 'know how long delivery takes', zh: '了解配送时间' },
  delivery_options: { en: 'know the delivery options', zh: '了解配送方式' },
  check_cancellation_fee: { en: 'know the cancellation fee', zh: '了解取消费用' },
  get_invoice: { en: 'get an invoice', zh: '开具发票' },
  check_invoice: { en: 'look at an invoice', zh: '查看发票' },
  payment_issue: { en: 'sort out a payment problem', zh: '处理支付问题' },
  recover_password: { en: 'reset your password', zh: '找回密码' },
  edit_account: { en: 'change your account details', zh: '修改账户信息' },
  create_account: { en: 'open an account', zh: '注册账户' },
  place_order: { en: 'place an order', zh: '下单' },
  change_order: { en: 'change an order', zh: '修改订单' },
};

/** The plain-words template for a backend's business refusal code, when there is one. */
export function refusalTemplate(code: string | undefined): TemplateKey | undefined {
  switch (code) {
    case 'order_not_refundable':
    case 'refund_exceeds_remaining':
    case 'order_not_returnable':
    case 'order_not_repairable':
    case 'address_locked':
    case 'order_not_cancellable':
      return `refusal_${code}`;
    default:
      return undefined;
  }
}

export const labels = {
  intent: (i: Intent, l: Language) => INTENT_LABEL[i]?.[l] ?? '',
  orderStatus: (s: OrderStatus, l: Language) => ORDER_STATUS[s]?.[l] ?? s,
  shipmentStatus: (s: Shipment['status'], l: Language) => SHIPMENT_STATUS[s]?.[l] ?? s,
  refundMethod: (m: string, l: Language) => REFUND_METHOD[m as RefundMethod]?.[l] ?? m,
  refundStatus: (s: 'submitted' | 'approved' | 'rejected', l: Language) => REFUND_STATUS[s]?.[l] ?? s,
  slot: (s: string, l: Language) => SLOT_LABEL[s]?.[l] ?? s,
  slots: (names: readonly string[], l: Language) => names.map((n) => SLOT_LABEL[n]?.[l] ?? n).join(l === 'zh' ? '、' : ', '),
};

export function formatMoney(m: { amount: number; currency: string }): string {
  return `${m.currency} ${m.amount.toFixed(2)}`;
}

/** ISO time as "YYYY-MM-DD HH:MM UTC" (workflow-safe: no locale, no time zone lookup). */
export function formatTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** What a tool does, for failure messages ("I couldn't <retrieve the order details> right now"). */
export const TOOL_ACTION: Record<string, { en: string; zh: string }> = {
  getOrder: { en: 'retrieve the order details', zh: '查询订单信息' },
  trackShipment: { en: 'retrieve the tracking information', zh: '查询物流信息' },
  submitRefund: { en: 'submit the refund request', zh: '提交退款申请' },
  createReturn: { en: 'create the return request', zh: '创建退换货申请' },
  createRepair: { en: 'submit the repair request', zh: '提交维修申请' },
  changeAddress: { en: 'change the shipping address', zh: '修改收货地址' },
  cancelOrder: { en: 'cancel the order', zh: '取消订单' },
  createTicket: { en: 'file the ticket', zh: '提交工单' },
  verifyOrderContact: { en: 'check the contact details on the order', zh: '核对订单联系方式' },
};

/** What the customer is told while a slow tool runs ("One moment, I'm <checking your order>…"). */
export const TOOL_PROGRESS: Record<string, { en: string; zh: string }> = {
  getOrder: { en: 'checking your order', zh: '为您查询订单' },
  trackShipment: { en: 'checking the tracking', zh: '为您查询物流' },
  submitRefund: { en: 'submitting your refund request', zh: '为您提交退款申请' },
  createReturn: { en: 'creating your return request', zh: '为您创建退换货申请' },
  createRepair: { en: 'booking your repair', zh: '为您预约维修' },
  changeAddress: { en: 'updating the address', zh: '为您修改地址' },
  cancelOrder: { en: 'cancelling the order', zh: '为您取消订单' },
  createTicket: { en: 'filing your request', zh: '为您提交工单' },
  verifyOrderContact: { en: 'checking the details you gave', zh: '核对您提供的信息' },
};

/** Informational intents answered with a template, and whether that answer offers a human. */
export const INFO_REPLIES: Partial<Record<Intent, { template: TemplateKey; offersHuman: boolean }>> = {
  check_refund_policy: { template: 'info_refund_help', offersHuman: false },
  track_refund: { template: 'info_refund_help', offersHuman: false },
  check_cancellation_fee: { template: 'info_order_help', offersHuman: false },
  delivery_options: { template: 'info_order_help', offersHuman: false },
  delivery_period: { template: 'info_order_help', offersHuman: false },
  change_order: { template: 'info_offer_human', offersHuman: true },
  place_order: { template: 'info_offer_human', offersHuman: true },
  check_invoice: { template: 'info_offer_human', offersHuman: true },
  get_invoice: { template: 'info_offer_human', offersHuman: true },
  check_payment_methods: { template: 'info_offer_human', offersHuman: true },
  create_account: { template: 'info_offer_human', offersHuman: true },
  delete_account: { template: 'info_offer_human', offersHuman: true },
  edit_account: { template: 'info_offer_human', offersHuman: true },
  switch_account: { template: 'info_offer_human', offersHuman: true },
  recover_password: { template: 'info_offer_human', offersHuman: true },
  registration_problems: { template: 'info_offer_human', offersHuman: true },
  newsletter_subscription: { template: 'info_offer_human', offersHuman: true },
  review: { template: 'info_offer_human', offersHuman: true },
  set_up_shipping_address: { template: 'info_offer_human', offersHuman: true },
  product_inquiry: { template: 'info_offer_human', offersHuman: true },
  price_inquiry: { template: 'info_offer_human', offersHuman: true },
  installation_inquiry: { template: 'info_offer_human', offersHuman: true },
  points_inquiry: { template: 'info_offer_human', offersHuman: true },
};
