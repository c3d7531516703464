import type Database from 'better-sqlite3';

/**
 * SQLite's page cache for each connection the service opens (the log's readers and writer, the
 * read models' reader and writer, the data keys). better-sqlite3 builds SQLite with 16 MB each;
 * every connection fills that once its file outgrows it, so resident memory grew with the size of
 * the ledger (docs/performance.md, "Memory"). The kernel keeps the files' recent pages cached
 * anyway, outside the process, so a smaller cache costs a copy from it, not a read from disk.
 * 4 MB first, then 2 MB: with the API's eight connections (nine while a read-model check runs)
 * that took 11 MB off the peak RSS of `npm run bench:http` (297 to 286 MB); at a million complaints
 * reads stayed within issue 35's targets (docs/performance.md, "Memory").
 */
export const PAGE_CACHE_KIB = 2048;

export function boundPageCache(db: Database.Database): void {
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
}
