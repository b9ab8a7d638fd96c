-- 0007: API sources. Each raw table keeps one record per upstream entity as the service sent
-- it (the parsed record as JSON under the service's own field names), with the response it
-- came from; core_paper_metrics holds what enrichment sources say about a paper.

CREATE TABLE raw_arxiv__entries (
    record_key VARCHAR PRIMARY KEY,      -- arXiv id without version; the newest version seen wins
    arxiv_id VARCHAR NOT NULL,
    doi VARCHAR,
    record VARCHAR NOT NULL,             -- JSON: id, version, title, summary, published, updated, authors, categories, ...
    source_url VARCHAR NOT NULL,         -- the API page that sent it
    response_sha256 VARCHAR NOT NULL,
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE raw_semantic_scholar__papers (
    record_key VARCHAR PRIMARY KEY,      -- paperId
    arxiv_id VARCHAR,
    doi VARCHAR,
    record VARCHAR NOT NULL,             -- JSON: paperId, externalIds, title, venue, citationCount, fieldsOfStudy, openAccessPdf, ...
    source_url VARCHAR NOT NULL,
    response_sha256 VARCHAR,
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE raw_openalex__works (
    record_key VARCHAR PRIMARY KEY,      -- the OpenAlex work id (https://openalex.org/W...)
    arxiv_id VARCHAR,
    doi VARCHAR,
    record VARCHAR NOT NULL,             -- JSON: id, doi, display_name, publication_date, cited_by_count, abstract, ...
    source_url VARCHAR NOT NULL,
    response_sha256 VARCHAR,
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE core_paper_metrics (
    paper_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,             -- semantic_scholar | openalex
    citation_count DOUBLE,
    influential_citation_count DOUBLE,
    venue VARCHAR,
    fields_of_study VARCHAR,             -- JSON list
    open_access_pdf_url VARCHAR,
    source_record VARCHAR NOT NULL,      -- the raw record key
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (paper_id, source)
);

ALTER TABLE core_papers ADD COLUMN categories VARCHAR;      -- JSON list of arXiv categories, when known
ALTER TABLE core_papers ADD COLUMN abstract VARCHAR;
ALTER TABLE core_papers ADD COLUMN is_notable BOOLEAN;      -- passes the notability filter (run-level processing)
ALTER TABLE core_papers ADD COLUMN notability_reason VARCHAR;
