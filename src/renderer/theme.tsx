// Fluent UI's light or dark web theme, chosen by the platform's colour scheme and followed live when it changes.
import { useSyncExternalStore, type ReactNode } from 'react';
import { FluentProvider, webDarkTheme, webLightTheme } from '@fluentui/react-components';

const darkQuery = matchMedia('(prefers-color-scheme: dark)');

function subscribe(onChange: () => void): () => void {
  darkQuery.addEventListener('change', onChange);
  return () => darkQuery.removeEventListener('change', onChange);
}

export function ThemeProvider({ children }: { children: ReactNode }) {
  const dark = useSyncExternalStore(subscribe, () => darkQuery.matches);
  return (
    <FluentProvider theme={dark ? webDarkTheme : webLightTheme} className="app-root">
      {children}
    </FluentProvider>
  );
}
