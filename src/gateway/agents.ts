/**
 * The agent directory: who may use the desk API, with which skills (and how
 * well), in which languages, and who is a supervisor or an operator (what
 * each role may do: ./access.ts). Read once from the JSON file named by
 * `AGENTS_FILE` (`config/agents.demo.json` when unset) and validated; the
 * skills must be ones the routing configuration defines
 * ({@link AgentDirectory.assertSkills}).
 *
 * A skill is `"refunds"` (level 3) or `{ "skill": "refunds", "level": 5 }`
 * (1 = new … 5 = expert: the router's skill score).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { AgentProfile, AgentSkill } from '../routing/contract';
import { LANGUAGES, SKILL_ID_PATTERN, type Language, type Skill } from '../workflows/contract';
import { ROLES } from './access';

export const DEMO_AGENTS_FILE = path.resolve(__dirname, '../../config/agents.demo.json');
const DEFAULT_LEVEL = 3;

const skillId = z.string().regex(SKILL_ID_PATTERN, 'a skill id: lower-case letters, digits, "_" or "-", starting with a letter');
const skillEntry = z.union([skillId, z.object({ skill: skillId, level: z.number().int().min(1).max(5) }).strict()]);

const agentSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", "." or "-", at most 64'),
  name: z.string().min(1).max(100),
  token: z.string().min(16, 'tokens must be at least 16 characters'),
  skills: z.array(skillEntry).min(1),
  /** Languages the agent serves customers in (the router's skill score halves without the customer's). */
  languages: z.array(z.enum(LANGUAGES)).min(1).default([...LANGUAGES]),
  maxConcurrent: z.number().int().positive().max(100),
  /** What the caller may read and do: see ./access.ts. */
  role: z.enum(ROLES).default('agent'),
  /** Language the agent reads handovers in; unset = the conversation's. */
  language: z.enum(LANGUAGES).optional(),
});

const fileSchema = z
  .array(agentSchema)
  .min(1)
  .superRefine((agents, ctx) => {
    const ids = new Set<string>();
    const tokens = new Set<string>();
    agents.forEach((agent, i) => {
      if (ids.has(agent.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate id ${agent.id}` });
      if (tokens.has(agent.token)) ctx.addIssue({ code: 'custom', path: [i, 'token'], message: 'duplicate token' });
      ids.add(agent.id);
      tokens.add(agent.token);
    });
  });

type AgentRecord = z.infer<typeof agentSchema>;

/** An authenticated caller: the directory entry without its token. */
export interface Agent {
  id: string;
  name: string;
  role: AgentProfile['role'];
  /** Skill ids, for "may this agent take that queue". */
  skills: Skill[];
  /** Skills with levels, for the router's skill score. */
  skillLevels: AgentSkill[];
  languages: Language[];
  maxConcurrent: number;
  /** Language the agent reads handovers in; unset = the conversation's. */
  language?: Language;
}

function toAgent(record: AgentRecord): Agent {
  const skillLevels = record.skills.map((s) => (typeof s === 'string' ? { skill: s, level: DEFAULT_LEVEL } : s));
  return {
    id: record.id,
    name: record.name,
    role: record.role,
    skills: skillLevels.map((s) => s.skill),
    skillLevels,
    languages: record.languages,
    maxConcurrent: record.maxConcurrent,
    ...(record.language ? { language: record.language } : {}),
  };
}

/** The agent entity's profile for a directory entry. */
export function profileOf(agent: Agent): AgentProfile {
  return { id: agent.id, name: agent.name, role: agent.role, skills: agent.skillLevels, languages: agent.languages, maxConcurrent: agent.maxConcurrent };
}

export class AgentDirectoryError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid agents file ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'AgentDirectoryError';
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export class AgentDirectory {
  private readonly byDigest = new Map<string, { digest: Buffer; agent: Agent }>();
  private readonly byId = new Map<string, Agent>();

  private constructor(
    records: AgentRecord[],
    readonly source: string,
  ) {
    for (const record of records) {
      const agent = toAgent(record);
      const d = digest(record.token);
      this.byDigest.set(d.toString('hex'), { digest: d, agent });
      this.byId.set(agent.id, agent);
    }
  }

  /** Validates raw JSON (already parsed) into a directory. */
  static fromJson(data: unknown, source = '<inline>'): AgentDirectory {
    const parsed = fileSchema.safeParse(data);
    if (!parsed.success) {
      throw new AgentDirectoryError(
        source,
        parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`),
      );
    }
    return new AgentDirectory(parsed.data, source);
  }

  static fromFile(file: string): AgentDirectory {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new AgentDirectoryError(file, [`cannot read: ${(error as Error).message}`]);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new AgentDirectoryError(file, [`not valid JSON: ${(error as Error).message}`]);
    }
    return AgentDirectory.fromJson(data, file);
  }

  /**
   * The agent holding this token. Looked up by SHA-256 digest, then compared
   * in constant time, so response timing says nothing about near-miss tokens.
   */
  authenticate(token: string | undefined): Agent | undefined {
    if (!token || token.length > 1024) return undefined;
    const d = digest(token);
    const hit = this.byDigest.get(d.toString('hex'));
    return hit && timingSafeEqual(hit.digest, d) ? hit.agent : undefined;
  }

  get(id: string): Agent | undefined {
    return this.byId.get(id);
  }

  all(): Agent[] {
    return [...this.byId.values()];
  }

  /**
   * Every skill an agent lists must be a skill the routing configuration
   * defines: an agent in a queue nobody routes to is a mistake to stop at.
   */
  assertSkills(skills: readonly Skill[], routingSource: string): void {
    const known = new Set(skills);
    const problems = this.all().flatMap((agent) =>
      agent.skills
        .filter((s) => !known.has(s))
        .map((s) => `${agent.id}: skill "${s}" is not defined in the routing configuration (${routingSource}: ${[...known].join(', ')})`),
    );
    if (problems.length > 0) throw new AgentDirectoryError(this.source, problems);
  }
}
