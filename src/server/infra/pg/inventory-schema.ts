// Placeholder until the inventory's PostgreSQL schema lands (written with PgDevicesRepo, in devices-repo.ts's
// branch): the DDL statements of devices, seen_days, inventory_overflow, inventory_judged and shared_downloads.
export const INVENTORY_SCHEMA: string[] = [];
