// Entry point: counters first (so nothing is missed), then the link to the host, the frame loop
// for live data, and React.
import './perf';
import './zod-jitless';
import './styles/theme.css';
import './styles/base.css';
import './styles/layout.css';
import './styles/status.css';
import './styles/sources.css';
import './styles/source-forms.css';
import './styles/live.css';
import './styles/run.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { startFrameLoop } from './live/frameLoop';
import { startSync } from './sync';

startSync();
startFrameLoop();

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
