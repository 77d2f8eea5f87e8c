/**
 * The routing file (`ROUTING_FILE`): skills with their labels and service
 * hours, which topic goes to which queue, the priority rules, the
 * service-level targets and ladder, and the assignment strategy and weights.
 * Read once at start by the gateway, validated (a bad file stops the start
 * with every problem named), merged over the defaults of
 * src/domain/routing-policy.ts, then handed to the conversation workflows
 * (their policy input) and the routing entities (their settings).
 *
 * Skills are whatever this file lists: nothing in code closes the list. The
 * agents file is checked against it, so an agent with a skill nobody routes
 * to is a start-up error, not a queue that silently never moves.
 *
 * @example
 * ```json
 * {
 *   "skills": [
 *     { "id": "general", "label": { "en": "customer service", "zh": "综合客服" } },
 *     { "id": "billing", "label": { "en": "billing", "zh": "账单" },
 *       "hours": { "timeZone": "Asia/Shanghai", "weekly": { "mon": ["09:00-18:00"] }, "holidays": ["2026-10-01"] } }
 *   ],
 *   "defaultSkill": "general",
 *   "intentSkills": { "payment_issue": "billing" },
 *   "assignment": { "strategy": "mixed", "weights": { "skill": 40, "performance": 30, "load": 20, "availability": 10 } }
 * }
 * ```
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { DEFAULT_ROUTING } from '../domain/routing-policy';
import { serviceHoursProblems } from '../domain/service-hours';
import {
  EMOTIONS,
  ESCALATION_REASONS,
  INTENTS,
  PRIORITY_CUES,
  SKILL_ID_PATTERN,
  SLA_STEPS,
  TIERS,
  type RoutingPolicy,
} from '../workflows/contract';
import { STRATEGIES, type AgentSettings, type RouterSettings, type ScoreWeights, type Strategy } from './contract';

const SECOND = 1000;

export const DEFAULT_WEIGHTS: ScoreWeights = { skill: 40, performance: 30, load: 20, availability: 10 };

const labelSchema = z.object({ en: z.string().trim().min(1).max(60), zh: z.string().trim().min(1).max(60) }).strict();
const hoursSchema = z
  .object({
    timeZone: z.string(),
    weekly: z.record(z.string(), z.array(z.string())),
    holidays: z.array(z.string()).optional(),
  })
  .strict()
  .superRefine((hours, ctx) => {
    for (const message of serviceHoursProblems(hours)) ctx.addIssue({ code: 'custom', message });
  });
const skillSchema = z
  .object({
    id: z.string().regex(SKILL_ID_PATTERN, 'lower-case letters, digits, "_" or "-", starting with a letter, at most 32'),
    label: labelSchema,
    hours: hoursSchema.optional(),
  })
  .strict();
const ruleSchema = z
  .object({
    tiers: z.array(z.enum(TIERS)).optional(),
    paying: z.boolean().optional(),
    intents: z.array(z.enum(INTENTS)).optional(),
    reasons: z.array(z.enum(ESCALATION_REASONS)).optional(),
    emotions: z.array(z.enum(EMOTIONS)).optional(),
    cues: z.array(z.enum(PRIORITY_CUES)).optional(),
  })
  .strict();
const seconds = z.number().int().min(0);
const weight = z.number().min(0).max(1000);

const fileSchema = z
  .object({
    $comment: z.string().optional(),
    skills: z.array(skillSchema).min(1).optional(),
    defaultSkill: z.string().optional(),
    vipSkill: z.string().nullable().optional(),
    intentSkills: z.partialRecord(z.enum(INTENTS), z.string()).optional(),
    priorities: z.object({ urgent: ruleSchema.optional(), high: ruleSchema.optional(), low: ruleSchema.optional() }).strict().optional(),
    queueTargetsSeconds: z
      .object({ urgent: seconds.optional(), high: seconds.optional(), normal: seconds.optional(), low: seconds.optional() })
      .strict()
      .optional(),
    serviceLevels: z
      .object({ ladder: z.array(z.array(z.enum(SLA_STEPS)).min(1)).optional(), repeat: z.array(z.enum(SLA_STEPS)).optional() })
      .strict()
      .optional(),
    assignment: z
      .object({
        strategy: z.enum(STRATEGIES).optional(),
        weights: z.object({ skill: weight, performance: weight, load: weight, availability: weight }).strict().optional(),
        awayAfterMissedOffers: z.number().int().min(0).max(100).optional(),
        declineCooldownSeconds: seconds.optional(),
      })
      .strict()
      .optional(),
    complaints: z.enum(['human', 'ticket']).optional(),
  })
  .strict();

export type RoutingFile = z.infer<typeof fileSchema>;

export interface RoutingConfig {
  /** The conversations' routing policy (PolicyConfig.routing). */
  policy: RoutingPolicy;
  router: RouterSettings;
  agent: AgentSettings;
  /** Where it came from (a path, or "built-in defaults"). */
  source: string;
}

export class RoutingConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid routing configuration ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RoutingConfigError';
  }
}

/** The environment variables that shape routing (src/config.ts reads and types them). */
export interface RoutingEnv {
  ROUTING_FILE?: string;
  ROUTING_STRATEGY?: Strategy;
  OFFER_TIMEOUT_SECONDS: number;
  ABANDON_AFTER_SECONDS: number;
  AVERAGE_HANDLE_SECONDS: number;
}

