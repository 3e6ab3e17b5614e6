import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** How long a receiver has to answer, all told (SPEC §10: 10 s). */
export const POST_TIMEOUT_MS = 10_000;
/** What is kept of a receiver's answer (SPEC §10: the first 1 KB). */
export const ANSWER_BYTES = 1024;
/** What is read of an answer at most; the rest is dropped with the connection. */
const READ_BYTES = 64 * 1024;
/** Redirects followed, and only to the same origin. */
const MAX_REDIRECTS = 3;

/**
 * Addresses no delivery goes to unless allowed (`--webhook-allow`): link-local ones (where cloud
 * metadata services answer: 169.254.169.254 on AWS, GCP, Azure; fd00:ec2::254 on AWS) and
 * Alibaba's 100.100.100.200. A receiver in a private network or on 127.0.0.1 is allowed: a team
 * may well run its CRM bridge next to Scoremap.
 */
const REFUSED = new BlockList();
REFUSED.addSubnet('169.254.0.0', 16, 'ipv4');
REFUSED.addAddress('100.100.100.200', 'ipv4');
REFUSED.addSubnet('fe80::', 10, 'ipv6');
REFUSED.addAddress('fd00:ec2::254', 'ipv6');
const REFUSED_HOSTS = new Set(['metadata.google.internal', 'metadata']);

/** What `--webhook-allow` lets through although it is refused by default: host names, addresses, or CIDR ranges. */
export class AddressPolicy {
  readonly #hosts = new Set<string>();
  readonly #allowed = new BlockList();

  constructor(allow: readonly string[] = []) {
    for (const entry of allow) {
      const [addr, bits] = entry.split('/');
      const family = isIP(addr);
      if (family && bits !== undefined) this.#allowed.addSubnet(addr, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
      else if (family) this.#allowed.addAddress(addr, family === 4 ? 'ipv4' : 'ipv6');
      else this.#hosts.add(entry.toLowerCase());
    }
  }

  /** Checks an entry of `--webhook-allow`: a message, or null when it is fine. */
  static problem(entry: string): string | null {
    const [addr, bits, more] = entry.split('/');
    if (more !== undefined || !addr) return `"${entry}" is not a host, an address or a CIDR range`;
    if (bits === undefined) return null;
    const family = isIP(addr);
    const max = family === 4 ? 32 : 128;
    if (!family || !/^\d+$/.test(bits) || Number(bits) > max) return `"${entry}" is not a CIDR range (like 169.254.0.0/16)`;
    return null;
  }

  /** Why a host name may not be posted to, or null. */
  hostProblem(host: string): string | null {
    const h = host.toLowerCase();
    if (REFUSED_HOSTS.has(h) && !this.#hosts.has(h)) return `${host} is a cloud metadata address: deliveries do not go there unless allowed (--webhook-allow ${host})`;
    return null;
  }

  /** Why an address may not be posted to, or null. */
  addressProblem(address: string, host: string): string | null {
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (!REFUSED.check(address, family)) return null;
    if (this.#hosts.has(host.toLowerCase()) || this.#allowed.check(address, family)) return null;
    return `${host === address ? `${address} is` : `${host} is at ${address},`} a link-local or cloud metadata address: deliveries do not go there unless allowed (--webhook-allow ${address})`;
  }

  /**
   * Why a URL is refused from what it says alone (a metadata host name, a literal refused
   * address), or null; a name that resolves to one is refused when posting.
   */
  urlProblem(url: string): string | null {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return this.hostProblem(host) ?? (isIP(host) ? this.addressProblem(host, host) : null);
  }

  /** A DNS lookup that refuses what the policy refuses, so the address checked is the one connected to. */
  lookup(host: string): LookupFunction {
    return (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, '', 0);
        const list = addresses as LookupAddress[];
        for (const a of list) {
          const problem = this.addressProblem(a.address, host);
          if (problem) return callback(Object.assign(new Error(problem), { code: 'EREFUSEDADDRESS' }), '', 0);
        }
        if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
        callback(null, list[0].address, list[0].family);
      });
    };
  }
}

