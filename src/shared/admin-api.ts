// The admin API's contract: input schemas (validated by the server) and output types (used by the console and CLI).
import { z } from 'zod';
import type { ErrorCode } from './errors.js';
import type { Settings } from './settings.js';

export const signInInput = z.object({ username: z.string().min(1), password: z.string().min(1) });
export const exchangeInput = z.object({ token: z.string().min(1) });
export const ruleActionInput = z.object({ ids: z.array(z.number().int().positive()).min(1).max(10_000) });
export const ruleAction = z.enum(['approve', 'reject', 'rollback']);
export const testDeviceInput = z.object({
  name: z.string().max(200),
  mac: z.string().max(64).nullish(),
  serial: z.string().max(64).nullish(),
});
export const settingsInput = z.record(z.string(), z.unknown());
export const historyQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.coerce.number().int().positive().optional(),
});

export type Role = 'admin' | 'viewer';
export interface SessionInfo {
  username: string;
  role: Role;
  /** Send back as X-CSRF-Token on every change made with the session cookie. */
  csrf: string;
}

export interface RuleDto {
  id: number;
  deviceType: string;
  vendor: string;
  model: string;
  revision: string;
  locale: string;
  updateType: string;
  approved: string | null;
  pending: string | null;
  restore: string | null;
  updatedAt: string;
  versions: string[];
}

export interface RuleChangeDto {
  ruleId: number;
  rule: string;
  before: Pick<RuleDto, 'approved' | 'pending' | 'restore'>;
  after: Pick<RuleDto, 'approved' | 'pending' | 'restore'>;
  summary: string;
  warnings: string[];
}

export interface TestDeviceDto {
  id: number;
  name: string;
  mac: string | null;
  serial: string | null;
  createdAt: string;
}

export interface PackageDto {
  id: number;
  sha256: string;
  fileName: string;
  packageVersion: string | null;
  size: number;
  kind: 'cab' | 'exe' | 'interim' | 'tree';
  importedAt: string;
  importedBy: string;
  fileCount: number;
}

/** An interim image in the store (OCInterim/<Locale>/), and the phones of the inventory that take it first. */
export interface InterimImageDto {
  locale: string;
  version: string;
  files: { fileName: string; size: number }[];
  /** The package (cab or folder) it came from. */
  packageId: number;
  fileName: string;
  importedAt: string;
  /** UCPhone phones of this locale at (or below) the threshold: they get this image before any newer version. */
  phones: number;
}

export interface InterimOverviewDto {
  /** The interim build (fixed by the protocol) and the settings that decide who takes it. */
  version: string;
  threshold: string;
  inclusive: boolean;
  images: InterimImageDto[];
  /** Locales with phones that need the interim build and no interim image: they cannot update. */
  missing: { locale: string; phones: number }[];
}

export type ImportPhase = 'queued' | 'locating' | 'extracting' | 'storing' | 'committing' | 'done' | 'failed';

export interface ImportSummary {
  packageId: number;
  alreadyImported: boolean;
  packageVersion: string | null;
  images: { rule: string; version: string; outcome: 'pending' | 'already-approved' | 'already-pending' | 'kept' }[];
  interim: { locale: string; version: string }[];
  warnings: string[];
}

export interface ImportJobDto {
  id: string;
  fileName: string;
  phase: ImportPhase;
  /** 0-100 within the current phase. */
  percent: number;
  error?: { code: ErrorCode; message: string };
  summary?: ImportSummary;
}

export interface HistoryDto {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
}

export type SettingsDto = Settings;

/** The packages to purge: a list of ids, like the rules of an action. */
export const purgeInput = ruleActionInput;

export interface PurgeVerdictDto {
  id: number;
  fileName: string;
  importedAt: string;
  /** Why the package goes, or why it stays. */
  reason: string;
}

export interface PurgePreviewDto {
  purge: PurgeVerdictDto[];
  keep: PurgeVerdictDto[];
  /** Files that purging every package in `purge` removes from the store, and the disk space it frees. */
  files: number;
  bytes: number;
}

export interface PurgeResultDto {
  packages: PurgeVerdictDto[];
  files: number;
  bytes: number;
}

/** What the console's status line shows: the service is up, and where phones and admins reach it. */
export interface ServerStatusDto {
  version: string;
  startedAt: string;
  urls: { http: string; https: string; admin: string };
  store: StoreStatusDto;
}

/** Where the store is, and whether it answers: a pool's database can be away while the node serves phones. */
export interface StoreStatusDto {
  /** The pool's database (a URL without its password), or null for the embedded store in the data folder. */
  pool: string | null;
  /** Why the store does not answer now (admin changes are refused meanwhile), or null. */
  problem: string | null;
  /** Phone observations waiting to be written to the inventory, and those dropped since the start (over the bound). */
  waiting: number;
  dropped: number;
}

/** A phone described by hand for "why does it (not) update": only the model is required. */
export const explainInput = z.object({
  model: z.string().trim().min(1).max(64),
  deviceType: z.string().trim().max(64).optional(),
  vendor: z.string().trim().max(64).optional(),
  revision: z.string().trim().max(16).optional(),
  locale: z.string().trim().max(16).default('ENU'),
  version: z.string().trim().max(32).default('0.0.0.0'),
  mac: z.string().trim().max(64).optional(),
  serial: z.string().trim().max(64).optional(),
  external: z.boolean().default(false),
});
export type ExplainInput = z.input<typeof explainInput>;

/** The decision engine's answer for one phone, in words. */
export interface ExplanationDto {
  phone: { deviceType: string; vendor: string; model: string; revision: string; locale: string; version: string; mac: string; serial: string };
  testDevice: string | null;
  offered: { version: string; source: 'rule' | 'interim'; baseUrl: string; externalBaseUrl: string; files: string[] } | null;
  /** Why nothing is offered (the engine's reason code), or null. */
  reason: string | null;
  langList: string[];
  /** The engine's steps, each a sentence; advice is part of them. */
  trace: string[];
  /** What was assumed about the description, and warnings about the answer (a blank external URL). */
  notes: string[];
}

/** The deployment pre-flight: one verdict per check, with what to do. */
export interface PreflightCheckDto {
  id: string;
  title: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  /** What to do ('' when it passed). */
  fix: string;
}

export const preflightQuery = z.object({
  /** The phones' DNS domain (the DHCP domain option); default: from internalUrl or this machine's name. */
  domain: z
    .string()
    .trim()
    .max(253)
    .regex(/^([a-z0-9-]+(\.[a-z0-9-]+)*)?$/i, 'must be a DNS domain like contoso.com')
    .optional(),
});

export interface PreflightDto {
  domain: string;
  checks: PreflightCheckDto[];
}
