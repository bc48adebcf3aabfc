/**
 * Scripted callers. A scenario is a list of steps, consumed in order as the call reaches
 * input points: each <Gather> takes a `gather` step, each <Pay> a `pay` step; `hangup`
 * hangs up at the next input point, `hangupDuring: "pay-processing"` hangs up right after
 * the <Pay> action is posted, `pause` makes the caller wait (wall clock) before the next
 * step. While the caller is connected to an operator (`<Dial>` with the Twilio REST stand-in),
 * each agent-assisted payment session takes an `agentPay` step: what the caller keys each time
 * the operator asks for a field. Files are JSON, validated here with messages that name the
 * step and field.
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { defaultTestExpiry, defaultTestSecurityCode, isTestCardName, namedTestCards } from './test-cards.js';

/** DTMF keys: digits, `*`, `#`. */
const keysSchema = z.string().regex(/^[0-9*#]*$/, 'only keypad keys 0-9, * and #');

/**
 * One <Pay> field entry: keypad keys (spaces and dashes are ignored), ended with # unless it
 * has a # or * already; "" = no input (timeout); a "*" anywhere = star.
 */
const payKeysSchema = z
  .string()
  .transform((s) => s.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^[0-9*#]*$/, 'only keypad keys 0-9, * and # (spaces and dashes are ignored)'));
/** One entry, or one per attempt within the same <Pay> (re-prompts take the next). */
const payFieldSchema = z.union([payKeysSchema, z.array(payKeysSchema).min(1)]);

export const gatherStepSchema = z.strictObject({
  /** Keys pressed at a <Gather>, e.g. "73021#"; "" = no input. */
  gather: keysSchema,
});

export const payStepSchema = z.strictObject({
  pay: z.strictObject({
    cardNumber: payFieldSchema.optional(),
    /** MMYY. */
    expiry: payFieldSchema.optional(),
    securityCode: payFieldSchema.optional(),
    postalCode: payFieldSchema.optional(),
    /** Press * at the first field prompt. */
    star: z.literal(true).optional(),
    /** Hang up at the first field prompt that has no entry left (Result=caller-hung-up). */
    hangup: z.literal(true).optional(),
  }),
});

/**
 * One agent-assisted payment session (the operator drives Twilio's Payments API while the caller
 * is connected in a `<Dial>`): each time the operator asks for a field, the next entry for it.
 */
export const agentPayStepSchema = z.strictObject({
  agentPay: z.strictObject({
    cardNumber: payFieldSchema.optional(),
    /** MMYY. */
    expiry: payFieldSchema.optional(),
    securityCode: payFieldSchema.optional(),
    postalCode: payFieldSchema.optional(),
    /** Hang up when the operator asks for a field that has no entry left (Result=caller-hung-up). */
    hangup: z.literal(true).optional(),
  }),
});

export const hangupStepSchema = z.strictObject({ hangup: z.literal('now') });
export const hangupDuringStepSchema = z.strictObject({ hangupDuring: z.literal('pay-processing') });
export const pauseStepSchema = z.strictObject({
  /** Milliseconds the caller waits (wall clock) before the next step. */
  pause: z.number().int().nonnegative().max(600_000),
});

export const scenarioStepSchema = z.union([
  gatherStepSchema,
  payStepSchema,
  agentPayStepSchema,
  hangupStepSchema,
  hangupDuringStepSchema,
  pauseStepSchema,
]);

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number like +15005550001');

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  /** The number dialled; `+81…` makes paycall speak Japanese. */
  to: e164.optional(),
  from: e164.optional(),
  steps: z.array(scenarioStepSchema),
});

export type GatherStep = z.output<typeof gatherStepSchema>;
export type PayStep = z.output<typeof payStepSchema>;
export type PayStepInput = PayStep['pay'];
export type AgentPayStepInput = z.output<typeof agentPayStepSchema>['agentPay'];
export type ScenarioStep = z.output<typeof scenarioStepSchema>;
/** What a scenario file may contain (before normalisation). */
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

const stepSchemas: Record<string, z.ZodType> = {
  gather: gatherStepSchema,
  pay: payStepSchema,
  agentPay: agentPayStepSchema,
  hangup: hangupStepSchema,
  hangupDuring: hangupDuringStepSchema,
  pause: pauseStepSchema,
};

/**
 * Validate a scenario. Steps are checked by their key, so an error names the step
 * (`steps[2].pay.expiry: …`) instead of listing every alternative.
 */
export function parseScenario(value: unknown, source = 'scenario'): Scenario {
  const problems: string[] = [];
  if (value && typeof value === 'object' && Array.isArray((value as { steps?: unknown }).steps)) {
    ((value as { steps: unknown[] }).steps).forEach((step, i) => {
      const keys = step && typeof step === 'object' && !Array.isArray(step) ? Object.keys(step) : [];
      const kind = keys.find((k) => k in stepSchemas);
      if (!kind || keys.length !== 1) {
        problems.push(
          `steps[${i}]: expected exactly one of ${Object.keys(stepSchemas).map((k) => `"${k}"`).join(', ')}; got ${JSON.stringify(step)}`,
        );
        return;
      }
      const r = stepSchemas[kind]!.safeParse(step);
      if (!r.success) problems.push(...formatIssues(r.error, `steps[${i}]`));
    });
  }
  if (problems.length === 0) {
    const r = scenarioSchema.safeParse(value);
    if (r.success) return r.data;
    problems.push(...formatIssues(r.error, ''));
  }
  throw new ScenarioError(`${source} is not a valid scenario:\n  - ${problems.join('\n  - ')}`);
}

function formatIssues(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((issue) => {
    const where = [prefix, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))]
      .join('')
      .replace(/^\./, '');
    return `${where || '(root)'}: ${issue.message}`;
  });
}

