import { KanonError } from '../../core/errors.js';

/**
 * The staged cells changed between the statements of one release (a period's staging is meant to
 * be still once it is due), or the release's own bookkeeping disagrees with itself. Nothing of
 * the period is marked released; the next tick releases it again from what staging holds then.
 */
export class ReleaseInconsistentError extends KanonError {
  constructor(message: string) {
    super('release_inconsistent', 500, message, true);
    this.name = 'ReleaseInconsistentError';
  }
}
