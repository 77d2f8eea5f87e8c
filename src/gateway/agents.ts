/**
 * The agent directory: who may use the desk API, with which skills, and who
 * is a supervisor or an operator. Read once from the JSON file named by `AGENTS_FILE`
 * (`config/agents.demo.json` when unset) and validated.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LANGUAGES, SKILLS, type Skill } from '../workflows/contract';
import { ROLES } from './access';

export const DEMO_AGENTS_FILE = path.resolve(__dirname, '../../config/agents.demo.json');

const agentSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", "." or "-", at most 64'),
  name: z.string().min(1).max(100),
  token: z.string().min(16, 'tokens must be at least 16 characters'),
  skills: z.array(z.enum(SKILLS)).min(1),
  maxConcurrent: z.number().int().positive(),
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

export type AgentRecord = z.infer<typeof agentSchema>;
/** An authenticated caller: the record without its token. */
export type Agent = Omit<AgentRecord, 'token'>;

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

  constructor(records: AgentRecord[]) {
    for (const { token, ...agent } of records) {
      const d = digest(token);
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
    return new AgentDirectory(parsed.data);
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

  /** Agents (not supervisors or operators) able to take a conversation of this skill: the divisor of the queue ETA. */
  countWithSkill(skill: Skill): number {
    return this.all().filter((a) => a.role === 'agent' && a.skills.includes(skill)).length;
  }
}
