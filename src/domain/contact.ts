/**
 * Leave a message or get a callback: what the customer is offered when the
 * wait grows too long (overflow) or when nobody staffs the queue right now
 * (outside service hours). A small deterministic dialogue, English and
 * Chinese, run on the customer's words by plain rules — it needs no AI, so
 * it also runs in the QUEUED phase, where the AI may not answer.
 *
 * A callback is offered only with a way to call back: with a phone number
 * the integration gave us, the offer names it (masked); without one the
 * customer is asked for it, and leave-a-message asks how to reply.
 *
 * offered → (1) message → reply-to? → submit
 *         → (2) callback → phone? → time → submit
 *         → (3) keep waiting (overflow only)
 * The workflow creates the ticket at `submit`, then calls {@link contactDone}.
 */
import type { Escalation, Language, Priority } from '../workflows/contract';
import type { ContactFlow, ConversationState, NewEntry } from './state';
import { appendEntries } from './state';
import { render, type Params, type TemplateKey } from './templates';

const MAX_RETRIES = 2;
const MAX_TIME_TEXT = 200;
const MAX_MESSAGE_TEXT = 2000;

const DIGIT_MESSAGE = /^\s*(?:1|①|一)\s*[.)、。!！]*\s*$/;
const DIGIT_CALLBACK = /^\s*(?:2|②|二)\s*[.)、。!！]*\s*$/;
const DIGIT_WAIT = /^\s*(?:3|③|三)\s*[.)、。!！]*\s*$/;
const WORDS_MESSAGE = /leave (?:a )?message|\bmessage\b|留言/i;
const WORDS_CALLBACK = /call ?back|call me|phone me|ring me|回电|回拨|打电话给我|给我打电话|来电|致电/i;
const WORDS_WAIT = /keep waiting|i'?ll wait|\bwait\b|继续等|我等|等待/i;
const CANCEL = /^\s*(?:never ?mind|cancel|stop|forget it|no thanks?)\b|^\s*(?:算了|不用了|取消|不要了)/i;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/;
const PHONE = /\+?\d[\d\s().-]{5,20}\d/;

/** A phone number in the text (7–15 digits); a bare 12-digit number is an order number, not a phone. */
export function findPhone(text: string): string | undefined {
  for (const m of text.match(new RegExp(PHONE.source, 'g')) ?? []) {
    const digits = m.replace(/\D/g, '');
    if (digits.length < 7 || digits.length > 15) continue;
    if (digits.length === 12 && !m.trim().startsWith('+')) continue;
    return (m.trim().startsWith('+') ? '+' : '') + digits;
  }
  return undefined;
}

export function findEmail(text: string): string | undefined {
  return EMAIL.exec(text)?.[0];
}

/** "the number ending 5678" / "尾号5678的电话": enough to recognise, not the number itself. */
function maskedContact(flow: { phone?: string; email?: string }, language: Language): string {
  if (flow.phone) return language === 'zh' ? `尾号${flow.phone.slice(-4)}的电话` : `the number ending ${flow.phone.slice(-4)}`;
  if (flow.email) {
    const [user, domain] = flow.email.split('@');
    return `${user.slice(0, 1)}***@${domain}`;
  }
  return language === 'zh' ? '您留下的联系方式' : 'the contact you gave';
}

function say(state: ConversationState, key: TemplateKey, params: Params = {}): NewEntry {
  return { from: 'system', text: render(key, state.ai.language, params) };
}

export interface ContactStep {
  consumed: boolean;
  state: ConversationState;
  entries: ReturnType<typeof appendEntries>['entries'];
}

