/**
 * Reading over HTTP with every bound a hostile server could test: redirects are followed by
 * hand (`redirect: 'manual'`) and each hop is checked before it is requested; each request must
 * make progress within `timeoutMs` (headers, then every body chunk) and the whole load must end
 * within DEADLINE_FACTOR × timeoutMs; bodies are read chunk by chunk and reading stops at the
 * bytes wanted or fails past the byte limit, whatever the headers claim.
 */
import { formatBytes } from './assemble.js';
import { FileSourceError, UnsafePathError } from './errors.js';
import { DEADLINE_FACTOR, MAX_REDIRECTS } from './limits.js';
import { UpconvError } from '../errors.js';
import { showValue } from '../show.js';
import { SNIFF_BYTES, tooLarge } from './format.js';
import type { Bound } from './source.js';

/** When a load over HTTP must be done, and the caller's signal. */
export interface Deadline {
  /** Date.now() at which the whole load gives up. */
  at: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpOptions {
  fetch: typeof fetch;
  deadline: Deadline;
}

/** Says why a redirect target is refused, or null when it may be requested. */
export type RedirectRule = (to: URL, from: URL) => string | null;

/** Any http(s) target, but never from https down to http. */
export const anyHttp: RedirectRule = (to, from) => {
  if (to.protocol !== 'http:' && to.protocol !== 'https:') return `redirects to ${to.protocol} URL ${to.href}, which upconv does not follow`;
  if (from.protocol === 'https:' && to.protocol === 'http:') return `redirects from https to plain http (${to.href})`;
  return null;
};

/** Targets under `dir` (a folder URL ending in '/') on its origin, as shards must stay. */
export function underFolder(dir: URL): RedirectRule {
  return (to, from) => {
    const base = anyHttp(to, from);
    if (base) return base;
    if (to.origin !== dir.origin || !to.pathname.startsWith(dir.pathname)) {
      return `ends at ${to.href}, outside the model's folder ${dir.href}; weight shards must come from the model.json's folder on the same origin`;
    }
    return null;
  };
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);

/**
 * Runs `p` with a bound: rejects with a FileSourceError when no result comes within the idle
 * timeout (or by the deadline, or when the caller aborts); `onGiveUp` releases the request.
 */
function bounded<T>(p: Promise<T>, label: string, d: Deadline, onGiveUp: () => void): Promise<T> {
  const left = d.at - Date.now();
  if (d.signal?.aborted) {
    onGiveUp();
    return Promise.reject(new FileSourceError(`${label}: the load was aborted`));
  }
  if (left <= 0) {
    onGiveUp();
    return Promise.reject(new FileSourceError(`${label}: the load took longer than ${deadlineText(d)}; giving up`));
  }
  const byDeadline = left < d.timeoutMs;
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const cleanup = () => {
      clearTimeout(timer);
      if (onAbort) d.signal?.removeEventListener('abort', onAbort);
    };
    // handlers first: whatever happens below, a late rejection of `p` is never unhandled
    p.then((v) => {
      cleanup();
      resolve(v);
    }, (e) => {
      cleanup();
      reject(e);
    });
    const fail = (e: Error) => {
      cleanup();
      onGiveUp();
      reject(e);
    };
    timer = setTimeout(() => fail(new FileSourceError(byDeadline
      ? `${label}: the load took longer than ${deadlineText(d)}; giving up`
      : `${label}: no data for ${d.timeoutMs} ms (timeoutMs); the server stalled`)), Math.min(left, d.timeoutMs));
    onAbort = () => fail(new FileSourceError(`${label}: the load was aborted`));
    d.signal?.addEventListener('abort', onAbort);
  });
}

function deadlineText(d: Deadline): string {
  return `its deadline (${DEADLINE_FACTOR} × timeoutMs = ${Math.round((DEADLINE_FACTOR * d.timeoutMs) / 1000)} s)`;
}

/** Whether a fetch gave something usable as a Response (a custom fetch may return anything). */
function isResponse(x: unknown): x is Response {
  const r = x as { status?: unknown; headers?: { get?: unknown } } | null;
  return !!r && typeof r === 'object' && typeof r.status === 'number' && !!r.headers && typeof r.headers.get === 'function';
}

/** One bounded request; a failed fetch, or one that gives no Response, is a FileSourceError. */
async function request(url: URL, redirect: RequestRedirect, label: string, http: HttpOptions, controller: AbortController, abort: () => void): Promise<Response> {
  let res: unknown;
  try {
    res = await bounded(Promise.resolve(http.fetch(url.href, { redirect, signal: controller.signal })), label, http.deadline, abort);
  } catch (e) {
    if (e instanceof FileSourceError) throw e;
    throw new FileSourceError(`cannot fetch ${url.href}: ${showValue((e as Error)?.message ?? e)}`);
  }
  if (!isResponse(res)) {
    abort();
    throw new FileSourceError(`cannot fetch ${url.href}: the fetch function returned ${showValue(res)}, not a Response`);
  }
  return res;
}

/**
 * Fetches `url`, following redirects by hand when the runtime lets us see them (Node, Deno,
 * Bun) and checking the final URL when it does not (browsers hide the target of a manual
 * redirect); `rule` decides every hop. Returns the response of the final URL.
 */
