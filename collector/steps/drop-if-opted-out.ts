/**
 * Step 3 (invariant 7): a shopper who sends Global Privacy Control (`Sec-GPC: 1`), or Do Not Track
 * (`DNT: 1`) where the deployment honours it, is not recorded at all. Only an anonymous counter of
 * opted-out events goes up.
 */
export function isOptedOut(headers: { gpc?: string; dnt?: string }, honourDnt: boolean): boolean {
  if (headers.gpc?.trim() === '1') return true;
  return honourDnt && headers.dnt?.trim() === '1';
}
