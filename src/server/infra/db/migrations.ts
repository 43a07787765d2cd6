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
  /* 2: the device inventory, written in batches from the phone path (app/inventory-recorder.ts) */ `
  CREATE TABLE devices (
    id INTEGER PRIMARY KEY,
    identity TEXT NOT NULL UNIQUE,        -- 'mac:<MAC>', or 'serial:<SERIAL>' for a phone that reports no MAC
    mac TEXT NOT NULL COLLATE NOCASE,     -- '' when blank
    serial TEXT NOT NULL COLLATE NOCASE,
    device_type TEXT NOT NULL COLLATE NOCASE, vendor TEXT NOT NULL COLLATE NOCASE, model TEXT NOT NULL COLLATE NOCASE,
    revision TEXT NOT NULL COLLATE NOCASE, locale TEXT NOT NULL COLLATE NOCASE,
    version TEXT NOT NULL,
    user_name TEXT NOT NULL COLLATE NOCASE,
    address TEXT NOT NULL,
    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
    offered_version TEXT, offered_folder TEXT, offered_at TEXT, downloaded_at TEXT, updated_at TEXT,
    -- Derived from the columns above (domain/device-state.ts phaseOf, phaseSince), stored so that states use an index.
    phase TEXT NOT NULL CHECK (phase IN ('current', 'offered', 'downloaded', 'updated')),
    phase_since TEXT
  );
  CREATE INDEX devices_seen ON devices(last_seen);
  CREATE INDEX devices_state ON devices(phase, phase_since, last_seen); -- covers the counts by state
  CREATE INDEX devices_model ON devices(model, locale, vendor, device_type, revision);
  CREATE INDEX devices_locale ON devices(locale);
  CREATE INDEX devices_version ON devices(version);
  CREATE INDEX devices_mac ON devices(mac);
  CREATE INDEX devices_serial ON devices(serial);
  CREATE INDEX devices_user ON devices(user_name);
  CREATE INDEX devices_offer ON devices(address, offered_folder) WHERE phase = 'offered';
  `,
  /* 3: distinct phones seen per UTC day (the dashboard), counted by the inventory recorder when a phone's day changes */ `
  CREATE TABLE seen_days (
    day TEXT PRIMARY KEY,                 -- 'yyyy-MM-dd', UTC
    phones INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  /* 4: log files phones uploaded (kept under Logs/Client/<Type>/<phone>/), pruned after deviceLogRetentionDays */ `
  CREATE TABLE device_logs (
    id INTEGER PRIMARY KEY,
    mac TEXT NOT NULL,                    -- 12 hex digits, or '' when the phone named only its serial
    serial TEXT NOT NULL COLLATE NOCASE,
    type TEXT NOT NULL,                   -- one of the deviceLogTypes setting (Watson, Config, Diaglog, CELog)
    file_name TEXT NOT NULL,
    rel_path TEXT NOT NULL UNIQUE,        -- below Logs/
    size INTEGER NOT NULL,
    address TEXT NOT NULL,
    received_at TEXT NOT NULL
  );
  CREATE INDEX device_logs_mac ON device_logs(mac) WHERE mac != '';
  CREATE INDEX device_logs_serial ON device_logs(serial) WHERE serial != '';
  CREATE INDEX device_logs_received ON device_logs(received_at);
  `,
  /* 5: the inventory's cap (inventoryMaxDevices): phones seen once that may make room, and what being full cost */ `
  -- Phones that may be evicted (domain/inventory-cap.ts evictable(), but for the time and test devices, which the
  -- query adds), oldest first. devices-repo.ts repeats this WHERE word for word, so that the planner can use it.
  CREATE INDEX devices_once ON devices(last_seen)
    WHERE downloaded_at IS NULL AND updated_at IS NULL AND last_seen < strftime('%Y-%m-%dT%H:%M:%fZ', first_seen, '+1 hour');
  -- One row while the inventory is full: since when, and the phones evicted and not recorded since.
  CREATE TABLE inventory_overflow (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    since TEXT NOT NULL,
    evicted INTEGER NOT NULL,
    refused INTEGER NOT NULL
  );
  `,
  /* 6: the inventory judged against today's rules (app/inventory-judge.ts), and downloads that cannot be attributed */ `
  -- Rebuilt (SQLite cannot change a CHECK): phase gains 'behind' and 'blocked'; modules and the due offer are new. Rows from before
  -- keep what their last check was told as due, and no modules (judged again after their next check).
  CREATE TABLE devices_6 (
    id INTEGER PRIMARY KEY,
    identity TEXT NOT NULL UNIQUE,
    mac TEXT NOT NULL COLLATE NOCASE,
    serial TEXT NOT NULL COLLATE NOCASE,
    device_type TEXT NOT NULL COLLATE NOCASE, vendor TEXT NOT NULL COLLATE NOCASE, model TEXT NOT NULL COLLATE NOCASE,
    revision TEXT NOT NULL COLLATE NOCASE, locale TEXT NOT NULL COLLATE NOCASE,
    version TEXT NOT NULL,
    user_name TEXT NOT NULL COLLATE NOCASE,
    address TEXT NOT NULL,
    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
    offered_version TEXT, offered_folder TEXT, offered_at TEXT, downloaded_at TEXT, updated_at TEXT,
    modules TEXT,                         -- "file;version" per line, as the last check reported them
    due_version TEXT, due_folder TEXT,    -- what today's rules offer at its next check (NULL: nothing)
    due_blocker TEXT,                     -- nothing due, yet its rule wants another version: why (domain/device-state.ts Blocker)
    -- Derived (domain/device-state.ts phaseOf, phaseSince; PHASE in devices-repo.ts), stored so that states use an index.
    phase TEXT NOT NULL CHECK (phase IN ('current', 'blocked', 'behind', 'offered', 'downloaded', 'updated')),
    phase_since TEXT
  );
  INSERT INTO devices_6 (id, identity, mac, serial, device_type, vendor, model, revision, locale, version, user_name, address, first_seen, last_seen, offered_version, offered_folder, offered_at, downloaded_at, updated_at, modules, due_version, due_folder, phase, phase_since)
    SELECT id, identity, mac, serial, device_type, vendor, model, revision, locale, version, user_name, address, first_seen, last_seen, offered_version, offered_folder, offered_at, downloaded_at, updated_at, NULL,
      CASE WHEN phase IN ('offered', 'downloaded') THEN offered_version END,
      CASE WHEN phase IN ('offered', 'downloaded') THEN offered_folder END,
      phase, phase_since
    FROM devices;
  DROP TABLE devices;
  ALTER TABLE devices_6 RENAME TO devices;
  CREATE INDEX devices_seen ON devices(last_seen);
  CREATE INDEX devices_state ON devices(phase, phase_since, last_seen);
  CREATE INDEX devices_model ON devices(model, locale, vendor, device_type, revision, modules); -- modules: a situation's phones
  CREATE INDEX devices_locale ON devices(locale);
  CREATE INDEX devices_version ON devices(version);
  CREATE INDEX devices_mac ON devices(mac);
  CREATE INDEX devices_serial ON devices(serial);
  CREATE INDEX devices_user ON devices(user_name);
  CREATE INDEX devices_offer ON devices(address, offered_folder) WHERE phase = 'offered';
  CREATE INDEX devices_once ON devices(last_seen)
    WHERE downloaded_at IS NULL AND updated_at IS NULL AND last_seen < strftime('%Y-%m-%dT%H:%M:%fZ', first_seen, '+1 hour');
  -- The decision inputs (rules, images, interim images, test devices, settings) the rows' due offers were judged on.
  CREATE TABLE inventory_judged (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    inputs TEXT NOT NULL                  -- a SHA-256 of them (app/inventory-judge.ts inputsKey)
  );
  -- Image downloads from an address where several phones were offered that image: attributed to none of them.
  CREATE TABLE shared_downloads (
    address TEXT NOT NULL,
    folder TEXT NOT NULL,                 -- lower-cased, like offered_folder
    downloads INTEGER NOT NULL,
    last_at TEXT NOT NULL,
    PRIMARY KEY (address, folder)
  ) WITHOUT ROWID;
  `,
  /* 7: sign-in attempts in the store (app/sign-in-throttle.ts), so that every server sharing it counts the same ones */ `
  CREATE TABLE sign_in_attempts (
    id INTEGER PRIMARY KEY,               -- in the order added: a full table forgets the oldest first
    key TEXT NOT NULL,                    -- 'address <ip>' or 'account <lower-cased user name>'
    at INTEGER NOT NULL                   -- milliseconds since the epoch
  );
  CREATE INDEX sign_in_attempts_key ON sign_in_attempts(key, at);
  CREATE INDEX sign_in_attempts_at ON sign_in_attempts(at);
  `,
];
