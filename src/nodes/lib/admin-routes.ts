import { NextFunction, Request, RequestHandler, Response } from 'express';
import { NodeAPI } from 'node-red';
import { CATALOG } from './i18n';

/**
 * What every admin POST route of the package takes: the editor permission, and a JSON body from
 * the editor's own page. A cross-site page can send a form or a text body without asking, but not
 * JSON (the browser asks the server first, and Node-RED allows no other origin), and a browser
 * names the page's origin in `Origin`: either is refused before any work.
 */
export function editorPost(RED: NodeAPI): RequestHandler[] {
  const refuse = (res: Response, status: number): void => {
    res.status(status).json({ ok: false, code: 'CROSS_SITE', message: RED._(`${CATALOG}.errors.cross-site`) });
  };
  const fromEditor = (req: Request, res: Response, next: NextFunction): void => {
    if (!req.is('application/json')) return refuse(res, 415);
    if (!sameOrigin(req)) return refuse(res, 403);
    next();
  };
  return [RED.auth.needsPermission('blynk-cloud-config.write') as RequestHandler, fromEditor];
}

/** No `Origin` (not sent by a browser), or one whose host is this server's, as the browser or a proxy named it. */
function sameOrigin(req: Request): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false; // `null` (a sandboxed frame, a file) or garbage
  }
  const forwarded = String(req.headers['x-forwarded-host'] ?? '')
    .split(',')
    .map((h) => h.trim());
  return host !== '' && (host === req.headers.host || forwarded.includes(host));
}
