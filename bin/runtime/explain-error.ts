import { KanonError } from '../../core/errors.js';
import { ControlError } from '../../dashboards/control-client.js';
import { forTerminal } from '../../dashboards/terminal-table.js';

/**
 * A CLI's one line for an error: `code: message` for Kanon's own and the running Kanon's errors,
 * the message otherwise; made safe for a terminal, since a message may quote a label or a query.
 */
export function explainError(error: unknown): string {
  if (error instanceof KanonError || error instanceof ControlError) {
    return forTerminal.text(`${error.code}: ${error.message}`);
  }
  return forTerminal.text(error instanceof Error ? error.message : String(error));
}
