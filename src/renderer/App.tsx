// The console's top level: waits for the session to start, then shows the sign-in form or the console.
import { useEffect, useState } from 'react';
import type { SessionInfo } from '../shared/admin-api.js';
import { setUnauthenticatedHandler } from './api.js';
import { Console } from './Console.js';
import { SignInForm } from './features/sign-in/SignInForm.js';
import type { SessionStart } from './session-start.js';

type State = { phase: 'starting' } | { phase: 'signed-out'; reason?: string | undefined } | { phase: 'signed-in'; session: SessionInfo };

export function App({ start }: { start: Promise<SessionStart> }) {
  const [state, setState] = useState<State>({ phase: 'starting' });

  useEffect(() => {
    let live = true;
    void start.then((s) => {
      if (live) setState(s.session ? { phase: 'signed-in', session: s.session } : { phase: 'signed-out', reason: s.error });
    });
    return () => {
      live = false;
    };
  }, [start]);

  useEffect(() => {
    setUnauthenticatedHandler(() => setState({ phase: 'signed-out', reason: 'Your session has ended: sign in again.' }));
  }, []);

  switch (state.phase) {
    case 'starting':
      return <p className="starting muted">Loading…</p>;
    case 'signed-out':
      return <SignInForm reason={state.reason} onSignedIn={(session) => setState({ phase: 'signed-in', session })} />;
    case 'signed-in':
      return <Console session={state.session} onSignedOut={() => setState({ phase: 'signed-out' })} />;
  }
}
