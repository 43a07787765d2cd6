// The open view follows the address bar's hash (#/settings/logs): the desktop menu and bookmarks open a view by
// link, and Back/Forward move between views. A page without a link opens Pending Updates.
import { useCallback, useEffect, useState } from 'react';
import { formatConsoleLink, parseConsoleLink, type ConsoleLink } from '../shared/console-link.js';

const current = (): ConsoleLink => parseConsoleLink(window.location.hash) ?? { view: 'pending' };

export function useConsoleLink(): [ConsoleLink, (link: ConsoleLink) => void] {
  const [link, setLink] = useState(current);
  useEffect(() => {
    const follow = () => setLink(current());
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  const open = useCallback((next: ConsoleLink) => {
    window.location.hash = formatConsoleLink(next);
  }, []);
  return [link, open];
}
