/**
 * Every X endpoint the sandbox serves, gathered from the resource modules, and the matcher from a
 * request path to a route. Static segments win over parameters (`/2/users/me` before `/2/users/:id`)
 * because routes are tried in this order.
 */
import { engagementRoutes } from './engagement.js';
import { oauth2Routes } from './oauth2.js';
import { pinRoutes } from './pin.js';
import type { RouteDef } from './route.js';
import { searchRoutes } from './search.js';
import { streamRoutes } from './stream.js';
import { timelineRoutes } from './timelines.js';
import { tweetRoutes } from './tweets.js';
import { userRoutes } from './users.js';

export interface Route extends RouteDef {
  key: string;
  segs: string[];
}

const DEFS: RouteDef[] = [
  ...userRoutes,
  ...timelineRoutes,
  ...searchRoutes,
  ...streamRoutes,
  ...tweetRoutes,
  ...engagementRoutes,
  ...pinRoutes,
  ...oauth2Routes,
];

/** Static segments first, so `/2/tweets/search/recent` is never taken for `/2/tweets/:id`. */
const specificity = (d: RouteDef) => d.template.split('/').map((s) => (s.startsWith(':') ? '1' : '0')).join('');

export const ROUTES: Route[] = DEFS.map((d) => ({ ...d, key: `${d.method} ${d.template}`, segs: d.template.split('/') }))
  .sort((a, b) => a.segs.length - b.segs.length || (specificity(a) < specificity(b) ? -1 : specificity(a) > specificity(b) ? 1 : 0));

export function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  const segs = path.split('/');
  outer: for (const route of ROUTES) {
    if (route.method !== method || route.segs.length !== segs.length) continue;
    let params: Record<string, string> | undefined;
    for (let i = 0; i < segs.length; i++) {
      const t = route.segs[i]!;
      if (t.charCodeAt(0) === 58 /* : */) {
        if (!segs[i]) continue outer;
        let v = segs[i]!;
        try {
          v = decodeURIComponent(v);
        } catch {
          // left as sent; the handler's format check refuses it
        }
        (params ??= {})[t.slice(1)] = v;
      } else if (t !== segs[i]) continue outer;
    }
    return { route, params: params ?? {} };
  }
  return undefined;
}
