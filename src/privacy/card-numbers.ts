/**
 * What could be a card number: a run of 13 to 19 digits (spaces or dashes between them
 * allowed) that passes the Luhn check. paycall never keeps one, whatever field it arrives
 * in: the web layer withholds it before a workflow sees it, and free text is redacted.
 */

/** Digit runs of card length, spaces and dashes allowed between digits. */
const candidateRuns = /(?<![0-9])\d(?:[ -]?\d){12,18}(?![0-9])/g;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** The card-like numbers in a text (as digits only): each whole run of 13–19 digits that passes Luhn. */
export function cardLikeNumbers(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(candidateRuns)) {
    const digits = match[0].replace(/[ -]/g, '');
    if (isCardLike(digits)) found.add(digits);
  }
  return [...found];
}

/** A digit string that could be a card number: 13–19 digits, Luhn-valid. */
export function isCardLike(digits: string): boolean {
  return /^[0-9]{13,19}$/.test(digits) && luhnValid(digits);
}

export function containsCardLikeNumber(text: string): boolean {
  return cardLikeNumbers(text).length > 0;
}

/** Replaces every card-length digit run that holds a card-like number with `[card number removed]`. */
export function redactCardNumbers(text: string): string {
  return text.replace(candidateRuns, (run) => (containsCardLikeNumber(run) ? '[card number removed]' : run));
}
