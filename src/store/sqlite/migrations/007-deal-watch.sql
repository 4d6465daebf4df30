-- The deal watch reads only the grids it watches, least recently checked first (store: listGridIdsFindingDeal),
-- instead of every grid's current version: finds_deal (the current version names no deal.crmId, kept by intake)
-- and deal_watch_at (when the watch next looks; set when a live sync stores a state with the deal's company).
ALTER TABLE grids ADD COLUMN finds_deal INTEGER NOT NULL DEFAULT 1 CHECK (finds_deal IN (0, 1));
ALTER TABLE grids ADD COLUMN deal_watch_at INTEGER;
UPDATE grids SET finds_deal = (SELECT json_extract(v.grid, '$.deal.crmId') IS NULL FROM grid_versions v
  WHERE v.tenant = grids.tenant AND v.grid_id = grids.grid_id AND v.version = grids.current_version);
UPDATE grids SET deal_watch_at = 0 WHERE EXISTS (SELECT 1 FROM grid_sync_state s
  WHERE s.tenant = grids.tenant AND s.grid_id = grids.grid_id AND json_extract(s.doc, '$.mode') = 'live'
    AND json_extract(s.doc, '$.deal.companyId') IS NOT NULL);
CREATE INDEX grids_deal_watch ON grids (tenant, deal_watch_at) WHERE finds_deal = 1 AND deal_watch_at IS NOT NULL;