/** Starts the offer (overflow or after hours). */
export function offerContact(
  state: ConversationState,
  reason: ContactFlow['reason'],
  escalation: Pick<Escalation, 'skill' | 'priority'>,
  now: string,
  extra: { opensAt?: string; skillLabel?: string; reopen?: string } = {},
): ContactStep {
  const phone = state.customer.phone;
  const flow: ContactFlow = {
    reason,
    stage: 'offered',
    retries: 0,
    skill: escalation.skill,
    priority: escalation.priority,
    startedAt: now,
    ...(phone ? { phone } : {}),
    ...(state.customer.email ? { email: state.customer.email } : {}),
    ...(extra.opensAt ? { opensAt: extra.opensAt } : {}),
  };
  const callbackEn = phone ? `for a callback to ${maskedContact({ phone }, 'en')}` : "for a callback (I'll ask for your phone number)";
  const callbackZh = phone ? `预约回电至${maskedContact({ phone }, 'zh')}` : '预约回电（我会请您留下电话号码）';
  const key: TemplateKey = reason === 'overflow' ? 'contact_offer_overflow' : 'contact_offer_after_hours';
  const s: ConversationState = { ...state, contact: { ...flow, offeredSeq: state.nextSeq } };
  const r = appendEntries(s, [say(s, key, { callbackEn, callbackZh, skillLabel: extra.skillLabel, reopen: extra.reopen })], now);
  return { consumed: true, state: r.state, entries: r.entries };
}

export function isContactOpen(state: ConversationState): boolean {
  const stage = state.contact?.stage;
  return stage !== undefined && stage !== 'done' && stage !== 'cancelled' && stage !== 'submit';
}

/**
 * Reads one customer message against the open flow. Not consumed: the
 * message is not about the offer (the AI, or the agent later, reads it).
 */
export function contactStep(state: ConversationState, text: string, now: string): ContactStep {
  const flow = state.contact;
  if (!flow || !isContactOpen(state)) return { consumed: false, state, entries: [] };
  const next = (f: Partial<ContactFlow>, notices: NewEntry[]): ContactStep => {
    const s: ConversationState = { ...state, contact: { ...flow, ...f } };
    const r = appendEntries(s, notices, now);
    return { consumed: true, state: r.state, entries: r.entries };
  };
  const trimmed = text.trim();
  const cancel = (): ContactStep =>
    next({ stage: 'cancelled' }, [say(state, state.phase === 'queued' ? 'contact_keep_waiting' : 'contact_cancelled')]);
  const contactParams = (f: { phone?: string; email?: string }) => ({ contact: maskedContact(f, state.ai.language) });

  switch (flow.stage) {
    case 'offered': {
      const phone = findPhone(trimmed);
      // A bare number answers the offer only while it is the last thing asked: after an AI reply
      // ("did you mean the first or the second?") a "1" belongs to that question.
      const digits = !state.transcript.some((e) => e.from === 'bot' && e.seq > (flow.offeredSeq ?? 0));
      const is = (digit: RegExp, words: RegExp) => (digits && digit.test(trimmed)) || words.test(trimmed);
      let choice: 'message' | 'callback' | 'wait' | undefined = is(DIGIT_MESSAGE, WORDS_MESSAGE)
        ? 'message'
        : is(DIGIT_CALLBACK, WORDS_CALLBACK)
          ? 'callback'
          : is(DIGIT_WAIT, WORDS_WAIT) && flow.reason === 'overflow'
            ? 'wait'
            : undefined;
      if (!choice && phone) choice = 'callback';
      if (!choice) return { consumed: false, state, entries: [] };
      if (choice === 'wait') return cancel();
      if (choice === 'message') return next({ choice, stage: 'message' }, [say(state, 'contact_ask_message')]);
      const callbackPhone = phone ?? flow.phone;
      if (!callbackPhone) return next({ choice, stage: 'phone' }, [say(state, 'contact_ask_phone')]);
      return next({ choice, stage: 'time', phone: callbackPhone }, [say(state, 'contact_ask_time', contactParams({ phone: callbackPhone }))]);
    }
    case 'phone': {
      const phone = findPhone(trimmed);
      if (phone) return next({ stage: 'time', phone }, [say(state, 'contact_ask_time', contactParams({ phone }))]);
      if (CANCEL.test(trimmed) || flow.retries >= MAX_RETRIES) return cancel();
      return next({ retries: flow.retries + 1 }, [say(state, 'contact_bad_contact')]);
    }
    case 'reply_to': {
      const phone = findPhone(trimmed);
      const email = findEmail(trimmed);
      if (phone || email) return next({ stage: 'submit', ...(phone ? { phone } : {}), ...(email ? { email } : {}) }, []);
      if (CANCEL.test(trimmed) || flow.retries >= MAX_RETRIES) return cancel();
      return next({ retries: flow.retries + 1 }, [say(state, 'contact_bad_contact')]);
    }
    case 'time':
      if (CANCEL.test(trimmed)) return cancel();
      return next({ stage: 'submit', time: trimmed.slice(0, MAX_TIME_TEXT) }, []);
    case 'message': {
      if (CANCEL.test(trimmed)) return cancel();
      const phone = flow.phone ?? findPhone(trimmed);
      const email = flow.email ?? findEmail(trimmed);
      const message = trimmed.slice(0, MAX_MESSAGE_TEXT);
      if (!phone && !email) return next({ stage: 'reply_to', message }, [say(state, 'contact_ask_reply_to')]);
      return next({ stage: 'submit', message, ...(phone ? { phone } : {}), ...(email ? { email } : {}) }, []);
    }
    default:
      return { consumed: false, state, entries: [] };
  }
}

