import { createHmac } from 'node:crypto';

/**
 * The noise of noise mode (KANON_EPSILON): the discrete Laplace distribution (the two-sided
 * geometric mechanism of Ghosh, Roughgarden and Sundararajan), P(X = x) ∝ exp(−|x| / scale) on
 * the integers. It gives ε-differential privacy to an integer count or sum of L1 sensitivity Δ at
 * scale Δ / ε, the same guarantee as the Laplace mechanism, but its outputs are integers: no
 * floating-point noise whose low bits could give the true value away (Mironov 2012), and counts
 * stay counts. Chosen over the discrete Gaussian because pure ε composes by plain addition, which
 * a shop's privacy notice can state in one sentence.
 *
 * Noise is stable: the draw is a function of a secret and the figure's identity (an HMAC), so a
 * release that runs again writes the same numbers, and reading a figure twice gains nothing.
 */

/** A uniform number in (0, 1] from 53 bits of the HMAC of `identity|n` under the secret. */
function uniform(secret: Buffer, identity: string, n: number): number {
  const digest = createHmac('sha256', secret).update(`${identity}|${n}`).digest();
  const bits = digest.readUInt32BE(0) * 2 ** 21 + (digest.readUInt32BE(4) >>> 11);
  return (bits + 1) / 2 ** 53;
}

/**
 * A geometric draw on {0, 1, ...} with P(G ≥ g) = exp(−g / scale), by inversion: the integer part
 * of an exponential variable of mean `scale`.
 */
function geometric(u: number, scale: number): number {
  return Math.floor(-scale * Math.log(u));
}

/** The difference of two independent geometric draws is discrete Laplace with that scale. */
export function discreteLaplace(secret: Buffer, identity: string, scale: number): number {
  if (!(scale > 0)) return 0;
  return geometric(uniform(secret, identity, 0), scale) - geometric(uniform(secret, identity, 1), scale);
}

// The distribution's tail, variance and 95 % margin are shared with the dashboards (core/).
export { margin95, tailProbability, variance } from '../../../core/discrete-laplace.js';
