/**
 * The deterministic handover an agent receives on claim (source 'template').
 * The summarizeHandover activity may rewrite `summary` with an LLM; the
 * structured fields always come from here, i.e. from the workflow's state.
 */
import type { Escalation, EscalationReason, Handover, ImageRef, Language } from '../workflows/contract';
import { missingSlots } from './slots';
import { orderIdsOf, type ConversationState } from './state';
import { labels } from './templates';

const REASON_TEXT: Record<EscalationReason, string> = {
  explicit_request: 'the customer asked for a human',
  negative_emotion: 'the customer is upset',
  repeated_ai_failure: 'the assistant failed to help several times in a row',
  high_value_refund: 'the refund is above the approval limit',
  too_many_turns: 'the conversation ran long without resolution',
  vip_customer: 'VIP customer',
  low_confidence: 'the assistant repeatedly could not tell what the customer wants',
  tool_failure: 'order systems did not respond to the assistant',
  business_rule: 'the topic needs account or payment access',
  transfer: 'transferred by an agent',
  released_to_queue: 'an agent put it back in the queue',
  agent_unresponsive: 'the assigned agent went silent',
  wait_limit: 'the customer waited past the wait limit',
  agent_takeover: 'an agent took over from the assistant',
  compensation_request: 'the customer demands compensation',
  verification_failed: 'the customer could not verify an order as theirs',
  complaint: 'the customer made a complaint',
  legal_threat: 'the customer mentioned legal action',
  system_fault: 'the customer reports a system fault',
};

const REASON_TEXT_ZH: Record<EscalationReason, string> = {
  explicit_request: '客户要求人工',
  negative_emotion: '客户情绪不满',
  repeated_ai_failure: '智能助手连续多次未能解决',
  high_value_refund: '退款金额超过审批额度',
  too_many_turns: '对话轮次过多仍未解决',
  vip_customer: 'VIP客户',
  low_confidence: '智能助手多次无法判断客户需求',
  tool_failure: '订单系统无响应',
  business_rule: '需要账户或支付权限',
  transfer: '由客服转接',
  released_to_queue: '客服放回队列',
  agent_unresponsive: '接待客服长时间未回复',
  wait_limit: '客户等待超过时限',
  agent_takeover: '客服主动接管',
  compensation_request: '客户要求赔偿',
  verification_failed: '客户未能验证订单归属',
  complaint: '客户提出投诉',
  legal_threat: '客户提到法律途径',
  system_fault: '客户反映系统故障',
};

export function describeReason(reason: EscalationReason, language: Language = 'en'): string {
  return language === 'zh' ? REASON_TEXT_ZH[reason] : REASON_TEXT[reason];
}

/**
 * The handover, written in `language` — the agent's reading language when
 * known, else the conversation's. The structured fields are the same in
 * either; only the summary and the recommended action are prose.
 */
export function buildHandover(state: ConversationState, escalation: Escalation, language: Language = state.ai.language): Handover {
  const task = state.ai.task;
  const filledSlots: Record<string, string> = {};
  for (const [k, v] of Object.entries(task?.slots ?? {})) if (v) filledSlots[k] = v;
  const missing = task ? missingSlots(task.intent, task.slots) : [];
  const intent = task?.intent ?? state.ai.lastIntent;
  const handover: Handover = {
    conversationId: state.conversationId,
    customer: state.customer,
    language: state.ai.language,
    handoverLanguage: language,
    filledSlots,
    missingSlots: missing,
    orderIds: orderIdsOf(state),
    toolCalls: state.toolCalls,
    aiAttempts: state.ai.attempts,
    reasons: escalation.reasons,
    emotion: state.ai.emotion,
    priority: escalation.priority,
    skill: escalation.skill,
    recommendedAction: recommend(state, escalation, language),
    summary: '',
    source: 'template',
  };
  if (intent) handover.intent = intent;
  const dropped = (state.ai.pastTasks ?? []).map((p) => ({ intent: p.intent, slots: { ...p.slots } as Record<string, string>, how: p.how }));
  if (dropped.length > 0) handover.droppedTasks = dropped;
  const parts = (state.humanParts ?? []).map((p) => ({
    ...(p.agentName ? { agentName: p.agentName } : {}),
    ...(p.note ? { note: p.note } : {}),
    entries: state.transcript.filter((e) => e.seq >= p.fromSeq && e.seq <= p.toSeq && (e.from === 'agent' || e.from === 'customer')),
  }));
  if (parts.length > 0) handover.humanPart = parts;
  const images = imagesOf(state);
  if (images.length > 0) handover.images = images;
  handover.summary = summarize(state, handover, language);
  return handover;
}

function imagesOf(state: ConversationState): ImageRef[] {
  return state.transcript.filter((e) => e.image !== undefined).map((e) => e.image as ImageRef);
}

type Text = Record<Language, string>;
const pick = (l: Language, t: Text) => t[l];

function topic(intent: string | undefined, language: Language): string {
  if (!intent) return '';
  const label = labels.intent(intent as Parameters<typeof labels.intent>[0], language);
  return label || intent.replace(/_/g, ' ');
}

