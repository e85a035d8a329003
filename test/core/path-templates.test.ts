import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/config.js';
import { DEFAULT_PATH_TEMPLATES, parsePathTemplates } from '../../core/path-templates.js';
import { privacyFacts } from '../../core/privacy-facts.js';

describe('KANON_PATH_TEMPLATES', () => {
  it('defaults to the account, user, customer, profile, member and order keywords', () => {
    const templates = loadConfig({}).collector.pathTemplates;
    expect(templates).toEqual(parsePathTemplates(DEFAULT_PATH_TEMPLATES).templates);
    expect(Object.fromEntries(templates.map((template) => [template.keyword, template.placeholder]))).toEqual(
      {
        account: 'name',
        user: 'name',
        users: 'name',
        customer: 'name',
        customers: 'name',
        profile: 'name',
        member: 'name',
        members: 'name',
        order: 'id',
        orders: 'id',
      },
    );
  });

  it('reads keyword/:placeholder pairs, lower-casing the keyword, and none as no template', () => {
    expect(
      loadConfig({ KANON_PATH_TEMPLATES: 'Seller/:name, invoices/:id' }).collector.pathTemplates,
    ).toEqual([
      { keyword: 'seller', placeholder: 'name' },
      { keyword: 'invoices', placeholder: 'id' },
    ]);
    expect(loadConfig({ KANON_PATH_TEMPLATES: 'none' }).collector.pathTemplates).toEqual([]);
  });

  it("lists the deployment's templates in GET /privacy.json's facts", () => {
    const facts = privacyFacts(loadConfig({ KANON_PATH_TEMPLATES: 'seller/:name,invoice/:id' }));
    expect(facts.path_templates).toEqual(['seller/:name', 'invoice/:id']);
    expect(privacyFacts(loadConfig({})).path_templates).toContain('account/:name');
  });

  it.each([
    [
      'a keyword without placeholder',
      'account',
      'entry 1 must be keyword/:name or keyword/:id, like account/:name',
    ],
    [
      'an unknown placeholder',
      'account/:email',
      'entry 1 must be keyword/:name or keyword/:id, like account/:name',
    ],
    [
      'a keyword with a slash',
      'my/account/:name',
      'entry 1 must be keyword/:name or keyword/:id, like account/:name',
    ],
    [
      'an empty entry',
      'account/:name,,users/:name',
      'entry 2 must be keyword/:name or keyword/:id, like account/:name',
    ],
    ['a keyword listed twice', 'users/:name,Users/:id', 'keyword "users" is listed twice'],
  ])('refuses %s, naming the variable and the rule', (_what, value, problem) => {
    expect(() => loadConfig({ KANON_PATH_TEMPLATES: value })).toThrow(ConfigError);
    try {
      loadConfig({ KANON_PATH_TEMPLATES: value });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([`KANON_PATH_TEMPLATES: ${problem}`]);
    }
  });
});
