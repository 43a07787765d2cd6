// The notation the console writes MAC addresses in (setting macNotation): read from the server once when the console
// opens and again when Settings saves it, so that every table, page and form writes MACs the same way.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { formatMac, type MacNotation } from '../shared/mac.js';
import { getSettings } from './api.js';

interface MacNotationContext {
  notation: MacNotation;
  /** Settings tells the console the saved notation. */
  setNotation: (notation: MacNotation) => void;
}

// Until the settings arrive (and where they cannot be read), the default notation.
const Context = createContext<MacNotationContext>({ notation: 'dashes', setNotation: () => {} });

export function MacNotationProvider({ children }: { children: ReactNode }) {
  const [notation, setNotation] = useState<MacNotation>('dashes');
  useEffect(() => {
    getSettings().then(
      (s) => setNotation(s.macNotation),
      () => {}, // the default stays; the views that need the server say what went wrong
    );
  }, []);
  const value = useMemo(() => ({ notation, setNotation }), [notation]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export const useMacNotation = (): MacNotationContext => useContext(Context);

/** Writes a stored MAC (12 hex digits) in the admin's notation. */
export function useFormatMac(): (mac: string) => string {
  const { notation } = useMacNotation();
  return useCallback((mac: string) => formatMac(mac, notation), [notation]);
}