export async function loadScenario(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ScenarioError(`cannot read scenario ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(`${file} is not JSON: ${(err as Error).message}`);
  }
  return parseScenario(json, file);
}

/**
 * `agent:pay=SPEC` → an agentPay step. SPEC is a test card name (`visa`) or
 * `CARD/MMYY/CVC[/POSTAL]`, where each part lists one entry per time the operator asks for that
 * field, separated by `|` (`4242424242424241|visa`: a mistyped number, then Stripe's visa); an
 * empty entry is silence (input-timeout); a card name may stand for the number (its expiry and
 * CVC then default); `hangup` hangs up when that field is asked for.
 */
function agentPaySpecToStep(spec: string, where: string): ScenarioStep {
  const parts = spec.split('/');
  const names: (keyof typeof fieldKeys)[] = ['card', 'expiry', 'cvc', 'postal'];
  const pay: Record<string, string | string[] | true> = {};
  let lastNamed: string | undefined;
  let hangup = false;
  for (const [i, part] of parts.entries()) {
    const name = names[i];
    if (!name) throw new ScenarioError(`${where}: expected agent:pay=NAME or agent:pay=CARD/MMYY/CVC[/POSTAL]`);
    const entries: string[] = [];
    for (const alternative of part.split('|')) {
      if (alternative === 'hangup') {
        hangup = true;
        break;
      }
      if (name === 'card' && isTestCardName(alternative)) {
        lastNamed = alternative;
        entries.push(namedTestCards[alternative]);
      } else entries.push(alternative);
    }
    if (entries.length > 0) pay[fieldKeys[name]] = entries.length === 1 ? entries[0]! : entries;
    if (hangup) break;
  }
  if (lastNamed && !hangup) {
    const named = lastNamed as keyof typeof namedTestCards;
    pay.expiry ??= defaultTestExpiry;
    pay.securityCode ??= defaultTestSecurityCode(named);
  }
  if (hangup) pay.hangup = true;
  return parseScenario({ name: 'keys', steps: [{ agentPay: pay }] }, where).steps[0]!;
}

const fieldKeys = { card: 'cardNumber', expiry: 'expiry', cvc: 'securityCode', postal: 'postalCode' } as const;

/**
 * `--keys` → steps. Comma-separated, one entry per input point: keypad keys for a <Gather>
 * ("" = no input), `pay=CARD/MMYY/CVC[/POSTAL]` or `pay=*` for a <Pay>, `agent:pay=…` for an
 * agent-assisted payment session while connected to an operator, `hangup`, and
 * `hangup-during-pay` (hang up right after the <Pay> action is posted).
 */
export function keysToSteps(keys: string): ScenarioStep[] {
  return keys.split(',').map((raw, i): ScenarioStep => {
    const entry = raw.trim();
    if (entry.startsWith('agent:pay=')) return agentPaySpecToStep(entry.slice('agent:pay='.length), `--keys entry ${i + 1} "${entry}"`);
    if (entry === 'hangup') return { hangup: 'now' };
    if (entry === 'hangup-during-pay') return { hangupDuring: 'pay-processing' };
    if (entry.startsWith('pay=')) {
      const spec = entry.slice(4);
      if (spec === '*') return { pay: { star: true } };
      const [card, expiryGiven, securityCodeGiven, postalCode] = spec.split('/');
      if (!card) throw new ScenarioError(`--keys entry ${i + 1} "${entry}": expected pay=CARD/MMYY/CVC[/POSTAL], pay=<test card name> or pay=*`);
      // `pay=visa`, `pay=declined`, …: a named Stripe test card with a valid expiry and CVC.
      const named = isTestCardName(card) ? card : undefined;
      const cardNumber = named ? namedTestCards[named] : card;
      const expiry = expiryGiven ?? (named ? defaultTestExpiry : undefined);
      const securityCode = securityCodeGiven ?? (named ? defaultTestSecurityCode(named) : undefined);
      const pay: Record<string, string> = { cardNumber };
      if (expiry !== undefined) pay.expiry = expiry;
      if (securityCode !== undefined) pay.securityCode = securityCode;
      if (postalCode !== undefined) pay.postalCode = postalCode;
      return parseScenario({ name: 'keys', steps: [{ pay }] }, `--keys entry ${i + 1}`).steps[0]!;
    }
    if (!/^[0-9*#]*$/.test(entry)) {
      throw new ScenarioError(
        `--keys entry ${i + 1} "${entry}": expected keypad keys (0-9 * #), pay=CARD/MMYY/CVC[/POSTAL], pay=<test card name> (${Object.keys(namedTestCards).join(', ')}), pay=*, agent:pay=…, hangup or hangup-during-pay`,
      );
    }
    return { gather: entry };
  });
}

