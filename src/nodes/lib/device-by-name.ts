import { ApiCall, ApiResult, BlynkError, deviceNameOf } from '../../blynk';
import { FlowNodeDef, RunContext } from './flow-node-spec';

/** Whether the node's device property holds a device name (the dialog's "device given by name"). */
export function deviceByName(def: FlowNodeDef): boolean {
  return def.deviceByName === true || def.deviceByName === 'true';
}

/** Any valid id: it lets the node's own checks run on the rest of the input before the lookup. */
const ANY_ID = 1;

/**
 * The message's work for the device that `raw` gives. By id, `build(raw)` as it is. By name, the
 * rest of the input is checked first (`check` with any id), so that bad input still fails before
 * any request; then the name is looked up (cached by the connection) and the work built for its
 * id. A 404 on an id from the cache looks the name up again once: the device may have been
 * replaced by another of the same name.
 */
export function forDevice<R extends ApiResult>(
  raw: unknown,
  ctx: RunContext<string>,
  build: (deviceId: unknown) => ApiCall | Promise<R>,
  check: (deviceId: number) => unknown = build,
): ApiCall | Promise<ApiResult | R> {
  if (!deviceByName(ctx.def)) return build(raw);
  const name = deviceNameOf(raw);
  check(ANY_ID);
  const names = ctx.config.deviceNames();
  const run = async (id: number): Promise<ApiResult | R> => {
    const work = build(id);
    return work instanceof Promise ? await work : await ctx.client.call(work, ctx.signal);
  };
  return (async () => {
    const first = await names.resolve(name);
    try {
      return await run(first.id);
    } catch (err) {
      if (!first.cached || !(err instanceof BlynkError) || err.code !== 'NOT_FOUND') throw err;
      names.forget(name);
      const again = await names.resolve(name, true);
      if (again.id === first.id) throw err;
      return run(again.id);
    }
  })();
}
