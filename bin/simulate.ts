import { ConfigError, loadConfig } from '../core/config.js';
import { parseCli, USAGE } from '../demo/simulator/cli-args.js';
import { type Progress, SimulationError, type SimulationSummary, simulate } from '../demo/simulator/index.js';
import { formatProgress, formatSummary } from '../demo/simulator/report.js';

/**
 * `npm run simulate -- --visitors 5000 --days 7 [--rate N]`: sends simulated shop traffic through
 * a running collector (docs/simulator.md). Exit status: 0 when every request was answered 202,
 * 1 when any was refused or failed (or the run could not start), 2 for a usage or configuration
 * error, 130 when interrupted.
 */
const LINE_EVERY_MS = 5000;

function progressPrinter(): { onProgress(p: Progress): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  let drawn = false;
  return {
    onProgress(p) {
      if (tty) {
        process.stderr.write(`\r\x1b[2K${formatProgress(p).slice(0, (process.stderr.columns || 200) - 1)}`);
        drawn = true;
      } else if (p.elapsedMs - last >= LINE_EVERY_MS) {
        last = p.elapsedMs;
        process.stderr.write(`${formatProgress(p)}\n`);
      }
    },
    done() {
      if (drawn) process.stderr.write('\n');
    },
  };
}

function report(summary: SimulationSummary, json: boolean): void {
  console.log(json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
  if (summary.rejected['429 rate_limited']) {
    console.error(
      'hint: 429 means one address sent more than KANON_RATE_LIMIT beacons a minute: the collector must trust ' +
        'X-Forwarded-For from the simulator (KANON_TRUST_PROXY), or its rate limit must be raised.',
    );
  }
}

async function main(): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const cli = parseCli(process.argv.slice(2), config);
  if (cli.kind === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (cli.kind === 'usage_error') {
    console.error(`simulate: ${cli.message}\n\n${USAGE}`);
    return 2;
  }
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  const printer = progressPrinter();
  try {
    const summary = await simulate({ ...cli.options, onProgress: printer.onProgress, signal: abort.signal });
    printer.done();
    report(summary, cli.json);
    if (abort.signal.aborted) return 130;
    return summary.failed > 0 || Object.keys(summary.rejected).length > 0 ? 1 : 0;
  } catch (error) {
    printer.done();
    if (!(error instanceof SimulationError)) throw error;
    if (error.summary) report(error.summary, cli.json);
    console.error(`simulate: ${error.message}`);
    return error.code === 'invalid_options' ? 2 : 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `simulate failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exit(1);
  },
);
