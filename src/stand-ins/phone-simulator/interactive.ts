/**
 * A person at the terminal: prints what the caller hears, and reads keypad input per
 * <Gather> and per <Pay> field. Enter alone = no input (the timeout), `h` = hang up.
 */
import { createInterface, type Interface } from 'node:readline';
import type {
  AgentCapturePrompt,
  Caller,
  DialConnectedReply,
  GatherPrompt,
  GatherReply,
  PayBeginReply,
  PayFieldPrompt,
  PayFieldReply,
} from './caller.js';
import { formatEntry, payFieldLabel } from './format.js';
import type { TranscriptEntry } from './record.js';

export interface InteractiveCallerOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

export class InteractiveCaller implements Caller {
  private readonly rl: Interface;
  private readonly output: NodeJS.WritableStream;
  private closed = false;
  private readonly lines: string[] = [];
  private waiting: ((line: string | undefined) => void) | undefined;

  constructor(options: InteractiveCallerOptions = {}) {
    this.output = options.output ?? process.stdout;
    this.rl = createInterface({ input: options.input ?? process.stdin, output: this.output, terminal: false });
    this.rl.on('line', (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(line);
      } else this.lines.push(line);
    });
    this.rl.on('close', () => {
      this.closed = true;
      this.waiting?.(undefined);
      this.waiting = undefined;
    });
    this.print('Interactive call. Type keypad keys and Enter; Enter alone = no input; h = hang up.');
  }

  private print(line: string): void {
    this.output.write(`${line}\n`);
  }

  private ask(question: string): Promise<string | undefined> {
    this.output.write(question);
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  onTranscript(entry: TranscriptEntry): void {
    // What was typed is on screen already; print what the caller hears, what happens, and why input was refused.
    if (entry.verb === 'Pay' && entry.event === 'input' && entry.input === 'keys') {
      if (entry.errorType) this.print(`  ✗ ${entry.errorType} (${entry.detail ?? ''})`);
      return;
    }
    if ((entry.verb === 'Gather' || (entry.verb === 'Pay' && entry.event === 'input')) && entry.input !== 'no-input') return;
    const line = formatEntry(entry);
    if (line) this.print(line);
  }

  async gather(prompt: GatherPrompt): Promise<GatherReply> {
    const limits = [
      prompt.numDigits ? `${prompt.numDigits} digit${prompt.numDigits === 1 ? '' : 's'}` : undefined,
      prompt.finishOnKey ? `end with ${prompt.finishOnKey}` : undefined,
    ].filter(Boolean);
    for (;;) {
      const line = await this.ask(`keys${limits.length ? ` (${limits.join(', ')})` : ''} > `);
      if (line === undefined || line.trim().toLowerCase() === 'h') return { kind: 'hangup' };
      const keys = line.replace(/\s/g, '');
      if (keys === '') return { kind: 'no-input' };
      if (/^[0-9*#]+$/.test(keys)) return { kind: 'keys', keys };
      this.print('  (keypad keys only: 0-9 * #, Enter alone = no input, h = hang up)');
    }
  }

  async payBegin(): Promise<PayBeginReply> {
    this.print('  <Pay>: enter the card like on a keypad (test cards: 4242424242424242, expiry e.g. 1234, CVC 123; * cancels)');
    return { kind: 'enter' };
  }

  async payField(prompt: PayFieldPrompt): Promise<PayFieldReply> {
    for (;;) {
      const line = await this.ask(`${payFieldLabel(prompt.field)}${prompt.attempt > 1 ? ` (attempt ${prompt.attempt})` : ''} > `);
      if (line === undefined || line.trim().toLowerCase() === 'h') return { kind: 'hangup' };
      const keys = line.replace(/[\s-]/g, '');
      if (keys === '') return { kind: 'no-input' };
      if (/^[0-9*#]+$/.test(keys)) return { kind: 'keys', keys: keys.endsWith('#') || keys.includes('*') ? keys : `${keys}#` };
      this.print('  (keypad keys only: 0-9 * #, Enter alone = no input, h = hang up)');
    }
  }

  async hangUpDuringPayProcessing(): Promise<boolean> {
    return false;
  }

  async dialConnected(): Promise<DialConnectedReply> {
    this.print('  Connected to the operator. Waiting for them; when they ask for a card field, type it (h = hang up).');
    return 'stay';
  }

  async agentCapture(prompt: AgentCapturePrompt): Promise<PayFieldReply> {
    this.print(`  The operator asks for your ${payFieldLabel(prompt.field)} (the operator hears nothing you key).`);
    return this.payField({ field: prompt.field, attempt: prompt.attempt, timeoutSeconds: prompt.timeoutSeconds, heard: [], ...(prompt.cardType ? { cardType: prompt.cardType } : {}) });
  }

  close(): void {
    this.rl.close();
  }
}
