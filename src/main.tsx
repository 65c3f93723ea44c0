// Entry point of the single-page app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <h1>VM Playground</h1>
  </StrictMode>,
);
