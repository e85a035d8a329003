import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../fixtures/run-cli.js';

const README = new URL('../../README.md', import.meta.url);

describe('the command-line tools', () => {
  it.each([
    ['user', ['list', '--bogus'], 'usage: npm run user -- <command>'],
    ['sql', ['--bogus', 'SELECT 1'], 'usage: npm run sql -- [options]'],
    ['purge', ['--bogus'], 'usage: npm run purge -- --site ID'],
    ['simulate', ['--bogus'], 'usage: npm run simulate -- [options]'],
    ['generate', ['--bogus'], 'usage: npm run generate'],
    ['catalog', ['show', '--bogus'], 'usage: npm run catalog -- <command>'],
    ['kanon', ['start', '--bogus'], 'usage: kanon <start|collector|workers|dashboards|migrate>'],
  ] as const)(
    '%s prints its usage with the refusal of an unknown flag, and exits with 2',
    async (script, args, usage) => {
      const readme = readFileSync(README, 'utf8');
      const env = { KANON_DATA_DIR: mkdtempSync(join(tmpdir(), 'kanon-cli-flags-')) };
      const result = await runCli(script, [...args], env);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("Unknown option '--bogus'");
      expect(result.stderr).toContain(usage);
      expect(result.stderr).not.toContain('To specify a positional argument');
      expect(result.stdout).toBe('');
      expect(readFileSync(README, 'utf8')).toBe(readme);
    },
  );

  it('prints the usage when an option lacks its value', async () => {
    const result = await runCli('sql', ['--format'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Option '--format <value>' argument missing");
    expect(result.stderr).toContain('usage: npm run sql -- [options]');
  });

  it('npm run user says "no password given" when stdin is empty', async () => {
    const env = { KANON_DATA_DIR: mkdtempSync(join(tmpdir(), 'kanon-cli-empty-')) };
    for (const stdin of ['', '\n']) {
      const result = await runCli('user', ['add', 'ann', '--role', 'admin'], env, stdin);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('no password given');
      expect(result.stderr).not.toContain('at least 10 characters');
    }
  });
});
