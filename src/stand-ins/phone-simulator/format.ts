/** Human-readable lines for transcript entries and requests (CLI output). */
import type { CallRecord, RequestRecord, TranscriptEntry } from './record.js';

const fieldName: Record<string, string> = {
  'payment-card-number': 'card number',
  'expiration-date': 'expiry (MMYY)',
  'security-code': 'security code',
  'postal-code': 'postal code',
  'payment-processing': 'processing',
};

export function payFieldLabel(field: string): string {
  return fieldName[field] ?? field;
}

export function formatEntry(e: TranscriptEntry): string | undefined {
  const nested = e.within ? '  ' : '';
  switch (e.verb) {
    case 'Say': {
      const tag = e.event === 'prompt' ? `Pay ${payFieldLabel(e.for ?? '')} #${e.attempt ?? 1}${e.errorType ? ` ${e.errorType}` : ''}${e.source === 'default' ? ' (Twilio default)' : ''}` : 'Say';
      // The voice too (`Polly.Takumi-Neural`): which voice a caller hears is part of the call.
      return `${nested}[${tag} ${e.language ?? ''}${e.voice ? ` ${e.voice}` : ''}] ${e.text ?? ''}${e.loop !== undefined ? ` (loop ${e.loop})` : ''}`;
    }
    case 'Play':
      return `${nested}[Play] ${e.url ?? ''}`;
    case 'Pause':
      return `${nested}[Pause ${e.seconds ?? 0}s]`;
    case 'Gather':
      if (e.input === 'hangup') return '  > caller hangs up';
      if (e.input === 'no-input') return `  > (no input${e.seconds ? `, waited ${e.seconds}s` : ''})`;
      return `  > pressed ${e.keys ?? ''} → Digits=${e.digits ?? ''}`;
    case 'Pay':
      if (e.event === 'input') {
        if (e.input === 'hangup') return '  > caller hangs up';
        if (e.input === 'star') return `  > ${payFieldLabel(e.for ?? '')}: pressed * `;
        if (e.input === 'no-input') return `  > ${payFieldLabel(e.for ?? '')}: (no input, waited ${e.seconds ?? 0}s)`;
        return `  > ${payFieldLabel(e.for ?? '')}: ${e.keys ?? ''}${e.errorType ? `  ✗ ${e.errorType} (${e.detail ?? ''})` : ''}`;
      }
      if (e.event === 'tokenize') return e.paymentToken ? `  [Pay] tokenized → ${e.paymentToken}` : `  [Pay] connector error: ${e.error ?? ''}`;
      if (e.event === 'result') return `  [Pay] Result=${e.result ?? ''}${e.error ? ` (${e.error})` : ''}`;
      return undefined;
    case 'Redirect':
      return `[Redirect ${e.method ?? 'POST'}] ${e.url ?? ''}`;
    case 'Hangup':
      return '[Hangup]';
    case 'Reject':
      return `[Reject ${e.detail ?? ''}]`;
    case 'Dial':
      switch (e.event) {
        case 'connected':
          return `[Dial] connected to ${e.detail ?? ''} (live: the app can take a payment on this call)`;
        case 'capture':
          return `  [operator] asks for the ${payFieldLabel(e.for ?? '')}${(e.attempt ?? 1) > 1 ? ` (again, #${e.attempt})` : ''}`;
        case 'input':
          if (e.input === 'hangup') return '  > caller hangs up';
          if (e.input === 'no-input') return `  > ${payFieldLabel(e.for ?? '')}: (no input, waited ${e.seconds ?? 0}s)`;
          return `  > ${payFieldLabel(e.for ?? '')}: ${e.keys ?? ''}`;
        case 'payment-ended':
          return `  [Twilio] payment ${e.paymentSid ?? ''} ended: ${e.result ?? ''}`;
        case 'redirect':
          return `[Dial] ended: call redirected${e.url ? ` to ${e.url}` : ' (inline TwiML)'}`;
        case 'dial-ended':
          return `[Dial] operator leg ended (DialCallStatus=${e.dialCallStatus ?? ''})${e.detail ? ` ${e.detail}` : ''}`;
        case 'call-update':
          return `[Dial] ${e.detail ?? 'call updated'}`;
        default:
          return `[Dial] ${e.detail ?? ''}`;
      }
    case 'Enqueue':
      return `[${e.verb}] ${e.detail ?? ''}`;
    case 'Twilio':
      return `[Twilio] ${e.text ?? ''}`;
    case 'Caller':
      return `  > ${e.detail ?? ''}`;
  }
}

export function formatRequest(r: RequestRecord): string {
  const status = r.status ?? r.outcome;
  const retry = r.attempt > 1 ? ` (retry ${r.attempt - 1})` : '';
  return `    ${r.method} ${new URL(r.url).pathname}${new URL(r.url).search} → ${status} ${r.latencyMs} ms${retry}${r.error ? ` ${r.error}` : ''}`;
}

export function formatEnding(record: CallRecord): string {
  const e = record.ended;
  const parts = [`call ${record.callSid} ended: ${e.how}`];
  if (e.code) parts.push(`(${e.code})`);
  if (e.transferTo) parts.push(`to ${e.transferTo}`);
  if (e.during) parts.push(`during ${e.during}`);
  if (e.detail) parts.push(`— ${e.detail}`);
  parts.push(`[${record.requests.length} requests, ${(record.durationMs / 1000).toFixed(1)} s, CallDuration ${record.callDurationSeconds}s]`);
  return parts.join(' ');
}
