/**
 * The digits a caller keyed at a `<Gather>`, as the workflow may see them. A card number
 * keyed at the wrong prompt (an ordinary mistake) never enters a workflow payload, a log or
 * an Update id: it is withheld here, and so is anything longer than an order number can be
 * (ORDER_NUMBER_MAX_LENGTH), which no prompt of paycall's asks for.
 */
import type { WithheldDigits } from '../contract/call.js';
import { containsCardLikeNumber, isCardLike } from '../privacy/card-numbers.js';

export interface CallerDigits {
  digits: string;
  withheld?: WithheldDigits;
}

export function callerDigits(raw: string, maxLength: number): CallerDigits {
  const onlyDigits = raw.replace(/[^0-9]/g, '');
  if (isCardLike(onlyDigits) || containsCardLikeNumber(raw.replace(/[*#]/g, ' '))) return { digits: '', withheld: 'card-number' };
  if (onlyDigits.length > maxLength) return { digits: '', withheld: 'too-long' };
  return { digits: raw };
}
