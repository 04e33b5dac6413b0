import { HEADER_NAME, WEBHOOK_METHODS, type WebhookMethod } from '../../blynk/webhook';
import type { WebhookAuth } from './auth';

/** The node's settings as the editor stores them. */
export interface WebhookInDef {
  url?: string;
  method?: string;
  auth?: string;
  headerName?: string;
  topic?: string;
}

export interface WebhookInCredentials {
  user?: string;
  password?: string;
  secret?: string;
  clientId?: string;
  clientSecret?: string;
}

export type AuthMode = 'basic' | 'header' | 'both' | 'oauth2' | 'none';

export interface WebhookInSettings {
  url: string;
  method: WebhookMethod;
  mode: AuthMode;
  auth: WebhookAuth;
  /** The configured mode lacks its credential: every request is refused rather than let through. */
  incomplete: boolean;
  topic: string;
}

const MODES: readonly AuthMode[] = ['basic', 'header', 'both', 'oauth2', 'none'];

/** The settings, with the defaults of a node saved without them. */
export function settingsOf(def: WebhookInDef, creds: WebhookInCredentials): WebhookInSettings {
  const raw = (def.url ?? '').trim();
  const url = raw === '' ? '' : raw.startsWith('/') ? raw : `/${raw}`;
  const upper = (def.method ?? 'POST').toUpperCase();
  const method = (WEBHOOK_METHODS as readonly string[]).includes(upper) ? (upper as WebhookMethod) : 'POST';
  const mode = (MODES as readonly string[]).includes(def.auth ?? '') ? (def.auth as AuthMode) : 'basic';
  const auth: WebhookAuth = {};
  let incomplete = false;
  if (mode === 'basic' || mode === 'both') {
    auth.basic = { user: creds.user ?? '', password: creds.password ?? '' };
    incomplete ||= !creds.user || !creds.password;
  }
  if (mode === 'header' || mode === 'both') {
    const name = (def.headerName ?? '').trim();
    auth.header = { name, value: creds.secret ?? '' };
    incomplete ||= !HEADER_NAME.test(name) || !creds.secret;
  }
  if (mode === 'oauth2') {
    auth.oauth2 = { clientId: creds.clientId ?? '', clientSecret: creds.clientSecret ?? '' };
    incomplete ||= !creds.clientId || !creds.clientSecret;
  }
  return { url, method, mode, auth, incomplete, topic: def.topic ?? '' };
}

/** The token URL of a node with OAuth 2.0: its path and `/token`. */
export function tokenPathOf(url: string): string {
  return `${url.replace(/\/+$/, '')}/token`;
}