function recommend(state: ConversationState, escalation: Escalation, l: Language): string {
  const reasons = escalation.reasons;
  const task = state.ai.task;
  const intent = task?.intent ?? state.ai.lastIntent;
  const order = task?.slots.orderNumber;
  const about = intent ? pick(l, { en: ` with the request to ${topic(intent, 'en')}`, zh: `（${topic(intent, 'zh')}）` }) : '';
  if (reasons.includes('legal_threat')) {
    return pick(l, {
      en: `Treat as urgent: the customer mentioned legal action${about}. Acknowledge it, make no admissions or promises, and follow the legal escalation procedure.`,
      zh: `请按紧急处理：客户提到了法律途径${about}。先回应客户，不作任何承认或承诺，并按法律事务升级流程处理。`,
    });
  }
  if (reasons.includes('compensation_request')) {
    return pick(l, {
      en: 'The customer demands compensation: review the case and decide; the assistant promised nothing and submitted no refund.',
      zh: '客户要求赔偿：请审核情况并决定；智能助手没有作出任何承诺，也没有提交退款。',
    });
  }
  if (reasons.includes('verification_failed')) {
    return pick(l, {
      en: 'Verify the customer by another means before sharing or changing anything on the order; the assistant showed no order data.',
      zh: '请先通过其他方式核实客户身份，再查看或修改订单；智能助手未透露任何订单信息。',
    });
  }
  if (reasons.includes('system_fault')) {
    return pick(l, {
      en: `The customer reports a system fault${about}: confirm what fails and whether it is a known incident, then help or pass it to technical support.`,
      zh: `客户反映系统故障${about}：请确认具体故障以及是否为已知事件，再协助处理或转技术支持。`,
    });
  }
  if (reasons.includes('complaint')) {
    const described = task?.intent === 'complaint' && task.slots.description ? task.slots.description : undefined;
    return pick(l, {
      en: `Handle the complaint: acknowledge it, check the facts and agree the next step with the customer.${described ? ` They wrote: ${JSON.stringify(described)}.` : ''}`,
      zh: `处理投诉：先回应客户，核实情况，并与客户商定下一步。${described ? `客户描述："${described}"。` : ''}`,
    });
  }
  if (reasons.includes('high_value_refund')) {
    const amount = task?.facts.order ? ` (${task.facts.order.total.currency} ${task.facts.order.total.amount.toFixed(2)})` : '';
    return pick(l, {
      en: `Review the refund for order ${order ?? 'unknown'}${amount} and approve or decline it; the assistant has not submitted it.`,
      zh: `请审核订单 ${order ?? '未知'}${amount} 的退款并决定是否批准；智能助手尚未提交。`,
    });
  }
  if (reasons.includes('tool_failure')) {
    const failed = state.toolCalls.filter((c) => !c.ok).length;
    return pick(l, {
      en: `Check ${order ? `order ${order}` : 'the order'} in the back office: the order system did not answer the assistant (${failed} failed call${failed === 1 ? '' : 's'}), and nothing was confirmed to the customer.`,
      zh: `请在后台核查${order ? `订单 ${order}` : '订单'}：订单系统未响应智能助手（失败 ${failed} 次），尚未向客户确认任何结果。`,
    });
  }
  if (reasons.includes('negative_emotion') || (reasons.includes('vip_customer') && state.ai.emotion !== 'neutral' && state.ai.emotion !== 'positive')) {
    return pick(l, { en: `Acknowledge the customer's frustration first, then help${about}.`, zh: `请先安抚客户情绪，再协助处理${about}。` });
  }
  if (reasons.includes('business_rule')) {
    return pick(l, { en: `Handle the request${about}; it needs account or payment access the assistant does not have.`, zh: `请处理该请求${about}：需要智能助手没有的账户或支付权限。` });
  }
  if (reasons.includes('agent_unresponsive') || reasons.includes('released_to_queue') || reasons.includes('transfer')) {
    return pick(l, {
      en: 'Continue where the previous agent left off; read the latest messages first — the customer has been waiting.',
      zh: '请接着上一位客服的进度继续处理；先阅读最新消息，客户已在等待。',
    });
  }
  if (reasons.includes('repeated_ai_failure') || reasons.includes('low_confidence')) {
    return pick(l, { en: 'Ask the customer what they need: the assistant could not work out the request.', zh: '请询问客户的具体需求：智能助手未能判断客户的请求。' });
  }
  if (task) {
    const missing = missingSlots(task.intent, task.slots);
    const names = missing.map((m) => labels.slot(m, l)).join(l === 'zh' ? '、' : ', ');
    return missing.length > 0
      ? pick(l, { en: `Continue${about}; still needed: ${names}.`, zh: `请继续处理${about}；尚缺：${names}。` })
      : pick(l, { en: `Continue${about}; all details are collected but nothing has been submitted.`, zh: `请继续处理${about}；信息已收集齐全，但尚未提交。` });
  }
  return pick(l, { en: 'Greet the customer and ask how you can help.', zh: '请问候客户并询问需要什么帮助。' });
}

