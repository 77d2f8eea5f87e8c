/**
 * `npm run bench:classify` — accuracy and latency of the understanding layers.
 *
 * Held-out sets (never trained on):
 *   - bitext-val: the ~20% hash split of data/bitext (train.csv rows whose text
 *     hashes into the validation bucket); measured with a model trained here on
 *     the other 80% plus the project's own rows, since the shipped model saw all.
 *   - heldout-{en,zh}-dev, heldout-en-dev2: hand-written, differently worded;
 *     their errors were read while tuning rules, features and training data.
 *   - heldout-{en,zh}-final, heldout-en-final2/3/4, heldout-zh-final2: hand-written, never used for
 *     tuning; only their totals are printed.
 * The hand-written sets run through the full local pipeline (rules, then the
 * shipped model), no LLM. Flags: --no-train skips the bitext-val model,
 * --errors lists the dev sets' mistakes, --dev-only leaves the final sets out.
 */
import { join } from 'node:path';
import { trainBayes } from '../src/nlu/bayes';
import { IntentModel, trainNetwork, trainingVocabulary } from '../src/nlu/model';
import { matchRules } from '../src/nlu/rules';
import { createUnderstander } from '../src/nlu/understander';
import { matchForm, normalize } from '../src/nlu/normalize';
import { detectLanguage } from '../src/nlu/language';
import { REPO_ROOT, isValidationRow, readBitext, readJsonl, readOwnTraining, type LabeledText } from '../src/nlu/training-data';
import type { NluLayer } from '../src/workflows/contract';
import { restyle } from './restyle';
import { DIALOGUES } from '../test/dialogues/cases';
import { runDialogue } from '../test/dialogues/run';

