// Operator console: an agent-assisted capture (AgentCaptureView, src/contract/operator.ts)
// in words an operator reads at a glance while talking to the caller: "card number entered
// ••••4242", "expiry invalid, asking again (attempt 2)", "charging…". The view carries masked
// facts only (brand, last four); nothing here could show more.

export const fieldNames = {
  'payment-card-number': 'card number',
  'expiration-date': 'expiry',
  'security-code': 'security code',
};

const fieldName = (field) => fieldNames[field] ?? field;

/** Twilio's ErrorType for a field, as what went wrong. */
function errorWords(errorType) {
  switch (errorType) {
    case 'invalid-card-number':
    case 'invalid-date':
    case 'invalid-security-code':
    case 'invalid-postal-code':
      return 'invalid';
    case 'invalid-card-type':
      return 'is a card type that is not accepted';
    case 'input-timeout':
      return 'not keyed in time';
    default:
      return errorType ? `not accepted (${errorType})` : 'not accepted';
  }
}

/** "••••4242 (visa)", or '' before Twilio has reported the number. */
export function maskedCard(card) {
  if (!card?.last4) return '';
  return `••••${card.last4}${card.brand ? ` (${card.brand})` : ''}`;
}

/** Why the field is being asked for again, or undefined on its first try. */
function againWords(f) {
  if (f.attempts < 2) return undefined;
  const name = fieldName(f.field);
  if (f.reaskedBy) return `asking again for the ${name} (attempt ${f.attempts}, asked by ${f.reaskedBy})`;
  if (f.previousErrorType) return `${name} ${errorWords(f.previousErrorType)}, asking again (attempt ${f.attempts})`;
  return `asking again for the ${name} (attempt ${f.attempts})`;
}

/** One field's progress: the words, and a kind for its colour (waiting, active, done, bad). */
export function fieldProgress(f, card) {
  const name = fieldName(f.field);
  const again = againWords(f);
  switch (f.state) {
    case 'waiting':
      return { kind: 'waiting', text: `${name}: not asked yet` };
    case 'asking':
      return { kind: 'active', text: again ?? `asking for the ${name}` };
    case 'keying':
      return { kind: 'active', text: again ? `${again}: the caller is keying` : `the caller is keying the ${name}` };
    case 'entered': {
      const masked = f.field === 'payment-card-number' ? maskedCard(card) : '';
      return { kind: 'done', text: `${name} entered${masked ? ` ${masked}` : ''}` };
    }
    case 'invalid':
    case 'timed-out':
      return { kind: 'bad', text: `${name} ${errorWords(f.errorType ?? (f.state === 'timed-out' ? 'input-timeout' : ''))}${f.attempts > 1 ? ` after ${f.attempts} tries` : ''}` };
    default:
      return { kind: 'waiting', text: `${name}: ${f.state}` };
  }
}

export const runningStatuses = ['starting', 'capturing', 'completing', 'charging'];

/** The capture as a whole: a headline and a kind (active, ok, bad, neutral). */
export function captureHeadline(c) {
  switch (c.status) {
    case 'starting':
      return { kind: 'active', text: 'Starting the capture…' };
    case 'capturing': {
      const entered = c.fields.filter((f) => f.state === 'entered').length;
      return { kind: 'active', text: `Capturing the card: ${entered} of ${c.fields.length} fields entered` };
    }
    case 'completing':
      return { kind: 'active', text: 'All fields entered: complete, handing the card to Stripe…' };
    case 'charging':
      return { kind: 'active', text: 'Charging…' };
    case 'paid':
      return { kind: 'ok', text: `Paid${c.confirmationCode ? `: confirmation code ${c.confirmationCode}` : ''}` };
    case 'declined':
      return { kind: 'bad', text: `Declined${c.problem ? `: ${c.problem}` : ''}` };
    case 'failed':
      return { kind: 'bad', text: `Failed${c.problem ? `: ${c.problem}` : ''}` };
    case 'cancelled':
      return { kind: 'neutral', text: c.problem ?? 'Cancelled' };
    case 'abandoned':
      return { kind: 'bad', text: c.problem ?? 'The caller hung up' };
    default:
      return { kind: 'neutral', text: c.status };
  }
}

/** One line for the live calls list: where the call's capture stands, or that none has started. */
export function captureSummary(line) {
  const c = line?.capture;
  if (!line) return 'Connecting to the operator…';
  if (!c) return 'On the line, no card capture yet';
  const current = c.status === 'capturing' ? c.fields.find((f) => f.state !== 'entered' && f.state !== 'waiting') : undefined;
  return `${captureHeadline(c).text}${current ? ` · ${fieldProgress(current, c.card).text}` : ''}${c.attempt > 1 ? ` (capture ${c.attempt})` : ''}`;
}
