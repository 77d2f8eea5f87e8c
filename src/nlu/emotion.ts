/**
 * Emotion from lexical cues, English and Chinese. The escalation policy acts
 * on 'angry' (strong negative emotion), so that label needs a strong cue:
 * profanity, threats, explicit anger, or a negative word shouted (capitals,
 * "!!!"). Plain dissatisfaction is 'negative'.
 */
import type { Emotion } from '../workflows/contract';

const PROFANITY_EN =
  /\b(?:fuck\w*|f\*+k\w*|wtf|shit\w*|bullshit|crap|damn\w*|goddamn\w*|bastards?|assholes?|piss(?:ed)?|idiots?|stupid|morons?|sucks?)\b/i;
const PROFANITY_ZH = /他妈|妈的|操你|卧槽|我靠|傻逼|傻b|垃圾(?!桶|袋|处理|分类)|滚蛋|滚开|去死|混蛋|王八蛋|狗屎|坑爹|骗子|什么破/i;

const ANGRY_EN =
  /\b(?:furious|outraged|livid|angry|mad at|infuriat\w*|fed up|sick of|unacceptable|ridiculous|outrageous|disgusting|scam\w*|fraud\w*|rip ?off|ripped off|lawyer|sue you|lawsuit|report you|never (?:buy|order|shop)\w* (?:from|with|here) (?:you|again)|worst \w+ ever|hate (?:you|this|your))\b/i;
const ANGRY_ZH = /气死|生气|愤怒|火大|太过分|欺负人|忍无可忍|受够了|骗钱|诈骗|投诉到底|告你们|消协|曝光你们|恶心|无法接受|岂有此理|什么玩意/;

const NEGATIVE_EN =
  /\b(?:disappoint\w*|unhappy|frustrat\w*|annoy\w*|upset|terrible|awful|horrible|worst|bad|poor|useless|unhelpful|waste|sad|worried|confus\w*|not (?:happy|satisfied|pleased|good|great|ok|okay|working)|dissatisfied|complain\w*|still (?:waiting|not|haven'?t)|broken|damaged|wrong|late|never (?:arrived|came|received)|no one|nobody)\b/i;
const NEGATIVE_ZH = /失望|不满|不开心|不高兴|郁闷|无语|糟糕|太差|很差|差劲|(?<!麻)烦|着急|急死|担心|难受|坑|慢死|怎么还|还没|一直没|坏了|破损|错了|没人|不靠谱|不负责/;

const POSITIVE_EN =
  /\b(?:thanks?|thank you|thx|ty|great|awesome|amazing|perfect|excellent|love|lovely|appreciate\w*|wonderful|fantastic|helpful|happy|pleased|satisfied|glad|good job|well done|nice|cool)\b/i;
const POSITIVE_ZH = /谢谢|感谢|多谢|太好了|很好|真好|不错|满意|喜欢|开心|高兴|棒|赞|给力|辛苦了|好评/;

/** Negated praise is not praise: "not great", "not happy", "不满意". */
const NEGATED_POSITIVE = /\b(?:not|never|isn'?t|wasn'?t|no longer)\s+(?:very\s+)?(?:great|happy|pleased|satisfied|helpful|good|nice)\b|不满意|不喜欢|不开心|不高兴/i;

/** A shouted message: at least two words and eight letters, all capitals. */
function isShouting(text: string): boolean {
  const letters = text.match(/[a-z]/gi) ?? [];
  if (letters.length < 8) return false;
  const words = text.match(/[a-z]{2,}/gi) ?? [];
  return words.length >= 2 && letters.every((ch) => ch === ch.toUpperCase());
}

function hasEmphasis(text: string): boolean {
  return /[!?]{3,}|!!/.test(text);
}

/**
 * The message's emotion.
 *
 * @example detectEmotion('WHERE IS MY ORDER!!!') === 'angry'
 * @example detectEmotion('谢谢你的帮助') === 'positive'
 */
export function detectEmotion(text: string): Emotion {
  if (PROFANITY_EN.test(text) || PROFANITY_ZH.test(text) || ANGRY_EN.test(text) || ANGRY_ZH.test(text)) {
    return 'angry';
  }
  const shouting = isShouting(text);
  const emphasis = hasEmphasis(text);
  const negated = NEGATED_POSITIVE.test(text);
  const negative = negated || NEGATIVE_EN.test(text) || NEGATIVE_ZH.test(text);
  const positive = !negated && (POSITIVE_EN.test(text) || POSITIVE_ZH.test(text));

  if (negative && (shouting || emphasis)) return 'angry';
  if (shouting && emphasis && !positive) return 'angry';
  if (negative) return 'negative';
  if (positive) return 'positive';
  return shouting ? 'negative' : 'neutral';
}
