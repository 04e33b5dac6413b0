import type { HttpMethod } from './transport';

/**
 * The shapes of the route catalogue that scripts/routes.js generates from contract/*.json
 * (src/blynk/generated/routes.ts). Titles, descriptions and field texts are Blynk's own English
 * words from its docs. The dialog imports this too: no Node.js or package imports here.
 */

/** A query parameter or a body field as Blynk documents it. */
export interface RouteField {
  name: string;
  /** As the docs show it: `integer (int32)`, `string[]`, `string | number`. */
  type: string;
  required: boolean;
  description?: string;
  example?: unknown;
  default?: unknown;
  enum?: unknown[];
}

/** A query parameter, with how its text is typed before the check (query strings carry text only). */
export interface RouteParam extends RouteField {
  kind: 'string' | 'integer' | 'number' | 'boolean' | 'array';
  /** The kind of an array's items. */
  items?: 'string' | 'integer' | 'number' | 'boolean' | 'array';
}

export interface Route {
  /** The docs' operationId. */
  id: string;
  /** The docs' group (tag), e.g. "Devices". */
  group: string;
  method: HttpMethod;
  path: string;
  /** The docs' operation title. */
  summary: string;
  description?: string;
  /** The documented query parameters. */
  parameters: RouteParam[];
  /** Query skeleton: the required parameters and the paging ones, with the documented example or default. */
  params?: Record<string, unknown>;
  /** Body fields (nested ones as `a.b`, array items as `a[].b`). */
  fields?: RouteField[];
  /** Body skeleton from the documented examples and required fields. */
  body?: unknown;
  bodyRequired?: boolean;
  /** `json`, `multipart`, or the documented media type. */
  contentType?: string;
  /** Required permissions, when user-scoped authentication is used (the docs' sentence). */
  permission?: string;
  /** Takes `page` and `size` and answers `{content, totalElements}`. */
  paged: boolean;
  /** Sending it twice leaves the same state as once: retried after a lost answer. */
  idempotent: boolean;
  /** The docs' page. */
  link?: string;
  /**
   * Blynk's page section for this call could not be read in full when the package was built
   * (`x-unread`): fields it documents may be missing, and some may come from another source.
   */
  unread: boolean;
  /** Where the route itself comes from when Blynk's page did not show it (`x-route-source`): `third-party`. */
  routeSource?: string;
}
