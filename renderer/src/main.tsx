import './zod-jitless.js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { createBrowserPlatform } from './platform/browser-platform.js';
import { findDesktopBridge } from './platform/desktop-bridge.js';
import { createDesktopPlatform } from './platform/desktop-platform.js';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/pages.css';
import './styles/alerts.css';
import './styles/admin.css';

const bridge = findDesktopBridge();
const platform = bridge ? createDesktopPlatform(bridge) : createBrowserPlatform();

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
createRoot(container).render(
  <StrictMode>
    <App platform={platform} />
  </StrictMode>,
);
