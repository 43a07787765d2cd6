// MAC addresses: read in any notation, kept as 12 upper-case hex digits, written in the admin's notation
// (setting macNotation) by the console and the CLI alike.
import type { Settings } from './settings.js';

export type MacNotation = Settings['macNotation'];

/** Normalises a MAC written as 0021630F207B, 00-21-63-0f-20-7b, 00:21:63:0F:20:7B or 0021.630f.207b. */
export function normaliseMac(text: string): string | undefined {
  const hex = text.trim().replace(/[-:.\s]/g, '');
  return /^[0-9a-fA-F]{12}$/.test(hex) ? hex.toUpperCase() : undefined;
}

/** A stored MAC (12 hex digits) in a notation: 00-21-63-0F-20-7B, 00:21:63:0f:20:7b or 0021630F207B. */
export function formatMac(mac: string, notation: MacNotation): string {
  if (notation === 'plain') return mac.toUpperCase();
  if (notation === 'colons') return mac.toLowerCase().replace(/(..)(?!$)/g, '$1:');
  return mac.toUpperCase().replace(/(..)(?!$)/g, '$1-');
}
