/**
 * Stripe list pagination: newest first, `limit` 1–100 (default 10), `starting_after` /
 * `ending_before` cursors naming an object id.
 */
import { invalidRequest } from './errors.js';
import type { FormObject } from './form.js';
import type { ListObject } from './objects.js';
import { optInt, optString } from './params.js';

export interface PageRequest {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
}

export function readPage(params: FormObject): PageRequest {
  const limit = optInt(params, 'limit') ?? 10;
  if (limit < 1 || limit > 100) {
    throw invalidRequest(`Invalid limit: must be between 1 and 100`, { param: 'limit' });
  }
  const page: PageRequest = { limit };
  const startingAfter = optString(params, 'starting_after');
  const endingBefore = optString(params, 'ending_before');
  if (startingAfter !== undefined && endingBefore !== undefined) {
    throw invalidRequest('You may only specify one of these parameters: ending_before, starting_after.');
  }
  if (startingAfter !== undefined) page.startingAfter = startingAfter;
  if (endingBefore !== undefined) page.endingBefore = endingBefore;
  return page;
}

/**
 * One page of `items` (each with a creation sequence number), newest first. `missing` builds
 * the error for a cursor that names no object.
 */
export function paginate<T extends { id: string }>(
  items: Array<{ seq: number; object: T }>,
  page: PageRequest,
  url: string,
  missing: (id: string, param: string) => Error,
): ListObject<T> {
  const sorted = [...items].sort((a, b) => b.seq - a.seq);
  let data: Array<{ seq: number; object: T }>;
  let hasMore: boolean;
  if (page.startingAfter !== undefined) {
    const index = sorted.findIndex((i) => i.object.id === page.startingAfter);
    if (index === -1) throw missing(page.startingAfter, 'starting_after');
    const rest = sorted.slice(index + 1);
    data = rest.slice(0, page.limit);
    hasMore = rest.length > page.limit;
  } else if (page.endingBefore !== undefined) {
    const index = sorted.findIndex((i) => i.object.id === page.endingBefore);
    if (index === -1) throw missing(page.endingBefore, 'ending_before');
    const before = sorted.slice(0, index);
    data = before.slice(Math.max(0, before.length - page.limit));
    hasMore = before.length > page.limit;
  } else {
    data = sorted.slice(0, page.limit);
    hasMore = sorted.length > page.limit;
  }
  return { object: 'list', data: data.map((i) => i.object), has_more: hasMore, url };
}