export async function fetchChecked(url: URL, label: string, rule: RedirectRule, http: HttpOptions): Promise<{ res: Response; url: URL; abort: () => void }> {
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const controller = new AbortController();
    const abort = () => controller.abort();
    let res = await request(current, 'manual', label, http, controller, abort);
    if (res.type === 'opaqueredirect') {
      // a browser: let it follow, then check where it ended
      res = await request(current, 'follow', label, http, controller, abort);
    } else if (REDIRECT.has(res.status)) {
      const location = res.headers.get('location');
      void res.body?.cancel().catch(() => {});
      abort();
      if (!location) throw new FileSourceError(`${label}: HTTP ${res.status} without a Location header`);
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw new FileSourceError(`${label}: HTTP ${res.status} to an invalid Location ${JSON.stringify(location.slice(0, 200))}`);
      }
      const problem = rule(next, current);
      if (problem) throw new UnsafePathError(`${label}: a redirect ${problem}`);
      current = next;
      continue;
    }
    // a fetch that followed redirects itself (a custom fetch, or one that ignores 'manual')
    if (res.url) {
      let final: URL | null = null;
      try {
        final = new URL(res.url);
      } catch {
        /* keep the requested URL */
      }
      if (final && final.href !== current.href) {
        const problem = rule(final, current);
        if (problem) {
          void res.body?.cancel().catch(() => {});
          abort();
          throw new UnsafePathError(`${label}: the response ${problem}`);
        }
        current = final;
      }
    }
    return { res, url: current, abort };
  }
  throw new FileSourceError(`${label}: more than ${MAX_REDIRECTS} redirects`);
}

/**
 * A response body, read chunk by chunk: stops after `want` bytes (returning them, the rest
 * unread), and fails as soon as more than `maxBytes` arrive when `want` is not given. Every
 * chunk must come within the timeout.
 */
/** How much of a body is read: at most maxBytes, or just the first `want`; `bound` sizes a model file from its head. */
export interface BodyLimits {
  maxBytes: number;
  want?: number;
  bound?: Bound;
}

export async function readBody(res: Response, label: string, limits: BodyLimits, d: Deadline, abort: () => void): Promise<Uint8Array> {
  try {
    return await readBodyOf(res, label, limits, d, abort);
  } catch (e) {
    if (e instanceof UpconvError) throw e;
    // a Response-like object from a custom fetch whose body is not a stream or a buffer
    abort();
    throw new FileSourceError(`${label}: the response body cannot be read (${showValue((e as Error)?.message ?? e)})`);
  }
}

async function readBodyOf(res: Response, label: string, limits: BodyLimits, d: Deadline, abort: () => void): Promise<Uint8Array> {
  if (!res.ok) {
    void res.body?.cancel().catch(() => {});
    abort();
    throw new FileSourceError(`${label}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  }
  const { want, bound } = limits;
  let { maxBytes } = limits;
  const declared = Number(res.headers?.get?.('content-length') ?? NaN);
  if (want === undefined && declared > maxBytes) {
    void res.body?.cancel().catch(() => {});
    abort();
    throw new FileSourceError(`${label} is ${formatBytes(declared)}, more than maxFileBytes (${formatBytes(maxBytes)})`);
  }
  const stop = want ?? maxBytes;
  if (!res.body) {
    // a Response without a stream (some fetch polyfills): it is in memory already
    const all = new Uint8Array(await bounded(res.arrayBuffer(), label, d, abort));
    if (want === undefined && all.length > maxBytes) throw new FileSourceError(`${label} is ${formatBytes(all.length)}, more than maxFileBytes (${formatBytes(maxBytes)})`);
    if (bound && all.length > SNIFF_BYTES) {
      const limit = bound(all.subarray(0, SNIFF_BYTES), false);
      if (all.length > limit) throw tooLarge(label, all.length, limit, limits.maxBytes);
    }
    return all.subarray(0, Math.min(all.length, stop));
  }
  const reader = res.body.getReader();
  const give = () => {
    abort();
    void reader.cancel().catch(() => {});
  };
  const parts: Uint8Array[] = [];
  let total = 0;
  let sniffed = !bound;
  for (;;) {
    let step: ReadableStreamReadResult<Uint8Array>;
    try {
      step = await bounded(reader.read(), label, d, give);
    } catch (e) {
      if (e instanceof FileSourceError) throw e;
      throw new FileSourceError(`${label}: the download failed (${showValue((e as Error)?.message ?? e)})`);
    }
    if (step.done) break;
    const chunk = step.value;
    if (!(chunk instanceof Uint8Array)) {
      give();
      throw new FileSourceError(`${label}: the response body gave ${showValue(chunk)} instead of bytes`);
    }
    if (total + chunk.length >= stop && want !== undefined) {
      parts.push(chunk.subarray(0, stop - total));
      total = stop;
      give();
      break;
    }
    if (total + chunk.length > maxBytes) {
      give();
      throw tooLarge(label, null, maxBytes, limits.maxBytes);
    }
    parts.push(chunk);
    total += chunk.length;
    if (!sniffed && total >= SNIFF_BYTES) {
      // the head decides how much more may come (format.ts): junk stops here, JSON is capped
      sniffed = true;
      try {
        maxBytes = Math.min(maxBytes, bound!(concat(parts, total).subarray(0, SNIFF_BYTES), false));
      } catch (e) {
        give();
        throw e;
      }
      if (declared > maxBytes || total > maxBytes) {
        give();
        throw tooLarge(label, declared > maxBytes ? declared : null, maxBytes, limits.maxBytes);
      }
    }
  }
  return concat(parts, total);
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  parts.splice(0, parts.length, out);
  return out;
}
