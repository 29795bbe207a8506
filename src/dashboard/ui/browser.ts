/**
 * The browser globals the UI uses, typed here because the project's tsconfig is for Node (no DOM
 * lib, and adding it would change the types of every server file). Only what the UI touches.
 */

export interface FocusableElement {
  focus(options?: { preventScroll?: boolean }): void;
  scrollIntoView?(options?: { block?: string }): void;
}

export interface EventSourceLike {
  addEventListener(type: string, listener: (event: { data: string }) => void): void;
  close(): void;
  onopen: (() => void) | null;
  onerror: (() => void) | null;
}

interface BrowserGlobals {
  document: {
    title: string;
    getElementById(id: string): FocusableElement | null;
  };
  location: { pathname: string; search: string };
  history: { pushState(state: unknown, unused: string, url: string): void };
  addEventListener(type: 'popstate', listener: () => void): void;
  removeEventListener(type: 'popstate', listener: () => void): void;
  EventSource: new (url: string) => EventSourceLike;
}

export const browser = globalThis as unknown as BrowserGlobals;

/** What form-control handlers read (the DOM event types are not in scope, see above). */
export interface ControlEvent {
  currentTarget: { value: string; checked: boolean };
}

export interface SubmitLike {
  preventDefault(): void;
}
