import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/config.js';

/** The scheduled report e-mails' settings: both or neither, and a bad value named, never echoed. */
describe('KANON_SMTP_URL and KANON_MAIL_FROM', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems.join('\n');
      throw error;
    }
    return '';
  };

  it('sends no mail when unset', () => {
    expect(loadConfig({}).dashboards.mail).toBeUndefined();
  });

  it('reads a mail server and a sender', () => {
    const env = {
      KANON_SMTP_URL: 'smtps://kanon:secret@mail.shop.example:465',
      KANON_MAIL_FROM: 'Kanon <kanon@shop.example>',
    };
    expect(loadConfig(env).dashboards.mail).toEqual({
      smtpUrl: 'smtps://kanon:secret@mail.shop.example:465',
      from: 'Kanon <kanon@shop.example>',
    });
  });

  it('wants a sender with a mail server, and an smtp:// address, naming the variable and not the value', () => {
    expect(problems({ KANON_SMTP_URL: 'smtp://mail.shop.example:587' })).toMatch(
      /KANON_MAIL_FROM.*is needed/,
    );
    const bad = problems({
      KANON_SMTP_URL: 'http://kanon:hunter22@mail.example',
      KANON_MAIL_FROM: 'kanon@shop.example',
    });
    expect(bad).toMatch(/KANON_SMTP_URL.*smtp:\/\//);
    expect(bad).not.toContain('hunter22');
    expect(problems({ KANON_MAIL_FROM: 'not an address' })).toMatch(/KANON_MAIL_FROM/);
  });
});
