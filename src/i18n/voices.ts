/**
 * Which text-to-speech voice speaks each caller language: a voice Twilio documents for that
 * language, set on every `<Say>` (src/twiml/render.ts), so a Japanese caller never hears
 * Twilio's default voice reading Japanese. Configured by VOICE_EN_US and VOICE_JA_JP.
 *
 * The names are Twilio's (`<Say voice>`: https://www.twilio.com/docs/voice/twiml/say/text-speech;
 * the same list is twilio-node's `SayVoice` type): Amazon Polly voices as `Polly.<Name>`
 * (`-Neural` or `-Generative` for those engines), Google voices as `Google.<language>-<…>`.
 */
import type { Locale } from '../contract/instructions.js';

export type Voices = Record<Locale, string>;

/** Neural Amazon Polly voices Twilio lists for each language. */
export const defaultVoices: Voices = {
  'en-US': 'Polly.Joanna-Neural',
  'ja-JP': 'Polly.Takumi-Neural',
};

/** The Amazon Polly voices Twilio lists per language, engine suffix included (twilio-node 6.3's `SayVoice`). */
const pollyVoicesByLocale: Record<Locale, readonly string[]> = {
  'en-US': [
    'Danielle-Generative', 'Danielle-Neural', 'Gregory-Neural', 'Ivy', 'Ivy-Neural', 'Joanna', 'Joanna-Generative', 'Joanna-Neural',
    'Joey', 'Joey-Neural', 'Justin', 'Justin-Neural', 'Kendra', 'Kendra-Neural', 'Kevin', 'Kevin-Neural', 'Kimberly', 'Kimberly-Neural',
    'Matthew', 'Matthew-Generative', 'Matthew-Neural', 'Ruth-Generative', 'Ruth-Neural', 'Salli', 'Salli-Neural', 'Stephen-Generative', 'Stephen-Neural',
  ],
  'ja-JP': ['Kazuha-Neural', 'Mizuki', 'Takumi', 'Takumi-Neural', 'Tomoko-Neural'],
};

/** Why `voice` cannot speak `locale` on Twilio, or undefined when it can. */
export function voiceProblem(locale: Locale, voice: string): string | undefined {
  if (voice.startsWith('Polly.')) {
    const names = pollyVoicesByLocale[locale];
    return names.includes(voice.slice('Polly.'.length)) ? undefined : `${voice} is not one of Twilio's ${locale} Amazon Polly voices (${names.map((n) => `Polly.${n}`).join(', ')})`;
  }
  const google = /^Google\.([a-z]{2,3}-[A-Z]{2})-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/.exec(voice);
  if (google) return google[1] === locale ? undefined : `${voice} speaks ${google[1]}, not ${locale}`;
  return `must be a Twilio voice for ${locale}: Polly.<Name> (e.g. ${defaultVoices[locale]}) or Google.${locale}-<voice> (e.g. Google.${locale}-Standard-A)`;
}
