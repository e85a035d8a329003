import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { privacyFacts } from '../../core/privacy-facts.js';
import { REPORT_LIST } from '../../schema/reports.js';

/**
 * /privacy.json states the mode a deployment releases in and, in noise mode, the budget as
 * docs/privacy.md states it: ε per visitor and day, nothing per window, δ = 0, and the bounds.
 */
describe('privacy facts: the release mode and its ε', () => {
  it('states exact figures when KANON_EPSILON is unset', () => {
    const facts = privacyFacts(loadConfig({}));
    expect(facts.noise).toEqual({ mode: 'exact', epsilon_per_visitor_day: null });
  });

  it('states noise mode, ε per visitor-day and per report, δ and the bounds when it is set', () => {
    const facts = privacyFacts(
      loadConfig({
        KANON_EPSILON: '4',
        KANON_NOISE_ROWS: '3',
        KANON_NOISE_CLAMP: '2',
        KANON_NOISE_MONEY: '150',
      }),
    );
    expect(facts.noise).toMatchObject({
      mode: 'noise',
      epsilon_per_visitor_day: 4,
      epsilon_per_window: 0,
      epsilon_per_report_day: 4 / REPORT_LIST.length,
      delta: 0,
      bounds: { rows_per_report: 3, count_per_row: 2, money_per_row: 150 },
    });
    // The served document is JSON: what an auditor reads back is what the deployment runs.
    expect(JSON.parse(JSON.stringify(facts)).noise.epsilon_per_visitor_day).toBe(4);
  });
});
