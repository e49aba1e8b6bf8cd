import type { RouteConfig } from './config.js';

/** A matched resource: its template, id, and the path parameters taken from the (undecoded) path. */
export interface RouteMatch {
  readonly route: RouteConfig;
  /** Null on non-templated resources (docs/aws-behaviour.md#proxy-event). */
  readonly pathParameters: Record<string, string> | null;
}

/** What routing decided: a resource with the method, or a miss (both give 403 on AWS, docs/aws-behaviour.md#gateway-errors). */
export type RouteResult =
  | { readonly kind: 'match'; readonly match: RouteMatch }
  | { readonly kind: 'no-resource' }
  | { readonly kind: 'no-method'; readonly route: RouteConfig };

interface Node {
  route?: RouteConfig;
  readonly literal: Map<string, Node>;
  param?: { readonly name: string; readonly node: Node };
  greedy?: { readonly name: string; readonly route?: RouteConfig };
}

const PARAM = /^\{([A-Za-z0-9._-]+)\}$/;
const GREEDY = /^\{([A-Za-z0-9._-]+)\+\}$/;

/** Routes requests to resources the way API Gateway does: literal segments first, then `{param}`, then `{name+}`. */
export class RouteTable {
  private readonly root: Node = { literal: new Map() };

  constructor(routes: readonly RouteConfig[]) {
    for (const route of routes) this.add(route);
  }

  private add(route: RouteConfig): void {
    if (route.resourcePath === '/') {
      this.root.route = route;
      return;
    }
    const segments = route.resourcePath.split('/').slice(1);
    let node = this.root;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      const greedy = GREEDY.exec(segment);
      if (greedy) {
        if (i !== segments.length - 1) {
          throw new Error(`resource '${route.resourcePath}': a greedy '{${greedy[1]}+}' segment must be the last one`);
        }
        node.greedy = { name: greedy[1]!, route };
        return;
      }
      const param = PARAM.exec(segment);
      if (param) {
        node.param ??= { name: param[1]!, node: { literal: new Map() } };
        node = node.param.node;
        continue;
      }
      let next = node.literal.get(segment);
      if (!next) {
        next = { literal: new Map() };
        node.literal.set(segment, next);
      }
      node = next;
    }
    node.route = route;
  }

  /** `path` is the event's `path` (stage removed, leading slashes collapsed, not decoded). */
  match(method: string, path: string): RouteResult {
    const found = this.find(path);
    if (!found) return { kind: 'no-resource' };
    const { route } = found;
    if (!route.methods.includes(method) && !route.methods.includes('ANY')) return { kind: 'no-method', route };
    return { kind: 'match', match: found };
  }

  private find(path: string): RouteMatch | undefined {
    if (path === '/') return this.root.route ? { route: this.root.route, pathParameters: null } : undefined;
    const segments = path.split('/').slice(1);
    return walk(this.root, segments, 0, []);
  }
}

function walk(node: Node, segments: string[], index: number, params: [string, string][]): RouteMatch | undefined {
  if (index === segments.length) {
    if (!node.route) return undefined;
    return { route: node.route, pathParameters: params.length > 0 ? Object.fromEntries(params) : null };
  }
  const segment = segments[index]!;
  // A trailing slash leaves an empty last segment: `/items/` is the resource `/items` (path keeps the slash).
  if (segment === '' && index === segments.length - 1 && index > 0) {
    const here = walk(node, segments, segments.length, params);
    if (here) return here;
  }
  if (segment !== '') {
    const literal = node.literal.get(segment);
    if (literal) {
      const found = walk(literal, segments, index + 1, params);
      if (found) return found;
    }
    if (node.param) {
      const found = walk(node.param.node, segments, index + 1, [...params, [node.param.name, segment]]);
      if (found) return found;
    }
  }
  if (node.greedy?.route) {
    // `{proxy+}` takes the rest of the path without its leading slash, nor a trailing one: `/test-path/`
    // gives `test-path` (docs/aws-behaviour.md#proxy-event).
    const joined = segments.slice(index).join('/');
    const rest = joined.endsWith('/') ? joined.slice(0, -1) : joined;
    if (rest !== '') {
      return { route: node.greedy.route, pathParameters: Object.fromEntries([...params, [node.greedy.name, rest]]) };
    }
  }
  return undefined;
}
