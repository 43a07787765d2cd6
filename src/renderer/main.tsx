// Entry point: starts the session (sign-in link or cookie) once, then renders the console in Fluent UI's theme.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { startSession } from './session-start.js';
import { ThemeProvider } from './theme.js';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');
createRoot(root).render(
  <StrictMode>
    <ThemeProvider>
      <App start={startSession()} />
    </ThemeProvider>
  </StrictMode>,
);