/** What became of one post. */
export interface PostResult {
  /** A 2xx answer. */
  readonly ok: boolean;
  readonly statusCode: number | null;
  /** The answer's first 1 KB. */
  readonly answer: string | null;
  /** Why there is no answer (refused, timed out, a redirect elsewhere), in words. */
  readonly error: string | null;
  readonly ms: number;
}

/**
 * Posts a body to a receiver: at most 10 s in all, redirects followed only within the same origin,
 * refused addresses never connected to, at most 64 KB of the answer read and 1 KB kept.
 */
export async function postDelivery(
  target: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  opts: { policy: AddressPolicy; timeoutMs?: number },
): Promise<PostResult> {
  const started = performance.now();
  const limit = opts.timeoutMs ?? POST_TIMEOUT_MS;
  const deadline = started + limit;
  const done = (r: Omit<PostResult, 'ms'>): PostResult => ({ ...r, ms: Math.round(performance.now() - started) });
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return done({ ok: false, statusCode: null, answer: null, error: `"${target}" is not a URL` });
  }
  const origin = url.origin;
  for (let hop = 0; ; hop++) {
    const r = await once(url, body, headers, opts.policy, deadline, limit);
    if ('error' in r) return done({ ok: false, statusCode: null, answer: null, error: r.error });
    const { status, location, answer } = r;
    if (status >= 300 && status < 400 && location) {
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return done({ ok: false, statusCode: status, answer, error: `redirected to "${location}", which is not a URL` });
      }
      if (next.origin !== origin) return done({ ok: false, statusCode: status, answer, error: `redirected to ${next.origin}, another host: not followed` });
      if (hop >= MAX_REDIRECTS) return done({ ok: false, statusCode: status, answer, error: `more than ${MAX_REDIRECTS} redirects` });
      url = next;
      continue;
    }
    return done({ ok: status >= 200 && status < 300, statusCode: status, answer, error: null });
  }
}

type Once = { status: number; location: string | undefined; answer: string } | { error: string };

function once(url: URL, body: string, headers: Readonly<Record<string, string>>, policy: AddressPolicy, deadline: number, limit: number): Promise<Once> {
  return new Promise((resolve) => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return resolve({ error: `${url.protocol} is not http or https` });
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const problem = policy.hostProblem(host) ?? (isIP(host) ? policy.addressProblem(host, host) : null);
    if (problem) return resolve({ error: problem });
    const left = deadline - performance.now();
    if (left <= 0) return resolve({ error: `no answer within ${limit / 1000} s` });
    let settled = false;
    const finish = (r: Once) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const make = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = make(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
      lookup: policy.lookup(host),
      agent: false,
    }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const end = () => {
        const answer = Buffer.concat(chunks).subarray(0, ANSWER_BYTES).toString('utf8');
        const location = res.headers.location;
        finish({ status: res.statusCode ?? 0, location, answer });
        res.destroy();
      };
      res.on('data', (c: Buffer) => {
        if (size < READ_BYTES) chunks.push(c);
        size += c.length;
        if (size >= READ_BYTES) end(); // enough: the rest is not read
      });
      res.on('end', end);
      res.on('error', end);
      res.on('aborted', end);
    });
    const timer = setTimeout(() => {
      finish({ error: `no answer within ${limit / 1000} s` });
      req.destroy();
    }, left);
    req.on('error', (e: NodeJS.ErrnoException) => finish({ error: words(e, url) }));
    req.end(body);
  });
}

/** A connection error as a sentence. */
function words(e: NodeJS.ErrnoException, url: URL): string {
  switch (e.code) {
    case 'ECONNREFUSED': return `${url.host} refused the connection`;
    case 'ENOTFOUND': return `${url.hostname} was not found (DNS)`;
    case 'ECONNRESET': return `${url.host} closed the connection`;
    case 'EREFUSEDADDRESS': return e.message;
    default: return `${url.host}: ${e.message}`;
  }
}
