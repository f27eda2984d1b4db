import 'weui/dist/style/weui.min.css';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';

// WeChat's OAuth leaves its own fragment on the page it returns to: the reader sees a
// clean URL, and a shared link carries nothing of the sign-in.
if (location.hash === '#wechat_redirect') {
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
