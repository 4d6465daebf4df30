import { describe, expect, it } from 'vitest';

import {
  HUBSPOT_API_VERSION,
  hubSpotPaths,
  isHubSpotNumericId,
  RETIRED_HUBSPOT_PATH_PREFIXES,
} from './hubspot-paths.ts';

describe('hubSpotPaths', () => {
  it('puts the date version in every path', () => {
    const paths = [
      hubSpotPaths.objects('tasks'),
      hubSpotPaths.object('deals', '12'),
      hubSpotPaths.objectsBatch('p_sales_grid', 'upsert'),
      hubSpotPaths.objectsSearch('companies'),
      hubSpotPaths.associationsBatch('p_sales_grid', 'deals', 'associate/default'),
      hubSpotPaths.associationLabels('tasks', '2-123'),
      hubSpotPaths.properties('deals'),
      hubSpotPaths.property('deals', 'icp_score'),
      hubSpotPaths.propertiesBatch('deals', 'create'),
      hubSpotPaths.propertyGroups('deals'),
      hubSpotPaths.schemas(),
      hubSpotPaths.schema('p_sales_grid'),
      hubSpotPaths.schemaAssociations('p_sales_grid'),
      hubSpotPaths.owners(),
      hubSpotPaths.owner('41629779'),
      hubSpotPaths.accountDetails(),
      hubSpotPaths.oauthToken(),
    ];
    for (const path of paths) {
      expect(path).toContain(`/${HUBSPOT_API_VERSION}`);
      expect(RETIRED_HUBSPOT_PATH_PREFIXES.some((prefix) => path.startsWith(prefix))).toBe(false);
    }
    expect(hubSpotPaths.objectsBatch('p_sales_grid', 'upsert')).toBe(
      '/crm/objects/2026-03/p_sales_grid/batch/upsert',
    );
    expect(hubSpotPaths.associationsBatch('2-1', '0-3', 'create')).toBe(
      '/crm/associations/2026-03/2-1/0-3/batch/create',
    );
    expect(hubSpotPaths.oauthToken()).toBe('/oauth/2026-03/token');
    expect(hubSpotPaths.owner('7')).toBe('/crm/owners/2026-03/7');
  });

  it('encodes variable segments, so a value cannot change the path', () => {
    expect(hubSpotPaths.object('deals', '1/../../x?y')).toBe(
      '/crm/objects/2026-03/deals/1%2F..%2F..%2Fx%3Fy',
    );
  });

  it('never puts a non-numeric owner id in a path', () => {
    expect(isHubSpotNumericId('41629779')).toBe(true);
    for (const id of ['', 'abc', '12a', '005xx000001Sv6AAAS', '1 2', '-1']) {
      expect(isHubSpotNumericId(id)).toBe(false);
      expect(() => hubSpotPaths.owner(id)).toThrow(/not a HubSpot owner id/);
    }
  });
});
