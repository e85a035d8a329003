// The demo shop's whole catalogue. Ids, categories and prices are what kanon() calls send.

export const CURRENCY = 'EUR';

export const CATEGORIES = {
  coffee: { name: 'Coffee', blurb: 'Single origins and blends, roasted every Tuesday in small batches.' },
  tea: { name: 'Tea', blurb: 'Loose-leaf teas from growers we have visited, packed in light-proof tins.' },
  brewing: {
    name: 'Brewing',
    blurb: 'Drippers, kettles and grinders that make the daily cup a little ritual.',
  },
};

export const PRODUCTS = [
  {
    id: 'p01',
    name: 'Ethiopia Yirgacheffe',
    category: 'coffee',
    price: 14.5,
    shape: 'bag',
    color: '#c2703d',
    notes: 'Jasmine · bergamot · apricot',
    description: 'A washed coffee from the Gedeo zone, bright and floral. Lovely as a pour-over.',
  },
  {
    id: 'p02',
    name: 'Colombia Huila',
    category: 'coffee',
    price: 12.9,
    shape: 'bag',
    color: '#8a4b2a',
    notes: 'Caramel · red apple · cocoa',
    description: 'Grown at 1,700 m by the Pitalito co-operative. Sweet and round from any brewer.',
  },
  {
    id: 'p03',
    name: 'Sumatra Mandheling',
    category: 'coffee',
    price: 13.5,
    shape: 'bag',
    color: '#4f3a2c',
    notes: 'Cedar · dark chocolate · spice',
    description: 'Wet-hulled and full-bodied, with the low acidity that French-press lovers want.',
  },
  {
    id: 'p04',
    name: 'House Espresso Blend',
    category: 'coffee',
    price: 11.9,
    shape: 'bag',
    color: '#a33b2b',
    notes: 'Hazelnut · molasses · orange peel',
    description: 'Brazil and Guatemala, roasted a touch darker for a syrupy shot and a sweet flat white.',
  },
  {
    id: 'p05',
    name: 'Darjeeling First Flush',
    category: 'tea',
    price: 16,
    shape: 'tin',
    color: '#7d8f3a',
    notes: 'Muscatel · spring flowers',
    description: 'Picked in March at the Castleton estate. Brew it at 85 °C and do not add milk.',
  },
  {
    id: 'p06',
    name: 'Sencha Kyoto',
    category: 'tea',
    price: 12,
    shape: 'tin',
    color: '#3f7f5a',
    notes: 'Grassy · umami · sweet pea',
    description: 'A steamed green tea from Uji, deep green in the cup. Short steeps, many rounds.',
  },
  {
    id: 'p07',
    name: 'Earl Grey Cream',
    category: 'tea',
    price: 9.5,
    shape: 'tin',
    color: '#4a5d8a',
    notes: 'Bergamot · vanilla · malt',
    description: 'Assam and Ceylon with cold-pressed bergamot oil and a soft hint of vanilla.',
  },
  {
    id: 'p08',
    name: 'Rooibos Vanilla',
    category: 'tea',
    price: 8.5,
    shape: 'tin',
    color: '#b5522f',
    notes: 'Honey · vanilla pod · caffeine free',
    description: 'South African red bush with real vanilla. Good late at night and good iced.',
  },
  {
    id: 'p09',
    name: 'Pour-over Dripper',
    category: 'brewing',
    price: 24,
    shape: 'dripper',
    color: '#d08a4e',
    notes: 'Porcelain · fits size 02 filters',
    description: 'A spiral-ribbed porcelain cone that keeps the bed hot and the flow even.',
  },
  {
    id: 'p10',
    name: 'Gooseneck Kettle',
    category: 'brewing',
    price: 59,
    shape: 'kettle',
    color: '#2f5d50',
    notes: '1 litre · stovetop and induction',
    description: 'A slow, precise pour for pour-over and tea. Brushed steel with a walnut handle.',
  },
  {
    id: 'p11',
    name: 'Burr Hand Grinder',
    category: 'brewing',
    price: 79,
    shape: 'grinder',
    color: '#5b5048',
    notes: '38 mm steel burrs · 40 settings',
    description: 'From espresso-fine to cold-brew coarse in a grinder that fits in a backpack.',
  },
  {
    id: 'p12',
    name: 'Glass Teapot',
    category: 'brewing',
    price: 29,
    shape: 'teapot',
    color: '#6a8caf',
    notes: '800 ml · steel infuser',
    description: 'Borosilicate glass, so you can watch the leaves unfurl. Dishwasher safe.',
  },
];

export const productById = (id) => PRODUCTS.find((product) => product.id === id);

const money = new Intl.NumberFormat('en-IE', { style: 'currency', currency: CURRENCY });
export const formatPrice = (amount) => money.format(amount);

/** Rounds to cents, so that totals sent with kanon() are what the shopper sees. */
export const cents = (amount) => Math.round(amount * 100) / 100;
