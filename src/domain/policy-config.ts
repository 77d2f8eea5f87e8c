/**
 * Policy thresholds: defaults, validation of overrides, and the mapping from
 * the process configuration. Overrides arrive in the workflow input, so they
 * are validated here (deterministically) rather than trusted.
 */
import type { Config } from '../config';
import type { PolicyConfig, RoutingPolicy } from '../workflows/contract';
import { DEFAULT_ROUTING } from './routing-policy';

const MINUTE = 60_000;

export const DEFAULT_POLICY: PolicyConfig = {
  refundEscalationAmount: 200,
  maxAiTurns: 15,
  maxConsecutiveAiFailures: 3,
  maxLowConfidenceTurns: 3,
  lowConfidenceThreshold: 0.5,
  maxToolFailures: 2,
  idleCloseMs: 30 * MINUTE,
  waitLimitMs: { vip: 1 * MINUTE, enterprise: 5 * MINUTE, regular: 10 * MINUTE },
  agentSilenceMs: 5 * MINUTE,
  maxApologies: 2,
  turnsPerRun: 100,
  toolProgressMs: 1500,
  toolTimeoutMs: 10_000,
  maxVerificationAttempts: 3,
  vipRule: 'after_unresolved',
  routing: DEFAULT_ROUTING,
};

export const VIP_RULES = ['upset', 'immediate', 'after_unresolved'] as const;

/** Thrown for policy overrides that make no sense; the workflow turns it into a non-retryable failure. */
export class InvalidPolicyError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid policy: ${problems.join('; ')}`);
    this.name = 'InvalidPolicyError';
  }
}

const POSITIVE_INTEGER_KEYS = [
  'maxAiTurns',
  'maxConsecutiveAiFailures',
  'maxLowConfidenceTurns',
  'maxToolFailures',
  'idleCloseMs',
  'agentSilenceMs',
  'turnsPerRun',
  'toolProgressMs',
  'toolTimeoutMs',
  'maxVerificationAttempts',
] as const;

/** Merges overrides onto the defaults and checks every value; throws {@link InvalidPolicyError}. */
export function resolvePolicy(overrides: Partial<PolicyConfig> = {}): PolicyConfig {
  const policy: PolicyConfig = {
    ...DEFAULT_POLICY,
    ...overrides,
    waitLimitMs: { ...DEFAULT_POLICY.waitLimitMs, ...(overrides.waitLimitMs ?? {}) },
    routing: { ...DEFAULT_POLICY.routing, ...(overrides.routing ?? {}) },
  };
  const problems: string[] = [];
  for (const key of POSITIVE_INTEGER_KEYS) {
    if (!isPositiveInteger(policy[key])) problems.push(`${key} must be a positive integer (got ${String(policy[key])})`);
  }
  if (!isFiniteNumber(policy.refundEscalationAmount) || policy.refundEscalationAmount < 0) {
    problems.push(`refundEscalationAmount must be a non-negative number`);
  }
  if (!isFiniteNumber(policy.lowConfidenceThreshold) || policy.lowConfidenceThreshold < 0 || policy.lowConfidenceThreshold > 1) {
    problems.push(`lowConfidenceThreshold must be between 0 and 1`);
  }
  if (!Number.isInteger(policy.maxApologies) || policy.maxApologies < 0) {
    problems.push(`maxApologies must be a non-negative integer`);
  }
  for (const [tier, ms] of Object.entries(policy.waitLimitMs)) {
    if (!isPositiveInteger(ms)) problems.push(`waitLimitMs.${tier} must be a positive integer`);
  }
  if (!(VIP_RULES as readonly string[]).includes(policy.vipRule)) problems.push(`vipRule must be one of ${VIP_RULES.join(', ')}`);
  problems.push(...routingProblems(policy.routing));
  if (problems.length > 0) throw new InvalidPolicyError(problems);
  return policy;
}

/** The routing file was validated by the gateway; this only refuses a shape the workflow could not run with. */
function routingProblems(r: RoutingPolicy): string[] {
  const problems: string[] = [];
  if (!Array.isArray(r.skills) || r.skills.length === 0) return ['routing.skills must list at least one skill'];
  const ids = r.skills.map((s) => s?.id);
  if (!ids.includes(r.defaultSkill)) problems.push(`routing.defaultSkill ${String(r.defaultSkill)} is not a skill`);
  if (r.vipSkill !== undefined && !ids.includes(r.vipSkill)) problems.push(`routing.vipSkill ${String(r.vipSkill)} is not a skill`);
  for (const [intent, skill] of Object.entries(r.intentSkills ?? {})) {
    if (!ids.includes(skill as string)) problems.push(`routing.intentSkills.${intent} ${String(skill)} is not a skill`);
  }
  if (!Array.isArray(r.sla?.ladder) || !Array.isArray(r.sla?.repeat)) problems.push('routing.sla needs ladder and repeat');
  if (!isPositiveInteger(r.abandonAfterMs)) problems.push('routing.abandonAfterMs must be a positive integer');
  if (!isPositiveInteger(r.presenceLeaseMs)) problems.push('routing.presenceLeaseMs must be a positive integer');
  return problems;
}

/** The policy the process configuration asks for (env thresholds); the gateway passes it in the workflow input. */
export type PolicyEnv = Pick<
  Config,
  | 'REFUND_ESCALATION_AMOUNT'
  | 'MAX_AI_TURNS'
  | 'IDLE_CLOSE_MINUTES'
  | 'WAIT_LIMIT_MINUTES_VIP'
  | 'WAIT_LIMIT_MINUTES_ENTERPRISE'
  | 'WAIT_LIMIT_MINUTES_REGULAR'
  | 'MAX_UNCLEAR_TURNS'
  | 'TOOL_PROGRESS_MS'
  | 'TOOL_TIMEOUT_MS'
  | 'MAX_VERIFICATION_ATTEMPTS'
  | 'VIP_ESCALATION'
>;

/** `routing`: the routing file's policy when it differs from the built-in one (src/routing/config.ts routingOverride). */
export function policyFromConfig(config: PolicyEnv, routing?: RoutingPolicy): Partial<PolicyConfig> {
  return {
    ...(routing ? { routing } : {}),
    refundEscalationAmount: config.REFUND_ESCALATION_AMOUNT,
    maxAiTurns: config.MAX_AI_TURNS,
    maxLowConfidenceTurns: config.MAX_UNCLEAR_TURNS,
    toolProgressMs: config.TOOL_PROGRESS_MS,
    toolTimeoutMs: config.TOOL_TIMEOUT_MS,
    maxVerificationAttempts: config.MAX_VERIFICATION_ATTEMPTS,
    vipRule: config.VIP_ESCALATION,
    idleCloseMs: config.IDLE_CLOSE_MINUTES * MINUTE,
    waitLimitMs: {
      vip: config.WAIT_LIMIT_MINUTES_VIP * MINUTE,
      enterprise: config.WAIT_LIMIT_MINUTES_ENTERPRISE * MINUTE,
      regular: config.WAIT_LIMIT_MINUTES_REGULAR * MINUTE,
    },
  };
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isPositiveInteger(v: unknown): boolean {
  return isFiniteNumber(v) && Number.isInteger(v) && v > 0;
}