const HELD_OUT = ['heldout-en-dev', 'heldout-en-dev2', 'heldout-zh-dev', 'heldout-en-final', 'heldout-en-final2', 'heldout-en-final3', 'heldout-en-final4', 'heldout-zh-final', 'heldout-zh-final2'] as const;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function fmtMs(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`;
}

function pct(n: number, d: number): string {
  return d === 0 ? '  n/a' : `${((100 * n) / d).toFixed(1).padStart(5)}%`;
}

interface Outcome {
  row: LabeledText;
  intent: string;
  confidence: number;
  layer: NluLayer;
  ms: number;
}

async function evaluate(name: string, rows: LabeledText[], classify: (text: string) => Promise<{ intent: string; confidence: number; layer: NluLayer }>): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const row of rows) {
    const t0 = performance.now();
    const r = await classify(row.text);
    outcomes.push({ row, ...r, ms: performance.now() - t0 });
  }
  const ok = outcomes.filter((o) => o.intent === o.row.intent).length;
  console.log(`\n## ${name}: ${pct(ok, rows.length)} (${ok}/${rows.length})`);
  for (const layer of ['rule', 'model', 'llm'] as const) {
    const of = outcomes.filter((o) => o.layer === layer);
    if (of.length === 0) continue;
    const right = of.filter((o) => o.intent === o.row.intent).length;
    console.log(`   layer ${layer.padEnd(5)} decided ${pct(of.length, rows.length)} of messages, right on ${pct(right, of.length)}`);
  }
  const perIntent = new Map<string, { n: number; ok: number }>();
  for (const o of outcomes) {
    const s = perIntent.get(o.row.intent) ?? { n: 0, ok: 0 };
    s.n++;
    if (o.intent === o.row.intent) s.ok++;
    perIntent.set(o.row.intent, s);
  }
  const weak = [...perIntent].filter(([, s]) => s.ok < s.n).sort((a, b) => a[1].ok / a[1].n - b[1].ok / b[1].n);
  // Final sets: totals only, so nothing about their misses can steer tuning.
  if (weak.length > 0 && !name.includes('-final')) console.log(`   intents with misses (right/total): ${weak.map(([i, s]) => `${i} ${s.ok}/${s.n}`).join(', ')}`);
  // Which intents steal the misses: where rules, features or data are thin.
  const confusions = new Map<string, number>();
  for (const o of outcomes) if (o.intent !== o.row.intent) confusions.set(`${o.row.intent}→${o.intent}`, (confusions.get(`${o.row.intent}→${o.intent}`) ?? 0) + 1);
  const top = [...confusions].sort((a, b) => b[1] - a[1]).slice(0, 8);
  if (top.length > 0 && !name.includes('-final')) console.log(`   top confusions: ${top.map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  // Only the dev sets' errors are ever printed: the final sets stay unseen so they keep measuring generalization.
  if (process.argv.includes('--errors') && name.includes('-dev')) {
    for (const o of outcomes.filter((x) => x.intent !== x.row.intent)) {
      console.log(`   ✗ ${o.row.intent} → ${o.intent} (${o.layer} ${o.confidence.toFixed(2)}): ${o.row.text}`);
    }
  }
  return outcomes;
}

function confidenceBands(outcomes: Outcome[]): void {
  const bands = [0, 0.2, 0.35, 0.5, 0.65, 0.8, 1.01];
  const model = outcomes.filter((o) => o.layer === 'model');
  console.log('\n## model-layer accuracy by confidence (all hand-written sets; picks the LLM threshold)');
  for (let i = 0; i + 1 < bands.length; i++) {
    const inBand = model.filter((o) => o.confidence >= bands[i]! && o.confidence < bands[i + 1]!);
    const right = inBand.filter((o) => o.intent === o.row.intent).length;
    console.log(`   [${bands[i]!.toFixed(2)}, ${Math.min(1, bands[i + 1]!).toFixed(2)}): ${String(inBand.length).padStart(4)} messages, right ${pct(right, inBand.length)}`);
  }
}

/**
 * Accuracy per intent over every hand-written held-out set (the final sets
 * included: this is the figure to report, not a list of misses to tune on).
 */
function perIntentTable(outcomes: Outcome[]): void {
  const rows = new Map<string, { n: number; ok: number; stolen: Map<string, number> }>();
  for (const o of outcomes) {
    const r = rows.get(o.row.intent) ?? { n: 0, ok: 0, stolen: new Map() };
    r.n++;
    if (o.intent === o.row.intent) r.ok++;
    else r.stolen.set(o.intent, (r.stolen.get(o.intent) ?? 0) + 1);
    rows.set(o.row.intent, r);
  }
  console.log('\n## per intent, all hand-written held-out sets (right/total, most frequent wrong answer)');
  for (const [intent, r] of [...rows].sort((a, b) => a[1].ok / a[1].n - b[1].ok / b[1].n || a[0].localeCompare(b[0]))) {
    const worst = [...r.stolen].sort((a, b) => b[1] - a[1])[0];
    console.log(`   ${intent.padEnd(26)} ${pct(r.ok, r.n)} (${String(r.ok).padStart(3)}/${String(r.n).padEnd(3)})${worst ? `  → ${worst[0]} ×${worst[1]}` : ''}`);
  }
}

/**
 * The dialogue table (test/dialogues/cases.ts) through NLU + policy + the
 * sample backend: how many turns the customer got "I didn't quite catch
 * that" (goal under 5%), and how many a clarifying question. Dialogues that
 * are gibberish on purpose (the three-unclear-turns cases) are counted apart.
 */
async function dialogueTable(): Promise<void> {
  let turns = 0;
  let notUnderstood = 0;
  let clarifying = 0;
  let deliberate = 0;
  for (const d of DIALOGUES) {
    const run = await runDialogue(d.who, d.lang, d.turns);
    const onPurpose = d.escalate === 'low_confidence';
    for (const t of run.turns) {
      if (onPurpose) {
        deliberate++;
        continue;
      }
      turns++;
      if (t.templates.includes('not_understood')) notUnderstood++;
      if (t.templates.some((x) => x === 'clarify' || x === 'clarify_order')) clarifying++;
    }
  }
  console.log(`\n## dialogue table: ${DIALOGUES.length} dialogues, ${turns} customer turns (+${deliberate} deliberately unclear, not counted)`);
  console.log(`   answered "didn't catch that": ${notUnderstood} of ${turns} turns (${pct(notUnderstood, turns).trim()}; goal < 5%)`);
  console.log(`   answered with a clarifying question: ${clarifying} of ${turns} turns (${pct(clarifying, turns).trim()})`);
}

async function main(): Promise<void> {
  let t0 = performance.now();
  const shipped = IntentModel.load();
  const loadMs = performance.now() - t0;
  console.log(`# classify benchmark\nshipped model: load ${loadMs.toFixed(0)} ms, ${shipped.file.network.features?.length ?? 0} features, trained on ${shipped.file.trainedRows} rows`);

  const understander = createUnderstander({ model: shipped });
  // Warm up the JIT and the stemmer before timing.
  for (let i = 0; i < 200; i++) await understander.classify(i % 2 ? 'where is my order' : '我的订单到哪了');

  const all: Outcome[] = [];
  // --dev-only: while tuning, don't even look at the final sets' scores.
  const sets = process.argv.includes('--dev-only') ? HELD_OUT.filter((n) => n.includes('-dev')) : HELD_OUT;
  for (const name of sets) {
    const rows = readJsonl(join(REPO_ROOT, 'data/nlu', `${name}.jsonl`));
    all.push(...(await evaluate(name, rows, (text) => understander.classify(text, { useLlm: false }))));
  }
  const en = all.filter((o) => detectLanguage(o.row.text) === 'en');
  const zh = all.filter((o) => detectLanguage(o.row.text) === 'zh');
  const acc = (xs: Outcome[]): string => pct(xs.filter((o) => o.intent === o.row.intent).length, xs.length);
  console.log(`\n## all hand-written held-out: ${acc(all)} of ${all.length} (en ${acc(en)} of ${en.length}, zh ${acc(zh)} of ${zh.length})`);
  confidenceBands(all);
  perIntentTable(all);
  await dialogueTable();

  // Latency per layer, on every hand-written message: the rule layer alone, the model alone, the whole local pipeline.
  const texts = all.map((o) => o.row.text);
  const ruleMs: number[] = [];
  const modelMs: number[] = [];
  for (const text of texts) {
    const m = matchForm(normalize(text));
    const lang = detectLanguage(m);
    let t = performance.now();
    matchRules(m, lang);
    ruleMs.push(performance.now() - t);
    t = performance.now();
    shipped.rank(text);
    modelMs.push(performance.now() - t);
  }
  const pipelineMs = all.map((o) => o.ms);
  console.log('\n## latency (per message, no LLM)');
  for (const [label, xs] of [
    ['normalize+rules', ruleMs],
    ['model (features+network)', modelMs],
    ['full classify()', pipelineMs],
  ] as const) {
    const sorted = [...xs].sort((a, b) => a - b);
    console.log(`   ${label.padEnd(26)} p50 ${fmtMs(percentile(sorted, 50)).padStart(9)}   p99 ${fmtMs(percentile(sorted, 99)).padStart(9)}`);
  }

  if (!process.argv.includes('--no-train')) {
    t0 = performance.now();
    const bitext = readBitext();
    const own = readOwnTraining();
    const train = bitext.filter((r) => !isValidationRow(r.text));
    const val = bitext.filter((r) => isValidationRow(r.text));
    const model = IntentModel.fromNetwork(trainNetwork(train, own), trainingVocabulary([...train, ...own]), 'split', train.length + own.length, trainBayes(train, own));
    const trainS = (performance.now() - t0) / 1000;
    console.log(`\nvalidation model: trained on ${train.length} bitext + ${own.length} own rows in ${trainS.toFixed(1)} s`);
    const splitUnderstander = createUnderstander({ model });
    await evaluate('bitext-val (model only)', val, async (text) => ({ ...model.rank(text)[0]!, layer: 'model' as const }));
    await evaluate('bitext-val (rules + model)', val, (text) => splitUnderstander.classify(text, { useLlm: false }));
    await evaluate('bitext-val restyled placeholders (rules + model)', restyle(val), (text) => splitUnderstander.classify(text, { useLlm: false }));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
