import { QueryEntries } from '../transport';

/** The `scope` parameter, for the grants that accept one; none when blank. */
export function scopeQuery(scope: string | undefined): QueryEntries {
  const trimmed = scope?.trim();
  return trimmed ? [['scope', trimmed]] : [];
}
