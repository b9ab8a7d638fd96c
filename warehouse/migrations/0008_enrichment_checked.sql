-- 0008: when each enrichment service last described a paper (set on every fetch, changed content
-- or not), so a scheduled run asks only about papers not checked recently.
ALTER TABLE core_paper_metrics ADD COLUMN checked_at TIMESTAMP;
