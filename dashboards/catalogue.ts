import { REPORT_LIST } from '../schema/reports.js';
import { publishedTable, RELEASES_TABLE } from '../schema/tables.js';

export interface CatalogueTable {
  name: string;
  doc: string;
  columns: { name: string; type: string; doc: string }[];
}

/** The tables analysts may query, with their columns, for the SQL page (from the report catalogue). */
export function publishedCatalogue(): CatalogueTable[] {
  const tables: CatalogueTable[] = [];
  for (const spec of REPORT_LIST) {
    for (const grain of ['day', 'window'] as const) {
      const period =
        grain === 'day'
          ? [{ name: 'day', type: 'Date', doc: 'UTC day' }]
          : [
              { name: 'window_start', type: "DateTime('UTC')", doc: 'Start of the release window' },
              { name: 'window_seconds', type: 'UInt32', doc: 'Length of the window' },
            ];
      tables.push({
        name: publishedTable(spec.name, grain),
        doc: `${spec.doc} ${grain === 'day' ? 'Whole UTC days.' : 'Per release window.'}`,
        columns: [
          { name: 'site', type: 'LowCardinality(String)', doc: 'Site id' },
          ...period,
          ...spec.dims.map((dim) => ({ name: dim.name, type: dim.type, doc: dim.doc })),
          {
            name: 'level',
            type: 'UInt8',
            doc: '0 = exact row; n = small groups generalised n steps, dimensions read (other)',
          },
          ...spec.measures.map((measure) => ({ name: measure.name, type: 'UInt64', doc: measure.doc })),
          { name: 'visitors', type: 'UInt64', doc: 'Distinct visitors (at least K)' },
          { name: 'released_at', type: "DateTime('UTC')", doc: 'When the row was released' },
        ],
      });
    }
  }
  tables.push({
    name: RELEASES_TABLE,
    doc: 'The release manifest: one row per site, grain, period and report.',
    columns: [
      { name: 'site', type: 'LowCardinality(String)', doc: 'Site id' },
      { name: 'grain', type: 'LowCardinality(String)', doc: 'window or day' },
      { name: 'period_start', type: "DateTime('UTC')", doc: 'Start of the period' },
      { name: 'period_seconds', type: 'UInt32', doc: 'Length of the period' },
      { name: 'report', type: 'LowCardinality(String)', doc: 'Report name' },
      { name: 'k', type: 'UInt16', doc: 'K in force' },
      {
        name: 'withheld',
        type: 'UInt8',
        doc: '1 when the period had fewer than K visitors: nothing of it is published',
      },
      { name: 'rows_published', type: 'UInt32', doc: 'Rows published' },
      { name: 'rows_generalised', type: 'UInt32', doc: 'Published rows that are generalised groups' },
      {
        name: 'groups_generalised',
        type: 'UInt32',
        doc: 'Small groups folded into published generalised rows',
      },
      { name: 'released_at', type: "DateTime('UTC')", doc: 'When it was released' },
    ],
  });
  return tables;
}
