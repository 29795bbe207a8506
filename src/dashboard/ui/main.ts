/**
 * The dashboard UI: a skip link, the navigation and one page per route, rendered with Preact.
 * Links are real links (they work with the keyboard, a middle click and without JavaScript's
 * router); after each navigation the page heading takes focus so screen readers announce it.
 */
import { h, render, type ContainerNode, type ComponentChild } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { browser } from './browser.ts';
import { DomainsPage } from './domains-page.ts';
import { EnvVarsPage } from './env-vars-page.ts';
import { LogsPage } from './logs-page.ts';
import { StatusPage } from './status-page.ts';

const ROUTES: { path: string; label: string; title: string }[] = [
  { path: '/', label: 'Status', title: 'Status' },
  { path: '/env-vars', label: 'Env vars', title: 'Environment variables' },
  { path: '/domains', label: 'Domains', title: 'Add a domain' },
  { path: '/logs', label: 'Logs', title: 'Provisioning log' },
];

function App(): ComponentChild {
  const [path, setPath] = useState(browser.location.pathname);
  const [moved, setMoved] = useState(false);
  const shown = useRef(path);
  shown.current = path;

  const navigate = useCallback((url: string, replace = false) => {
    if (!replace) {
      browser.history.pushState(null, '', url);
      setMoved(true);
    } else {
      // Filter changes update the address without a new history entry or a focus jump.
      (browser.history as unknown as { replaceState(state: unknown, unused: string, url: string): void }).replaceState(null, '', url);
    }
    setPath(url.split('?')[0]!);
  }, []);

  useEffect(() => {
    // A fragment link (the skip link) fires popstate too; only a new page moves the focus.
    const onPop = () => {
      if (browser.location.pathname === shown.current) return;
      setPath(browser.location.pathname);
      setMoved(true);
    };
    browser.addEventListener('popstate', onPop);
    return () => browser.removeEventListener('popstate', onPop);
  }, []);

  const route = ROUTES.find((r) => r.path === path);
  useEffect(() => {
    browser.document.title = `${route?.title ?? 'Not found'} · Shipyard`;
    if (moved) browser.document.getElementById('page-title')?.focus();
  }, [path, moved]);

  const page = path === '/' ? h(StatusPage, null)
    : path === '/env-vars' ? h(EnvVarsPage, null)
      : path === '/domains' ? h(DomainsPage, null)
        : path === '/logs' ? h(LogsPage, { navigate })
          : h('div', null, h('h1', { id: 'page-title', tabIndex: -1 }, 'Not found'), h('p', null, 'No such page. ', h('a', { href: '/' }, 'Go to the status page.')));

  return h('div', { class: 'app' },
    h('a', { class: 'skip-link', href: '#main' }, 'Skip to content'),
    h('header', { class: 'site' },
      h('a', { class: 'brand', href: '/', onClick: (e: ClickLike) => follow(e, '/', navigate) }, 'Shipyard'),
      h('nav', { 'aria-label': 'Main' },
        h('ul', null, ROUTES.map((r) =>
          h('li', { key: r.path }, h('a', { href: r.path, 'aria-current': r.path === path ? 'page' : undefined, onClick: (e: ClickLike) => follow(e, r.path, navigate) }, r.label)))),
      ),
    ),
    h('main', { id: 'main', tabIndex: -1 }, page),
  );
}

interface ClickLike {
  button: number;
  metaKey: boolean;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  preventDefault(): void;
}

/** Plain clicks stay in the app; modified clicks (new tab, new window) are the browser's. */
function follow(event: ClickLike, path: string, navigate: (url: string) => void): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(path);
}

const container = browser.document.getElementById('app') as unknown as ContainerNode & { textContent: string };
container.textContent = ''; // the loading note
render(h(App, null), container);
