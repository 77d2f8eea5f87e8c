/**
 * Explicit requests for a human. These escalate immediately, so the patterns
 * require request wording: "the agent was rude" is a complaint, not a request.
 */

const HUMAN_EN: readonly RegExp[] = [
  /\b(?:real|actual|live|human|living) (?:person|people|human|agent|rep|representative|operator|being|someone)\b/,
  /\bhuman agent\b|\bhuman being\b|\b(?:a|to a|with a|some) human\b/,
  /\bnot (?:a|an|this|your) (?:bot|robot|machine|ai|automated)\b|\b(?:stop|no more) (?:the )?(?:bot|robot)\b/,
  /\b(?:talk|speak|chat) (?:to|with) (?:a |an |your |some |the )?(?:someone|somebody|person|human|agent|representative|rep|operator|staff|employee|manager|supervisor|people)\b/,
  /\b(?:transfer|connect|put) me (?:through )?(?:to|with)\b/,
  /\b(?:get|give|find) me (?:a |an |your )?(?:person|human|agent|representative|rep|operator|someone|somebody|manager|supervisor)\b/,
  /\b(?:want|need|request|requesting|like) (?:to (?:talk|speak) to )?(?:a |an )?(?:live |human |real )?(?:agent|representative|operator|person|human)\b/,
  /\b(?:contact|reach|call) (?:a |an )?(?:live |real |human )?(?:person|human|agent|representative|operator)\b/,
  /^(?:an? |the )?(?:live |human |real )?(?:agent|human|operator|representative|rep|person)[\s,.!?]*(?:please|pls|plz|now)?[\s.!?]*$/,
];

const HUMAN_ZH: readonly RegExp[] = [
  // The longest form first: "找人工客服" is one request, not "找人工" and a "客服" left over for the topic.
  /(?:转接|转|找|接|要)人工(?:客服|服务|坐席|台)?|人工(?:客服|服务|坐席|台)/,
  /^人工[\s!！.。?？呢吧啊]*$/,
  /(?:要|找|转|跟|和|与|让|换|接|给我)[^,.!?]{0,4}(?:真人|活人|真的人|客服人员)|真人客服|真人服务|人工来/,
  /(?:不要|别|不想跟|不想和)(?:用|让)?机器人/,
];

/**
 * True when the lower-cased, normalized text explicitly asks for a human.
 *
 * @example isHumanRequest('let me talk to a real person') === true
 * @example isHumanRequest('转人工') === true
 */
export function isHumanRequest(text: string): boolean {
  return HUMAN_EN.some((re) => re.test(text)) || HUMAN_ZH.some((re) => re.test(text));
}

/**
 * The text with its request for a human taken out ("my card was charged
 * twice, I want a real person" → "my card was charged twice"), so what the
 * message is about can still be classified.
 */
export function withoutHumanRequest(text: string): string {
  let rest = text;
  for (const re of [...HUMAN_EN, ...HUMAN_ZH]) {
    rest = rest.replace(new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`), ' ');
  }
  return rest.replace(/\s+/g, ' ').replace(/^[\s,.!?，。！？、]+|[\s,.!?，。！？、]+$/gu, '').trim();
}
