-- The deal watch reads only the grids it watches, least recently checked first (store: listGridIdsFindingDeal),
-- instead of every grid's current version: finds_deal (the current version names no deal.crmId, kept by intake)
-- and deal_watch_at (when the watch next looks; set when a live sync stores a state with the deal's company).
ALTER TABLE grids
  ADD COLUMN finds_deal boolean NOT NULL DEFAULT true,
  ADD COLUMN deal_watch_at timestamptz;
UPDATE grids g SET finds_deal = (v.grid -> 'deal' ->> 'crmId') IS NULL FROM grid_versions v
  WHERE v.tenant = g.tenant AND v.grid_id = g.grid_id AND v.version = g.current_version;
UPDATE grids g SET deal_watch_at = 'epoch' FROM grid_sync_state s
  WHERE s.tenant = g.tenant AND s.grid_id = g.grid_id AND s.doc ->> 'mode' = 'live'
    AND s.doc -> 'deal' ->> 'companyId' IS NOT NULL;
CREATE INDEX grids_deal_watch ON grids (tenant, deal_watch_at) WHERE finds_deal AND deal_watch_at IS NOT NULL;