/** Validates parsed JSON and merges it over the defaults; throws {@link RoutingConfigError} naming every problem. */
export function resolveRouting(data: unknown, env: RoutingEnv, source = '<inline>'): RoutingConfig {
  const parsed = fileSchema.safeParse(data ?? {});
  if (!parsed.success) {
    throw new RoutingConfigError(source, parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`));
  }
  const file = parsed.data;
  const d = DEFAULT_ROUTING;
  const skills = file.skills ?? d.skills;
  const ids = new Set(skills.map((s) => s.id));
  const problems: string[] = [];
  if (ids.size !== skills.length) problems.push('skills: two skills share an id');
  const defaultSkill = file.defaultSkill ?? (file.skills ? skills[0].id : d.defaultSkill);
  // A file that lists its own skills and no vipSkill has no VIP desk unless one of them is called "vip".
  const vipSkill = file.vipSkill === null ? undefined : (file.vipSkill ?? (ids.has('vip') ? 'vip' : undefined));
  const intentSkills = file.skills
    ? Object.fromEntries(Object.entries({ ...d.intentSkills, ...file.intentSkills }).filter(([, s]) => ids.has(s as string)))
    : { ...d.intentSkills, ...file.intentSkills };
  if (!ids.has(defaultSkill)) problems.push(`defaultSkill: "${defaultSkill}" is not one of the skills (${[...ids].join(', ')})`);
  if (vipSkill !== undefined && !ids.has(vipSkill)) problems.push(`vipSkill: "${vipSkill}" is not one of the skills (${[...ids].join(', ')})`);
  for (const [intent, skill] of Object.entries(file.intentSkills ?? {})) {
    if (!ids.has(skill as string)) problems.push(`intentSkills.${intent}: "${skill}" is not one of the skills (${[...ids].join(', ')})`);
  }
  const weights = file.assignment?.weights ?? DEFAULT_WEIGHTS;
  if (weights.skill + weights.performance + weights.load + weights.availability <= 0) {
    problems.push('assignment.weights: at least one weight must be above 0');
  }
  if (problems.length > 0) throw new RoutingConfigError(source, problems);

  const targets = file.queueTargetsSeconds ?? {};
  const policy: RoutingPolicy = {
    skills,
    defaultSkill,
    ...(vipSkill !== undefined ? { vipSkill } : {}),
    intentSkills,
    priorities: {
      urgent: file.priorities?.urgent ?? d.priorities.urgent,
      high: file.priorities?.high ?? d.priorities.high,
      low: file.priorities?.low ?? d.priorities.low,
    },
    queueTargetsMs: {
      urgent: (targets.urgent ?? d.queueTargetsMs.urgent / SECOND) * SECOND,
      high: (targets.high ?? d.queueTargetsMs.high / SECOND) * SECOND,
      normal: (targets.normal ?? d.queueTargetsMs.normal / SECOND) * SECOND,
      low: (targets.low ?? d.queueTargetsMs.low / SECOND) * SECOND,
    },
    sla: { ladder: file.serviceLevels?.ladder ?? d.sla.ladder, repeat: file.serviceLevels?.repeat ?? d.sla.repeat },
    abandonAfterMs: env.ABANDON_AFTER_SECONDS * SECOND,
    presenceLeaseMs: d.presenceLeaseMs,
    complaintHandling: file.complaints ?? d.complaintHandling,
  };
  const offerTimeoutMs = env.OFFER_TIMEOUT_SECONDS * SECOND;
  const router: RouterSettings = {
    strategy: env.ROUTING_STRATEGY ?? file.assignment?.strategy ?? 'mixed',
    weights,
    queueTargetsMs: policy.queueTargetsMs,
    defaultHandleMs: env.AVERAGE_HANDLE_SECONDS * SECOND,
    handleSamples: 50,
    offerGraceMs: 30 * SECOND,
    offerTimeoutMs,
    refreshMs: 30 * SECOND,
    declineCooldownMs: (file.assignment?.declineCooldownSeconds ?? 120) * SECOND,
    overdueFraction: 0.25,
  };
  const agent: AgentSettings = {
    offerTimeoutMs,
    reservationTtlMs: 60 * SECOND,
    presenceLeaseMs: 90 * SECOND,
    awayAfterMissedOffers: file.assignment?.awayAfterMissedOffers ?? 2,
    historySize: 50,
  };
  return { policy, router, agent, source };
}

/** The routing configuration from `ROUTING_FILE`, or the defaults when it is unset. */
export function loadRouting(config: RoutingEnv): RoutingConfig {
  const file = config.ROUTING_FILE;
  if (!file) return resolveRouting({}, config, 'built-in defaults');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RoutingConfigError(file, [`cannot read: ${(error as Error).message}`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new RoutingConfigError(file, [`not valid JSON: ${(error as Error).message}`]);
  }
  return resolveRouting(data, config, file);
}

/** The routing policy a conversation's input must carry: nothing when it is the built-in default (the workflow has it). */
export function routingOverride(policy: RoutingPolicy): RoutingPolicy | undefined {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(policy)), JSON.parse(JSON.stringify(DEFAULT_ROUTING))) ? undefined : policy;
}