/** A scenario mix for load mode: which scenarios, in what proportion. */
export const scenarioMixSchema = z
  .array(z.strictObject({ scenario: z.string().min(1), weight: z.number().positive().default(1) }))
  .min(1);

export interface WeightedScenario {
  scenario: Scenario;
  weight: number;
  file?: string;
}

/**
 * Load a mix file: `[{ "scenario": "scenarios/x.json", "weight": 3 }, …]`. Scenario paths are
 * resolved against the current directory when that file exists, else against the mix file's
 * directory.
 */
export async function loadScenarioMix(file: string, cwd = process.cwd()): Promise<WeightedScenario[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ScenarioError(`cannot read scenario mix ${file}: ${(err as Error).message}`);
  }
  const r = scenarioMixSchema.safeParse(json);
  if (!r.success) {
    throw new ScenarioError(`${file} is not a valid scenario mix:\n  - ${formatIssues(r.error, '').join('\n  - ')}`);
  }
  const out: WeightedScenario[] = [];
  for (const entry of r.data) {
    const fromCwd = path.resolve(cwd, entry.scenario);
    const fromMix = path.resolve(path.dirname(file), entry.scenario);
    const chosen = (await exists(fromCwd)) ? fromCwd : fromMix;
    out.push({ scenario: await loadScenario(chosen), weight: entry.weight, file: chosen });
  }
  return out;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
