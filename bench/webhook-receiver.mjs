// The receiver of the webhooks benchmark, in a process of its own so that it does not take the
// sender's event loop: answers every POST with 204 as soon as the body is read, and GET with how
// many POSTs it answered. Prints one JSON line with its port. Plain JavaScript so it starts without
// a compiler.
import { createServer } from 'node:http';

let posts = 0;
const server = createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ posts }));
    return;
  }
  req.resume();
  req.on('end', () => {
    posts++;
    res.writeHead(204).end();
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
