// Numbered schema migrations. PRAGMA user_version records how many have run; each runs in its own transaction.
// Never edit a migration that has shipped: add the next one.
export const MIGRATIONS: readonly string[] = [
  /* 1: the store */ `
  CREATE TABLE packages (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,          -- of the package file as uploaded: re-imports are recognised by it
    file_name TEXT NOT NULL,
    package_version TEXT,                 -- from updateInfo.xml when present
    size INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('cab', 'exe', 'interim', 'tree')),
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL
  );
  -- Every servable file, by its path below DeviceUpdateFiles_Int/ (lower-cased key: IIS paths were case-insensitive).
  CREATE TABLE store_files (
    path_key TEXT PRIMARY KEY,
    rel_path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    timestamp TEXT NOT NULL,              -- "dd-MM-yyyy HH:mm:ss" of the file in the package, as OCS logged it
    package_id INTEGER NOT NULL REFERENCES packages(id)
  );
  CREATE INDEX store_files_sha ON store_files(sha256);
  CREATE TABLE package_files (
    package_id INTEGER NOT NULL REFERENCES packages(id),
    path_key TEXT NOT NULL REFERENCES store_files(path_key),
    PRIMARY KEY (package_id, path_key)
  ) WITHOUT ROWID;
  CREATE TABLE rules (
    id INTEGER PRIMARY KEY,
    device_type TEXT NOT NULL, vendor TEXT NOT NULL, model TEXT NOT NULL,
    revision TEXT NOT NULL, locale TEXT NOT NULL, update_type TEXT NOT NULL,
    approved TEXT, pending TEXT, restore TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (device_type COLLATE NOCASE, vendor COLLATE NOCASE, model COLLATE NOCASE,
            revision COLLATE NOCASE, locale COLLATE NOCASE, update_type COLLATE NOCASE)
  );
  -- The versions the store holds for each rule (one image folder each).
  CREATE TABLE images (
    rule_id INTEGER NOT NULL REFERENCES rules(id),
    version TEXT NOT NULL,
    package_id INTEGER NOT NULL REFERENCES packages(id),
    PRIMARY KEY (rule_id, version)
  ) WITHOUT ROWID;
  CREATE TABLE interim_images (
    locale TEXT PRIMARY KEY COLLATE NOCASE,
    version TEXT NOT NULL,
    package_id INTEGER NOT NULL REFERENCES packages(id)
  );
  CREATE TABLE test_devices (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    mac TEXT UNIQUE,
    serial TEXT UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL,
    CHECK (mac IS NOT NULL OR serial IS NOT NULL)
  );
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE history (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}'
  );
  CREATE TABLE admins (
    username TEXT PRIMARY KEY COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    created_at TEXT NOT NULL
  );
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES admins(username) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  `,
];