export interface ContactTicket {
  kind: 'callback' | 'leave_message';
  subject: string;
  description: string;
  priority: Priority;
}

/** The ticket a submitted flow asks for (its description carries the contact the team needs). */
export function contactTicket(state: ConversationState): ContactTicket | undefined {
  const f = state.contact;
  if (!f || f.stage !== 'submit') return undefined;
  const contact = [f.phone ? `phone ${f.phone}` : '', f.email ? `email ${f.email}` : ''].filter(Boolean).join(', ');
  const why = f.reason === 'overflow' ? 'waited past the wait limit' : 'contacted us outside service hours';
  const summary = state.handover?.summary ? ` Summary: ${state.handover.summary}` : '';
  if (f.choice === 'callback') {
    return {
      kind: 'callback',
      subject: `Callback requested (${f.skill})`,
      description: `Call back ${contact}; preferred time: ${f.time ?? 'any time'}. The customer ${why}.${summary}`,
      priority: f.priority,
    };
  }
  return {
    kind: 'leave_message',
    subject: `Message left for ${f.skill}`,
    description: `Reply to ${contact}. Message: ${f.message ?? ''}. The customer ${why}.${summary}`,
    priority: f.priority,
  };
}

/**
 * The ticket was created (id) or could not be (undefined). A waiting
 * customer who chose a callback or a message leaves the queue: the AI is
 * back for anything else.
 */
export function contactDone(state: ConversationState, ticketId: string | undefined, now: string): ContactStep & { leftQueue: boolean } {
  const f = state.contact;
  if (!f || f.stage !== 'submit') return { consumed: false, state, entries: [], leftQueue: false };
  // Closed while the ticket was being filed: the record keeps the ticket; nobody is left to tell.
  if (state.phase === 'closed') {
    const s: ConversationState = { ...state, contact: { ...f, stage: ticketId === undefined ? 'cancelled' : 'done', ...(ticketId ? { ticketId } : {}) } };
    return { consumed: true, state: s, entries: [], leftQueue: false };
  }
  const queued = state.phase === 'queued';
  if (ticketId === undefined) {
    const s: ConversationState = { ...state, contact: { ...f, stage: 'cancelled' } };
    const notices = [say(s, 'contact_not_registered'), ...(queued ? [say(s, 'contact_keep_waiting')] : [])];
    const r = appendEntries(s, notices, now);
    return { consumed: true, state: r.state, entries: r.entries, leftQueue: false };
  }
  let s: ConversationState = { ...state, contact: { ...f, stage: 'done', ticketId } };
  if (queued) {
    s = { ...s, phase: 'ai', queue: undefined, escalation: undefined, inbox: [], ai: { ...s.ai, offeredHuman: false } };
  }
  const key: TemplateKey = f.choice === 'callback' ? 'contact_done_callback' : 'contact_done_message';
  const r = appendEntries(
    s,
    [say(s, key, { ...{ contact: maskedContact(f, s.ai.language) }, time: f.time ?? (s.ai.language === 'zh' ? '随时' : 'any time'), ticketId, leftQueue: queued ? 'yes' : 'no' })],
    now,
  );
  return { consumed: true, state: r.state, entries: r.entries, leftQueue: queued };
}
