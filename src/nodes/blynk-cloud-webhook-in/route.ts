import type { Express, RequestHandler, Response } from 'express';

/** An answer without a body (Blynk reads only the status), unless one was sent already. */
export function answer(res: Response, status: number, headers: Record<string, string> = {}): void {
  if (!res.headersSent) res.status(status).set(headers).end();
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> };
}

function routesOf(app: Express): Layer[] {
  return (app as unknown as { _router?: { stack: Layer[] } })._router?.stack ?? [];
}

/**
 * Whether a route other than `handler`'s serves `method` on `path` (a core http in node with
 * another method, say): the webhook then leaves the request to it instead of answering 405.
 */
export function otherRouteServes(app: Express, path: string, method: string, handler: RequestHandler): boolean {
  const wanted = method.toLowerCase();
  return routesOf(app).some(
    (layer) =>
      layer.route?.path === path &&
      !layer.route.stack.some((l) => l.handle === handler) &&
      (layer.route.methods[wanted] === true || layer.route.methods._all === true),
  );
}

/**
 * Removes the route that serves `handler`, as core `http in` removes its own (Express 4 keeps
 * routes in `_router.stack`); matching the handler leaves other nodes' routes on the path alone.
 */
export function removeRoute(app: Express, handler: RequestHandler): void {
  const stack = routesOf(app);
  for (let i = stack.length - 1; i >= 0; i--) {
    if (stack[i].route?.stack.some((layer) => layer.handle === handler)) stack.splice(i, 1);
  }
}
