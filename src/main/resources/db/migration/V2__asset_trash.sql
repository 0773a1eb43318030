-- Individually trashed assets, oldest first, for the drain's retention purge.
CREATE INDEX assets_trashed_due ON assets (trashed_at) WHERE trashed_at IS NOT NULL;
