import { ConfigError } from '../../core/config.js';
import { explainError } from './explain-error.js';

/**
 * Runs a CLI's main and exits with its status; a failure prints one line (a configuration error as
 * the config module words it, anything else as explainError does) and exits with 1.
 */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof ConfigError) console.error(error.message);
      else console.error(`error: ${explainError(error)}`);
      process.exit(1);
    },
  );
}
