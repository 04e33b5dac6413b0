import type { Express, RequestHandler } from 'express';

interface Layer {
  route?: { path: string; stack: Array<{ handle: unknown }> };
}

/**
 * Removes the route that serves `handler`, as core `http in` removes its own (Express 4 keeps
 * routes in `_router.stack`); matching the handler leaves other nodes' routes on the path alone.
 */
export function removeRoute(app: Express, handler: RequestHandler): void {
  const stack = (app as unknown as { _router?: { stack: Layer[] } })._router?.stack;
  if (!stack) return;
  for (let i = stack.length - 1; i >= 0; i--) {
    if (stack[i].route?.stack.some((layer) => layer.handle === handler)) stack.splice(i, 1);
  }
}
