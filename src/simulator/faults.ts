// Fault injection: rules matched in order of addition, each used up after `times` hits.
import { first, type Query } from './http';
import type { FaultAction, FaultInjector, FaultRule } from './types';

interface ActiveRule {
  rule: FaultRule;
  left: number;
}

export class Faults implements FaultInjector {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): void {
    const times = rule.times ?? 1;
    if (!(times > 0)) throw new RangeError('FaultRule.times must be > 0');
    this.rules.push({ rule, left: times });
  }

  clear(): void {
    this.rules = [];
  }

  get pending(): number {
    return this.rules.length;
  }

  /** The action for this request, consuming one use of the first matching rule. */
  take(method: string, path: string, query: Query): FaultAction | undefined {
    if (this.rules.length === 0) return undefined; // the usual, cheap case
    const i = this.rules.findIndex(({ rule: { match } }) => matches(match, method, path, query));
    if (i < 0) return undefined;
    const active = this.rules[i];
    if (--active.left <= 0) this.rules.splice(i, 1);
    return active.rule.action;
  }
}

function matches(m: FaultRule['match'], method: string, path: string, query: Query): boolean {
  if (m.method !== undefined && m.method.toUpperCase() !== method) return false;
  if (m.path !== undefined) {
    if (typeof m.path === 'string' ? m.path !== path : !testRegExp(m.path, path)) return false;
  }
  return m.grantType === undefined || first(query, 'grant_type') === m.grantType;
}

function testRegExp(re: RegExp, s: string): boolean {
  re.lastIndex = 0; // a /g or /y RegExp would otherwise carry state between requests
  return re.test(s);
}
