/**
 * Counts ASCII digits. The digit-based detectors (card, phone, long id) call it first and return
 * early when there are too few digits for them to match, which is most text, because a regex
 * replace with a callback costs far more than a loop over a short string.
 */
export function countDigits(text: string): number {
  let digits = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) digits++;
  }
  return digits;
}
