import type { Duplex } from 'node:stream';

/**
 * What Node's HTTP server answers on its own, before any route sees the request (a request that
 * is not HTTP, headers too large, a request that took too long to arrive): by default an empty
 * body. Here it is JSON in words, like every other answer, then the connection is closed.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  // A response already under way cannot get a second one; a connection the client dropped needs none.
  const started = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (err.code === 'ECONNRESET' || !socket.writable || started) {
    socket.destroy();
    return;
  }
  const [status, reason, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'The request did not arrive in time (its headers or body came too slowly): send it again']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'The request headers are too large']
        : [400, 'Bad Request', `The request is not valid HTTP (${err.code ?? err.message})`];
  const body = JSON.stringify({ error: { message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
