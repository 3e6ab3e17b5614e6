import { z } from 'zod';

// The editor runs under a policy that forbids eval (server/http/security-headers.ts). Zod would
// compile its object parsers with `new Function`, and first probes whether it may: the browser
// reports that probe as a policy violation even though zod falls back. Jitless parsing never tries.
z.config({ jitless: true });
