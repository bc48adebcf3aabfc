/**
 * What the caller hears at each <Pay> step: the app's <Prompt> chosen by `for`, `errorType`,
 * `attempt` and `cardType`, else Twilio-like default English wording, played onto the line.
 */
import type { PayField } from './caller.js';
import type { TranscriptEntry } from './record.js';
import type { AudioVerb, PromptElement } from './twiml-verbs.js';

/** Default wording when the app gives no matching <Prompt> (close to Twilio's English prompts). */
export const defaultPromptText: Record<PayField, string> = {
  'payment-card-number': 'Please enter your credit card number, followed by the pound key.',
  'expiration-date':
    'Please enter your expiration date, two digits for the month and two digits for the year, followed by the pound key.',
  'security-code': 'Please enter your security code, followed by the pound key.',
  'postal-code': 'Please enter your zip code, followed by the pound key.',
};

export const defaultErrorText: Record<string, string> = {
  timeout: 'Sorry, I did not receive any input.',
  'invalid-card-number': 'Sorry, that card number is not valid.',
  'invalid-card-type': 'Sorry, that card type is not accepted.',
  'invalid-date': 'Sorry, that expiration date is not valid.',
  'invalid-security-code': 'Sorry, that security code is not valid.',
  'invalid-postal-code': 'Sorry, that zip code is not valid.',
};

export interface ChosenPrompt {
  source: 'prompt' | 'default';
  prompt?: PromptElement;
  /** Default wording spoken (error sentence and/or field prompt) when no <Prompt> fits. */
  defaultText?: string;
}

/**
 * Pick the <Prompt> for a step: same `for`, `cardType` and `attempt` compatible; with an
 * error, one listing that `errorType`; without, one with no `errorType`. The most specific
 * (attempt and cardType given) wins, then document order. With an error and no matching
 * error prompt: Twilio's error sentence, then the field's normal prompt.
 */
export function choosePrompt(
  prompts: readonly PromptElement[],
  field: PayField | 'payment-processing',
  attempt: number,
  errorType: string | undefined,
  cardType: string | undefined,
): ChosenPrompt {
  const candidates = prompts.filter(
    (p) =>
      p.for === field &&
      (!p.cardType || (cardType !== undefined && p.cardType.includes(cardType))) &&
      (!p.attempt || p.attempt.includes(attempt)),
  );
  const best = (list: PromptElement[]) => {
    let chosen: PromptElement | undefined;
    let score = -1;
    for (const p of list) {
      const s = (p.attempt ? 2 : 0) + (p.cardType ? 1 : 0);
      if (s > score) {
        chosen = p;
        score = s;
      }
    }
    return chosen;
  };
  const plain = best(candidates.filter((p) => !p.errorType));
  if (errorType) {
    const forError = best(candidates.filter((p) => p.errorType?.includes(errorType)));
    if (forError) return { source: 'prompt', prompt: forError };
    const sorry = defaultErrorText[errorType] ?? 'Sorry, that entry is not valid.';
    if (plain) return { source: 'prompt', prompt: plain, defaultText: sorry };
    if (field === 'payment-processing') return { source: 'default', defaultText: sorry };
    return { source: 'default', defaultText: `${sorry} ${defaultPromptText[field]}` };
  }
  if (plain) return { source: 'prompt', prompt: plain };
  if (field === 'payment-processing') return { source: 'default' };
  return { source: 'default', defaultText: defaultPromptText[field] };
}

/** Where a prompt plays: the transcript, and the clock for its <Pause>s. */
export interface PromptLine {
  hear(entry: TranscriptEntry): void;
  /** Wait (simulated unless realtime). */
  wait(seconds: number): Promise<void>;
}

/** Play a chosen prompt; returns what the caller heard. `language`: the <Pay>'s, for a <Say> without its own. */
export async function playPrompt(
  chosen: ChosenPrompt,
  meta: Partial<TranscriptEntry>,
  line: PromptLine,
  language: string,
): Promise<string[]> {
  const heard: string[] = [];
  const base: Partial<TranscriptEntry> = { within: 'Pay', event: 'prompt', source: chosen.source, ...meta };
  if (chosen.defaultText && chosen.prompt) {
    // An error sentence of Twilio's before the app's normal prompt.
    line.hear({ verb: 'Say', text: chosen.defaultText, language: 'en-US', ...base, source: 'default' });
    heard.push(chosen.defaultText);
  } else if (chosen.defaultText) {
    line.hear({ verb: 'Say', text: chosen.defaultText, language: 'en-US', ...base });
    heard.push(chosen.defaultText);
  }
  for (const audio of chosen.prompt?.children ?? []) {
    heard.push(...(await playPromptAudio(audio, line, base, language)));
  }
  return heard;
}

async function playPromptAudio(
  audio: AudioVerb,
  line: PromptLine,
  base: Partial<TranscriptEntry>,
  language: string,
): Promise<string[]> {
  switch (audio.verb) {
    case 'Say':
      line.hear({ ...base, verb: 'Say', text: audio.text, language: audio.language ?? language, ...(audio.voice ? { voice: audio.voice } : {}) });
      return [audio.text];
    case 'Play':
      line.hear({ ...base, verb: 'Play', url: audio.url });
      return [];
    case 'Pause':
      line.hear({ ...base, verb: 'Pause', seconds: audio.length });
      await line.wait(audio.length);
      return [];
  }
}