/** The tier as a Chinese summary names it ("REGULAR 客户" read as a stray English label). */
const TIER_ZH: Record<string, string> = { regular: '普通', vip: 'VIP ', enterprise: '企业' };

function summarize(state: ConversationState, h: Handover, l: Language): string {
  const turns = state.ai.counters.totalTurns;
  const name = h.customer.name ? `${h.customer.name} (${h.customer.id})` : h.customer.id;
  const anon = h.customer.anonymous ? pick(l, { en: ', anonymous', zh: '，匿名' }) : '';
  const parts: string[] = [];
  if (l === 'zh') {
    parts.push(`${TIER_ZH[h.customer.tier] ?? h.customer.tier}客户 ${name}${anon}，使用${h.language === 'zh' ? '中文' : '英文'}。`);
    parts.push(h.intent ? `主题：${topic(h.intent, 'zh')}。` : '主题未识别。');
  } else {
    parts.push(`${h.customer.tier.toUpperCase()} customer ${name}${anon}, writing in ${h.language === 'zh' ? 'Chinese' : 'English'}.`);
    parts.push(h.intent ? `Topic: ${topic(h.intent, 'en')}.` : 'Topic not identified.');
  }
  const filled = Object.entries(h.filledSlots).map(([k, v]) => `${labels.slot(k, l)} ${JSON.stringify(v)}`);
  if (filled.length > 0) parts.push(pick(l, { en: `Known: ${filled.join(', ')}.`, zh: `已知：${filled.join('，')}。` }));
  if (h.missingSlots.length > 0) {
    const missing = h.missingSlots.map((m) => labels.slot(m, l));
    parts.push(pick(l, { en: `Missing: ${missing.join(', ')}.`, zh: `缺少：${missing.join('、')}。` }));
  }
  if (h.droppedTasks?.length) {
    const how = (x: string) => pick(l, x === 'dropped' ? { en: 'dropped', zh: '已放弃' } : x === 'switched' ? { en: 'left for another request', zh: '转向其他请求' } : { en: 'not verified', zh: '未通过验证' });
    const list = h.droppedTasks.map((d) => `${topic(d.intent, l)}${d.slots.orderNumber ? ` ${d.slots.orderNumber}` : ''} (${how(d.how)})`);
    parts.push(pick(l, { en: `Earlier requests: ${list.join('; ')}.`, zh: `此前的请求：${list.join('；')}。` }));
  }
  if (h.toolCalls.length > 0) {
    const calls = h.toolCalls.map((c) => `${c.tool} ${c.ok ? 'ok' : pick(l, { en: 'failed', zh: '失败' })} (${c.summary})`);
    parts.push(pick(l, { en: `Tool calls: ${calls.join('; ')}.`, zh: `工具调用：${calls.join('；')}。` }));
  }
  if (h.humanPart?.length) {
    const spoken = h.humanPart.map((p) => {
      const lines = p.entries.slice(-6).map((e) => `${e.from === 'agent' ? pick(l, { en: 'agent', zh: '客服' }) : pick(l, { en: 'customer', zh: '客户' })}: "${e.text.slice(0, 120)}"`);
      const note = p.note ? pick(l, { en: ` Note: "${p.note}".`, zh: ` 备注："${p.note}"。` }) : '';
      return `${p.agentName ?? pick(l, { en: 'an agent', zh: '客服' })} — ${lines.join(' / ')}${note}`;
    });
    parts.push(pick(l, { en: `Earlier with a human: ${spoken.join(' | ')}.`, zh: `此前人工接待：${spoken.join(' | ')}。` }));
  }
  if (h.images?.length) {
    parts.push(pick(l, { en: `${h.images.length} photo(s) attached.`, zh: `附有 ${h.images.length} 张照片。` }));
    // What the vision model saw, in the words it wrote (the agent checks the photo itself).
    const seen = h.images.map((i) => i.seen?.description).filter((d): d is string => !!d);
    if (seen.length > 0) parts.push(pick(l, { en: `Photo: ${seen.join(' / ')}`, zh: `照片：${seen.join(' / ')}` }));
  }
  const because = h.reasons.map((r) => describeReason(r, l));
  parts.push(pick(l, { en: `Handed over because ${because.join('; ')}.`, zh: `转人工原因：${because.join('；')}。` }));
  parts.push(
    pick(l, {
      en: `Emotion: ${h.emotion}. Priority ${h.priority}, ${h.skill} queue. ${turns} assistant turn${turns === 1 ? '' : 's'}.`,
      zh: `情绪：${EMOTION_ZH[h.emotion]}。优先级 ${h.priority}，${h.skill} 队列。智能助手共 ${turns} 轮。`,
    }),
  );
  return parts.join(' ');
}

const EMOTION_ZH: Record<Handover['emotion'], string> = { positive: '积极', neutral: '平和', negative: '不满', angry: '愤怒' };
