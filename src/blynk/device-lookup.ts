import type { Caller } from './client';
import { ApiCall, ORG } from './endpoints';
import { BlynkError } from './errors';
import { callAllPages, MAX_PAGES } from './platform-call';
import { SharedCache } from './shared-cache';
import { isPlainObject, quoteValue } from './validate';

/**
 * Flows often know a device by its name, the Platform API only by its id. A name is looked up
 * through the documented device search (`GET /api/v1/organization/search/devices`, `query` of at
 * most 255 characters, paged). Which fields Blynk matches the query against is undocumented, so the
 * answer is only a list of candidates: the name is compared here, exactly.
 */

/** The documented maximum page size of the search: one request for up to 1000 candidates. */
const SEARCH_PAGE_SIZE = 1000;

/** One page of the device search for `name`. */
export function searchDevicesCall(name: string, size = SEARCH_PAGE_SIZE): ApiCall {
  return {
    api: 'platform',
    method: 'GET',
    path: `${ORG}/search/devices`,
    query: [
      ['query', name],
      ['page', '0'],
      ['size', String(size)],
    ],
    idempotent: true,
  };
}

/** A candidate of the search answer: its id and name, or undefined for an item without both. */
function candidateOf(item: unknown): { id: number; name: string } | undefined {
  if (!isPlainObject(item) || typeof item.name !== 'string') return undefined;
  const id = typeof item.id === 'number' ? item.id : typeof item.id === 'string' ? Number(item.id) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? { id, name: item.name } : undefined;
}

/**
 * The id of the one device named `name` among the search's items: a case-sensitive exact match
 * first, else a case-insensitive one if it is the only one. None or several is an error naming the
 * count. The same device listed twice (pages shifting under the walk) counts once.
 */
export function pickDevice(name: string, items: readonly unknown[]): number {
  const candidates = new Map<number, string>();
  for (const item of items) {
    const candidate = candidateOf(item);
    if (candidate) candidates.set(candidate.id, candidate.name.trim());
  }
  const exact = [...candidates].filter(([, n]) => n === name).map(([id]) => id);
  const folded = name.toLowerCase();
  const loose = [...candidates].filter(([, n]) => n.toLowerCase() === folded).map(([id]) => id);
  const matches = exact.length > 0 ? exact : loose;
  if (matches.length === 1) return matches[0];
  const value = quoteValue(name);
  if (matches.length === 0) throw new BlynkError('DEVICE_NAME_NOT_FOUND', { value, length: candidates.size });
  throw new BlynkError('DEVICE_NAME_AMBIGUOUS', { value, length: matches.length });
}

export interface DeviceNamesOptions {
  /** How long a name's id is trusted (default 5 minutes). */
  ttlMs?: number;
  maxNames?: number;
  /** Search page size (default the documented maximum, 1000). */
  pageSize?: number;
  /** Pages fetched at most for one name. */
  maxPages?: number;
  /** Monotonic milliseconds. */
  now?: () => number;
}

/**
 * Name → device id for one config node, each for a bounded time and number of names. Concurrent
 * lookups of the same name share one search. Failures are not kept: the device may be created or
 * renamed a moment later.
 */
export class DeviceNames {
  private readonly pageSize: number;
  private readonly maxPages: number;
  private readonly ids: SharedCache<string, number>;

  constructor(
    private readonly client: Caller,
    options: DeviceNamesOptions = {},
  ) {
    this.pageSize = options.pageSize ?? SEARCH_PAGE_SIZE;
    this.maxPages = options.maxPages ?? MAX_PAGES;
    this.ids = new SharedCache({ ttlMs: options.ttlMs, maxKeys: options.maxNames, now: options.now });
  }

  /** Names cached (for tests: the map stays bounded). */
  get size(): number {
    return this.ids.size;
  }

  /**
   * The id of the device named `name` (already checked by deviceNameOf), and whether it came from
   * the cache; `fresh` skips the cache. Shared between callers, so the search runs without a
   * caller's abort signal (the client's close and its request timeout still end it).
   */
  async resolve(name: string, fresh = false): Promise<{ id: number; cached: boolean }> {
    const { value, fetched } = await this.ids.get(
      name,
      async () => {
        const result = await callAllPages(this.client, searchDevicesCall(name, this.pageSize), undefined, this.maxPages);
        const content = isPlainObject(result.data) && Array.isArray(result.data.content) ? result.data.content : [];
        return pickDevice(name, content);
      },
      fresh,
    );
    return { id: value, cached: !fetched };
  }

  /** Forgets a name (after Blynk did not find the device it named). */
  forget(name: string): void {
    this.ids.forget(name);
  }
}
