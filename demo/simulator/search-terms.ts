/**
 * What shoppers type into the shop's search box, most frequent first (Zipf-like). Several find
 * nothing in the demo catalogue: they are the unmet demand the searches report shows (decaf,
 * matcha, a misspelt espresso). The result count comes from the shop's own search logic.
 */
export const SEARCH_TERMS: readonly string[] = [
  'espresso',
  'decaf',
  'green tea',
  'kettle',
  'grinder',
  'earl grey',
  'matcha',
  'ethiopia',
  'cold brew',
  'vanilla',
  'pour-over',
  'expresso',
  'chai',
  'darjeeling',
  'french press',
  'oat milk',
  'teapot',
  'colombia',
  'moka pot',
  'gift card',
  'caramel',
  'aeropress',
  'jasmine',
  'filter papers',
];
